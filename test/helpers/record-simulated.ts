/**
 * mem:record's Recorder, in process, recording a simulated app into a store for `ticks` ticks of
 * the simulated clock (20 s each): what the store-backed tests of mem:blame read afterwards.
 */
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {setTimeout as sleep} from 'node:timers/promises'

import type {RecordSink} from '../../src/stream/recorder.js'
import type {Simulator} from '../simulator/server.js'

import {HerokuApi} from '../../src/heroku/api.js'
import {Recorder} from '../../src/stream/recorder.js'
import {ROOT} from './run-command.js'
import {until} from './until.js'

/** Records `app` of a running simulator (tickMs 0: the test steps the clock) into `sink`; resolves with the simulated span. */
export async function recordSimulated(sim: Simulator, app: string, sink: RecordSink, ticks: number): Promise<{from: number; to: number}> {
  const saved = {host: process.env.HEROKU_HOST, key: process.env.HEROKU_API_KEY}
  process.env.HEROKU_HOST = sim.url
  process.env.HEROKU_API_KEY = sim.token
  try {
    const api = new HerokuApi(new APIClient(await Config.load(ROOT)))
    const stop = new AbortController()
    const recorder = new Recorder({
      api, apps: [app], flushMs: 100, lines: 0, recorderId: 'test', signal: stop.signal, sink,
    })
    const running = recorder.run()
    await until(() => sim.requests.some(request => request.path.endsWith('/log-sessions')), 'the log session')
    await sleep(200)
    const from = sim.now()
    for (let tick = 0; tick < ticks; tick += 5) {
      sim.step(5)
      await sleep(15)
    }

    const to = sim.now()
    await sleep(300)
    stop.abort()
    if (await running !== 0) throw new Error('the recorder left events unwritten')
    return {from, to}
  } finally {
    process.env.HEROKU_HOST = saved.host
    process.env.HEROKU_API_KEY = saved.key
  }
}
