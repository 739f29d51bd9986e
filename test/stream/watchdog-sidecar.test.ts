/** The recorder side of mem:restart-over --record, in process: a store that hangs is noticed at the deadline, and never waited for. */
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'

import type {RecorderNotice} from '../../src/core/ports/recorder-status.js'

import {HerokuApi} from '../../src/heroku/api.js'
import {EXIT_BUDGET_MS, STORE_DEADLINE_MS, WatchdogSidecar} from '../../src/stream/watchdog-sidecar.js'
import {sample, SAMPLE_MS, T0} from '../fixtures/recorded-events.js'
import {ROOT} from '../helpers/run-command.js'
import {type SilentServer, startSilentServer} from '../helpers/silent-server.js'
import {until} from '../helpers/until.js'

describe('WatchdogSidecar (in process)', function () {
  this.timeout(60_000)
  let silent: SilentServer

  beforeEach(async () => {
    silent = await startSilentServer()
  })

  afterEach(() => silent.close())

  it('store hangs: every event handed over returns at once; the store is reported down at the write deadline, not at pg\'s connect timeout; stop keeps to its budget', async () => {
    const notices: RecorderNotice[] = []
    const sidecar = new WatchdogSidecar({
      api: new HerokuApi(new APIClient(await Config.load(ROOT))),
      app: 'leaky-app',
      filter: {},
      onNotice: notice => notices.push(notice),
      storeTarget: `postgres://mem@127.0.0.1:${silent.port}/mem`,
    })
    const handing = Date.now()
    for (let index = 0; index < 3000; index++) sidecar.tap(sample('web.1', T0 + (index * SAMPLE_MS), 300), 'live')
    expect(Date.now() - handing, '3000 events handed over').to.be.below(200)
    const started = Date.now()
    await until(() => notices.some(notice => notice.kind === 'store-down'), 'the store-down notice', 20_000)
    // The first write starts at once (3000 events fill a batch); it fails at the deadline, well before pg gives up (10 s).
    expect(Date.now() - started).to.be.below(STORE_DEADLINE_MS + 1500)
    const stopping = Date.now()
    await sidecar.stop()
    expect(Date.now() - stopping).to.be.below(EXIT_BUDGET_MS + 1500)
    expect(notices.map(notice => JSON.stringify(notice)).join('\n')).to.match(/did not take the last 3000 events/)
  })
})
