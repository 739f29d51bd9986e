/** mem:tail's feed, in process against the simulator: trends that start from mem:record's store. */
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import type {Simulator} from '../simulator/server.js'

import {HerokuApi} from '../../src/heroku/api.js'
import {openStore} from '../../src/store/open-store.js'
import {MemoryFeed} from '../../src/stream/memory-feed.js'
import {Recorder} from '../../src/stream/recorder.js'
import {readTrendSeed, type TrendSeed} from '../../src/stream/stored-trend.js'
import {ROOT} from '../helpers/run-command.js'
import {until} from '../helpers/until.js'
import {scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

describe('MemoryFeed trends from the store (in process, against the simulator)', function () {
  this.timeout(60_000)
  let sim: Simulator
  let api: HerokuApi
  let dir: string
  const saved = {host: process.env.HEROKU_HOST, key: process.env.HEROKU_API_KEY}

  beforeEach(async () => {
    sim = await startSimulator({apps: [scenario('demo')], tickMs: 0})
    process.env.HEROKU_HOST = sim.url
    process.env.HEROKU_API_KEY = sim.token
    api = new HerokuApi(new APIClient(await Config.load(ROOT)))
    dir = mkdtempSync(join(tmpdir(), 'memory-feed-'))
  })

  afterEach(async () => {
    await sim.close()
    process.env.HEROKU_HOST = saved.host
    process.env.HEROKU_API_KEY = saved.key
    rmSync(dir, {force: true, recursive: true})
  })

  /** What a mem:record run stored of the log buffer (the simulator's 30 history ticks); web.1's stored samples of its newest instance (a trend follows one). */
  async function recordHistory(file: string): Promise<number> {
    const store = await openStore(file)
    const stop = new AbortController()
    const recorder = new Recorder({
      api, apps: ['demo-app'], flushMs: 50, recorderId: 'test', signal: stop.signal, sink: store,
    })
    const running = recorder.run()
    await until(() => recorder.status.samplesStored > 0 && recorder.status.buffered === 0, 'the buffer stored')
    stop.abort()
    await running
    let stored = 0
    let instance: string | undefined
    await store.read('demo-app', {}, event => {
      if (event.kind !== 'memory' || event.dyno !== 'web.1') return
      if (event.instance !== instance) stored = 0
      instance = event.instance
      stored++
    })
    await store.close()
    return stored
  }

  /** A live feed from `lines` back, stepped `ticks` times; web.1's trend, the notes, and how long the log stream took to open. */
  async function feedTrend(lines: number, ticks: number, seed?: Promise<TrendSeed> | string): Promise<{connectedMs: number; notes: string[]; recent: number[]; samples: number}> {
    const stop = new AbortController()
    const notes: string[] = []
    const started = Date.now()
    let connectedMs = -1
    const feed = new MemoryFeed(api, {
      app: 'demo-app',
      lines,
      onSeedNote: note => notes.push(note),
      onUpdate(update) {
        if (update.kind === 'stream' && update.notice.kind === 'connected' && connectedMs < 0) connectedMs = Date.now() - started
      },
      seed: typeof seed === 'string' ? () => readTrendSeed({explicit: true, target: seed}, 'demo-app', Date.now()) : (seed && (() => seed)),
      signal: stop.signal,
      tail: true,
    })
    const running = feed.run()
    await until(() => sim.requests.some(request => request.path.startsWith('/streams/')), 'the log stream')
    await sleep(300)
    for (let tick = 0; tick < ticks; tick++) {
      sim.step()
      await sleep(20)
    }

    await until(() => (feed.board.get('web.1')?.samples ?? 0) >= ticks, 'the live samples')
    // The store is read once the first line is out: its samples join the trend a moment later.
    if (typeof seed === 'string') await until(() => notes.length > 0 || feed.board.get('web.1')!.recent.length > ticks, 'the stored samples', 5000)
    stop.abort()
    await running
    const web = feed.board.get('web.1')!
    return {
      connectedMs, notes, recent: [...web.recent], samples: web.samples,
    }
  }

  it('a dyno\'s trend starts from the samples the store holds, then goes on live', async () => {
    const file = join(dir, 'history.sqlite')
    const stored = await recordHistory(file)
    expect(stored).to.be.above(20)
    const seeded = await feedTrend(0, 3, file)
    expect(seeded.samples, 'samples seen live').to.equal(3)
    // The stored samples of web.1 (the simulator's history: about 10 minutes), then the 3 live ones.
    expect(seeded.recent).to.have.length(stored + 3)
  })

  it('the log buffer repeats what the store holds: no sample is in the trend twice', async () => {
    const file = join(dir, 'history.sqlite')
    const stored = await recordHistory(file)
    // 200 lines back reach well into what the store holds.
    const overlapping = await feedTrend(200, 3, file)
    expect(overlapping.samples, 'samples seen in the log').to.be.above(3)
    expect(overlapping.recent).to.have.length(stored + 3)
  })

  it('--no-store (no seed): the trend holds only what the log gave', async () => {
    const plain = await feedTrend(0, 3)
    expect(plain.recent).to.have.length(3)
  })

  it('a store that never answers delays nothing: the log opens at once, the trend starts from the log', async () => {
    const plain = await feedTrend(0, 3)
    const hanging = await feedTrend(0, 3, new Promise<TrendSeed>(() => {}))
    expect(hanging.connectedMs, `${hanging.connectedMs} ms, without a store ${plain.connectedMs} ms`).to.be.below(plain.connectedMs + 500)
    expect(hanging.recent).to.have.length(3)
  })

  it('a store that cannot be read is one note, and the log goes on', async () => {
    const garbage = join(dir, 'not-a-store.sqlite')
    writeFileSync(garbage, 'this is not a SQLite file, just some text that goes on for a while '.repeat(100))
    const result = await feedTrend(0, 3, garbage)
    expect(result.recent).to.have.length(3)
    expect(result.notes).to.have.length(1)
    expect(result.notes[0]).to.match(/^mem:tail: the recorded history in .*not-a-store\.sqlite could not be read \(.+\): trends start from the log$/)
  })
})
