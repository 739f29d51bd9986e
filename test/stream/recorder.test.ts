import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'
import {setTimeout as sleep} from 'node:timers/promises'

import type {RecorderNotice} from '../../src/core/ports/recorder-status.js'
import type {RecordBatch} from '../../src/store/memory-store.js'
import type {Simulator} from '../simulator/server.js'

import {buildBlame} from '../../src/core/blame/blame.js'
import {StoredIntervals} from '../../src/core/blame/stored-intervals.js'
import {UserError} from '../../src/errors.js'
import {HerokuApi} from '../../src/heroku/api.js'
import {Recorder} from '../../src/stream/recorder.js'
import {recordSimulated} from '../helpers/record-simulated.js'
import {ROOT} from '../helpers/run-command.js'
import {until} from '../helpers/until.js'
import {scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

describe('Recorder (in process, against the simulator)', function () {
  this.timeout(60_000)
  let sim: Simulator
  let api: HerokuApi
  const saved = {host: process.env.HEROKU_HOST, key: process.env.HEROKU_API_KEY}

  beforeEach(async () => {
    sim = await startSimulator({apps: [scenario('demo')], tickMs: 0})
    process.env.HEROKU_HOST = sim.url
    process.env.HEROKU_API_KEY = sim.token
    api = new HerokuApi(new APIClient(await Config.load(ROOT)))
  })

  afterEach(async () => {
    await sim.close()
    process.env.HEROKU_HOST = saved.host
    process.env.HEROKU_API_KEY = saved.key
  })

  it('a store down too long: the buffer stays bounded, the oldest events go, and the span they covered is left out of the coverage', async () => {
    const written: RecordBatch[] = []
    let failing = true
    const notices: RecorderNotice[] = []
    const stop = new AbortController()
    const recorder = new Recorder({
      api,
      apps: ['demo-app'],
      flushMs: 50,
      lines: 0,
      maxBuffered: 30,
      onNotice: notice => notices.push(notice),
      recorderId: 'test',
      signal: stop.signal,
      sink: {
        async write(batch) {
          if (failing) throw new Error('connection refused')
          written.push(batch)
        },
      },
    })
    const running = recorder.run()
    await until(() => sim.requests.some(r => r.path.endsWith('/log-sessions')), 'the log session')
    await sleep(300)
    const failureStart = sim.now()
    for (let i = 0; i < 20; i++) {
      sim.step(1)
      await sleep(30)
    }

    await until(() => notices.some(notice => notice.kind === 'dropped'), 'a dropped notice')
    expect(recorder.status.buffered).to.be.at.most(30)
    expect(recorder.status.storeDown).to.equal(true)
    failing = false
    await until(() => recorder.status.buffered === 0, 'the buffer to drain', 20_000)
    stop.abort()
    expect(await running).to.equal(0)

    expect(notices.some(notice => notice.kind === 'store-down' && notice.reason === 'connection refused')).to.equal(true)
    expect(notices.some(notice => notice.kind === 'store-up')).to.equal(true)
    const events = written.flatMap(batch => batch.events)
    expect(events.length).to.be.within(1, 30)
    // The coverage written starts at the oldest event kept, not at the first one seen: the dropped ones are a gap.
    const oldestKept = Math.min(...events.map(event => event.time))
    const covered = written.flatMap(batch => batch.coverage)
    expect(Math.min(...covered.map(segment => segment.from))).to.equal(oldestKept)
    expect(oldestKept).to.be.above(failureStart + 20_000)
  })

  it('an app whose log can no longer be opened (deleted, access revoked): what was read is written, then the error ends the run', async () => {
    const written: RecordBatch[] = []
    let sessions = 0
    // The first session works; when it drops, the platform refuses the next one for good.
    const refusing = Object.create(api) as HerokuApi
    refusing.createLogSession = async (app, request) => {
      if (++sessions > 1) throw new UserError('Couldn\'t find that app.', 1, 404)
      return api.createLogSession(app, request)
    }

    sim.faults.dropStreamAfterLines = 40
    const recorder = new Recorder({
      api: refusing,
      apps: ['demo-app'],
      flushMs: 60_000,
      lines: 1500,
      recorderId: 'test',
      signal: new AbortController().signal,
      sink: {
        async write(batch) {
          written.push(batch)
        },
      },
    })
    let failure: unknown
    try {
      await recorder.run()
    } catch (error) {
      failure = error
    }

    expect((failure as UserError)?.status).to.equal(404)
    // Nothing was flushed on the timer (60 s): these are the final flush's.
    expect(written.flatMap(batch => batch.events).length).to.be.above(5)
  })

  it('keeps blame\'s per-dyno intervals, not router lines: the demo\'s leak-route fault is found from what it wrote', async () => {
    const written: RecordBatch[] = []
    const span = await recordSimulated(sim, 'demo-app', {
      async write(batch) {
        written.push(batch)
      },
    }, 300)
    const stored = written.flatMap(batch => batch.intervals ?? [])
    expect(written.flatMap(batch => batch.events).filter(event => (event.kind as string) === 'router')).to.deep.equal([])
    // Every web dyno's 20 s intervals over the span (the demo's web.2 restarts: a few are lost across it).
    expect(stored.length).to.be.above(250)
    for (const interval of stored) expect(interval.start).to.be.within(span.from - 40_000, span.to)
    // On stop, the intervals still open to late router lines (the last 2 minutes) are written too.
    expect(Math.max(...stored.filter(interval => interval.dyno === 'web.1').map(interval => interval.end))).to.be.above(span.to - 40_000)
    const exportRoute = stored.flatMap(interval => interval.dyno === 'web.2' ? interval.routes : []).filter(route => route.route === 'GET /reports/:id/export')
    expect(exportRoute.reduce((sum, route) => sum + route.requests, 0)).to.be.above(100)
    const source = new StoredIntervals()
    for (const interval of stored) source.add(interval)
    const result = buildBlame(source)
    // Fault leak-route: ~2.2 MB per request (as from the live log, test/commands/mem/blame.test.ts).
    expect(result.suspects.map(suspect => suspect.route)).to.deep.equal(['GET /reports/:id/export'])
    expect(result.suspects[0].leak!.mbPer1000).to.be.within(1800, 2600)
  })
})
