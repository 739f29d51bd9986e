/**
 * mem:restart-over against a stand-in for Heroku that misbehaves in ways the other fault tests do
 * not cover (each fault is named in test/simulator/server.ts and README.md). Each test counts the
 * restart requests (DELETEs) the simulator received.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AppScript, Simulator} from '../../simulator/server.js'

import {CommandResult, runCommand} from '../../helpers/run-command.js'
import {
  decisions, deletes, jsonLines, sleep, streamsOpened, tick, waitFor, watchLog,
} from '../../helpers/watchdog-sim.js'
import {startSimulator} from '../../simulator/server.js'

/** Two dynos leaking in two process types, one steady. */
const twoLeaks = (): AppScript => ({
  dynos: [
    {behavior: 'steady', name: 'web.1'},
    {behavior: 'leak', leakMbPerHour: 3000, name: 'web.2'},
    {behavior: 'leak', leakMbPerHour: 3000, name: 'worker.1'},
  ],
  historyTicks: 20,
  name: 'leaky-app',
})

/** web.1's rss + swap in each memory sample logged so far, oldest first, with the line's index among the platform lines. */
function memorySamples(sim: Simulator, app: string): Array<{index: number; mb: number}> {
  const platform = sim.lines(app).filter(line => line.includes(' heroku['))
  const samples: Array<{index: number; mb: number}> = []
  for (const [index, line] of platform.entries()) {
    const rss = /sample#memory_rss=([\d.]+)MB/.exec(line)
    const swap = /sample#memory_swap=([\d.]+)MB/.exec(line)
    if (rss && swap) samples.push({index, mb: Number(rss[1]) + Number(swap[1])})
  }

  return samples
}

/** web.2 leaks slowly: it crosses 90% about 12 ticks after the history. */
const slowLeak = (): AppScript => ({
  dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'leak', leakMbPerHour: 1500, name: 'web.2'}], historyTicks: 20, name: 'leaky-app',
})

function notes(stdout: string): string[] {
  return jsonLines(stdout).filter(line => line.type === 'note').map(line => String(line.message))
}

function blindSaid(stdout: string): boolean {
  return jsonLines(stdout).some(line => line.type === 'blind' && line.blind === true)
}

/** Cuts the live stream once; resolves when the watchdog has reconnected and reads the log again. */
async function reconnect(sim: Simulator, stdout: () => string): Promise<void> {
  const opened = streamsOpened(sim)
  // The open stream is cut at this tick; the next session must not be (one that replays only lines
  // already read, then is cut, would leave the watchdog rightly blind).
  sim.faults.dropStreamAfterLines = 1
  sim.step()
  sim.faults.dropStreamAfterLines = undefined
  await waitFor(() => stdout().includes('"reconnecting"'), 10_000)
  await waitFor(() => streamsOpened(sim) > opened, 10_000)
}

describe('mem:restart-over against a hostile Heroku (faults injected in the simulator)', function () {
  this.timeout(90_000)
  let sim: Simulator
  let env: Record<string, string>
  let cacheHome: string

  async function start(apps: AppScript[]): Promise<void> {
    sim = await startSimulator({apps, tickMs: 0})
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, XDG_CACHE_HOME: cacheHome}
  }

  /** One watchdog following the live log; `drive` runs once it does, given its output so far; then Ctrl-C. */
  function watch(args: string[], drive: (stdout: () => string) => Promise<void>): Promise<CommandResult> {
    return watchLog(sim, env, args, drive)
  }

  beforeEach(() => {
    cacheHome = mkdtempSync(join(tmpdir(), 'restart-over-hostile-'))
  })

  afterEach(async () => {
    await sim?.close()
    rmSync(cacheHome, {force: true, recursive: true})
  })

  it('streamIgnoresFilter: -d web.2 restarts web.2 only, though the log session carries worker.1 leaking too', async () => {
    await start([twoLeaks()])
    sim.faults.streamIgnoresFilter = true
    const result = await watch(['-a', 'leaky-app', '-d', 'web.2', '--threshold', '90%', '--json'], async () => {
      await tick(sim, 40, () => deletes(sim).length > 0)
      // worker.1 leaks as fast: it would have been decided by now, on its own slot (another type).
      await sleep(500)
      await tick(sim, 12)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
  })

  it('tailReplays: the live log replaying readings the history already counted adds nothing to a row (--for 4 after 3 readings over: no restart)', async () => {
    await start([{
      dynos: [{behavior: 'leak', leakMbPerHour: 1500, name: 'web.1'}], historyTicks: 20, name: 'leaky-app',
    }])
    // A threshold the last 3 samples of the history are over, and the one before is not.
    const samples = memorySamples(sim, 'leaky-app')
    const lastThree = samples.slice(-3)
    const before = samples.at(-4)!.mb
    const lowest = Math.min(...lastThree.map(sample => sample.mb))
    expect(lowest, 'the scenario: 3 samples over a threshold').to.be.above(before + 2)
    const threshold = `${((before + lowest) / 2).toFixed(1)}MB`
    // The tail starts with the lines from the third-last sample on: 3 readings already counted come again.
    sim.faults.tailReplays = sim.lines('leaky-app').filter(line => line.includes(' heroku[')).length - lastThree[0].index
    const result = await watch(['-a', 'leaky-app', '--threshold', threshold, '--for', '4', '--cooldown', '1m', '--json'], async stdout => {
      await sleep(1500)
      expect(deletes(sim), 'restarts from the replayed readings alone').to.deep.equal([])
      // The fourth reading over: now it is due.
      sim.faults.tailReplays = undefined
      await tick(sim, 1)
      await waitFor(() => stdout().includes('"restart"'), 5000)
      await sleep(500)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.1'])
    expect(decisions(result.stdout).find(decision => decision.action === 'restart')).to.include({dyno: 'web.1', over: 4})
  })

  it('status429 on the dyno read before a restart: offered again after Retry-After, one DELETE (not dropped for a cooldown)', async () => {
    await start([{
      dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'leak', leakMbPerHour: 3000, name: 'web.2'}], historyTicks: 20, name: 'leaky-app',
    }])
    // Every attempt of the first read (the API client tries a GET 3 times) meets an empty rate-limit pool.
    sim.faults.status429 = {count: 3, pathPattern: '^GET /apps/leaky-app/dynos/web.2$', retryAfterSeconds: 1}
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '10m', '--json'], async stdout => {
      await tick(sim, 40, () => stdout().includes('"restart"'))
      // Readings go on every 20 s (here every 300 ms) while the restart waits for the pool.
      for (let index = 0; index < 12 && deletes(sim).length === 0; index++) {
        await sleep(300)
        await tick(sim, 1)
      }

      await tick(sim, 4)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
  })

  describe('a reconnect after a bad clock (futureLine, clockOffsetMs, then dropStreamAfterLines)', () => {
    const MIN = 60_000
    for (const [what, fault] of [
      ['one platform line dated a day ahead', {futureLine: {aheadMs: 24 * 60 * MIN, dyno: 'web.1', message: 'State changed from up to up'}}],
      ['the leaking dyno\'s clock 30 min behind the others', {clockOffsetMs: {'web.2': -30 * MIN}}],
    ] as const) {
      it(`${what}: after a reconnect the leaking dyno is still read and restarted once, or the watchdog says it is blind`, async () => {
        await start([slowLeak()])
        const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '1m', '--json'], async stdout => {
          Object.assign(sim.faults, fault)
          await tick(sim, 2)
          await reconnect(sim, stdout)
          expect(deletes(sim), 'restarted before the reconnect: the test proves nothing').to.deep.equal([])
          await tick(sim, 40, () => deletes(sim).length > 0)
          await sleep(300)
        })
        expect(result.code, result.stderr).to.equal(0)
        const blind = jsonLines(result.stdout).some(line => line.type === 'blind' && line.blind === true)
        expect({blind, deletes: deletes(sim).map(restart => restart.dyno)}).to.deep.equal({blind: false, deletes: ['web.2']})
      })
    }
  })

  it('streamRepeats: a stream that only resends lines already read is stalled and blind (said), and the leak is caught once new lines come', async () => {
    await start([slowLeak()])
    let blindWhileRepeating = false
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '1m', '--stall-timeout', '1s', '--json'], async stdout => {
      // Lines the stream has sent, for it to send again.
      await tick(sim, 2)
      sim.faults.streamRepeats = true
      for (let index = 0; index < 16 && !blindSaid(stdout()); index++) {
        sim.step()
        await sleep(250)
      }

      blindWhileRepeating = blindSaid(stdout())
      sim.faults.streamRepeats = false
      await tick(sim, 50, () => deletes(sim).length > 0)
      await tick(sim, 3)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(blindWhileRepeating, 'blind said while only old lines came').to.equal(true)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
  })

  it('dynoLinesLost: --once with a dyno whose lines stopped reaching the log while it ran: never exit 0 ("nothing over")', async () => {
    await start([slowLeak()])
    // web.2 under the threshold when its lines stop reaching the log, well over it when --once reads the log.
    sim.faults.dynoLinesLost = ['web.2']
    sim.step(20)
    expect(sim.overThresholdAt('leaky-app', 'web.2', 461), 'the scenario: web.2 over 90% unseen').to.be.a('number')
    const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once', '--json', '--send-jitter', '1ms'], {env})
    expect(result.code, result.stdout).to.equal(1)
    expect(result.stderr).to.match(/web\.2/)
    expect(deletes(sim)).to.deep.equal([])
  })

  it('dynoLinesLost while watching: says once that it cannot see the dyno, and again when it can; the leak is then caught', async () => {
    await start([slowLeak()])
    let silentSaid: string[] = []
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '1m', '--json'], async stdout => {
      await tick(sim, 2)
      sim.faults.dynoLinesLost = ['web.2']
      await tick(sim, 12)
      await sleep(200)
      silentSaid = notes(stdout()).filter(note => note.startsWith('web.2'))
      sim.faults.dynoLinesLost = undefined
      await tick(sim, 30, () => deletes(sim).length > 0)
      await tick(sim, 3)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(silentSaid).to.have.length(1)
    expect(silentSaid[0]).to.match(/web\.2: no memory reading .* not watched until/)
    expect(notes(result.stdout).filter(note => note.startsWith('web.2'))).to.have.length(2)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
  })

  it('historyNeverEnds: --once reads a recent log whose session goes on live, decides within bounded time and restarts once', async () => {
    await start([twoLeaks()])
    sim.step(10)
    sim.faults.historyNeverEnds = true
    // The live log goes on under the session the history is read from.
    const ticking = setInterval(() => sim.step(), 500)
    const startedAt = Date.now()
    try {
      const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--cooldown', '1m', '--once', '--json', '--send-jitter', '1ms'], {env, timeoutMs: 70_000})
      expect(result.code, result.stderr).to.equal(3)
      expect(Date.now() - startedAt).to.be.below(60_000)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2', 'worker.1'])
    } finally {
      clearInterval(ticking)
    }
  })
})
