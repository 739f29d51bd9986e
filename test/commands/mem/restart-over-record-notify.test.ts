/**
 * mem:restart-over --record and --notify against the simulator. The watchdog's first rule is that
 * it never does harm: with the store or the webhook failing in each way a real one does, the
 * restarts (the DELETEs the simulator received) are exactly those of a run without them, on the
 * same simulated reading, the watchdog never goes blind and Ctrl-C still ends it within seconds.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AppScript, Simulator} from '../../simulator/server.js'

import {openStore} from '../../../src/store/open-store.js'
import {type HttpReceiver, startReceiver} from '../../helpers/http-receiver.js'
import {type CommandResult, runCommand} from '../../helpers/run-command.js'
import {type SilentServer, startSilentServer} from '../../helpers/silent-server.js'
import {
  deletes, jsonLines, sleep, streamsOpened, waitFor,
} from '../../helpers/watchdog-sim.js'
import {startSimulator} from '../../simulator/server.js'

const leaky = (): AppScript => ({
  dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'leak', leakMbPerHour: 3000, name: 'web.2'}],
  historyTicks: 20,
  name: 'leaky-app',
})

/** Simulated ticks each run steps through, one at a time. */
const TICKS = 45
/** Real time between two ticks: ample for the watchdog to read a tick and send what it decides. */
const TICK_GAP_MS = 60

interface WatchRun {
  result: CommandResult
  /** Per DELETE, the tick (1-based) after which it arrived. */
  deleteTicks: number[]
  /** ms from the deciding tick to the DELETE. */
  reactionsMs: number[]
  /** ms from Ctrl-C to the exit. */
  exitMs: number
}

describe('mem:restart-over --record / --notify never harm the watchdog (faults injected)', function () {
  this.timeout(120_000)
  let sim: Simulator
  let receiver: HttpReceiver
  let silent: SilentServer
  let home: string
  let env: Record<string, string>

  beforeEach(async () => {
    sim = await startSimulator({apps: [leaky()], tickMs: 0})
    receiver = await startReceiver()
    silent = await startSilentServer()
    home = mkdtempSync(join(tmpdir(), 'restart-over-sidecar-'))
    env = {
      HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data'),
    }
  })

  afterEach(async () => {
    await sim.close()
    await receiver.close()
    await silent.close()
    rmSync(home, {force: true, recursive: true})
  })

  /** One watchdog on leaky-app: the same ticks, one at a time, then Ctrl-C. */
  async function watch(extra: string[]): Promise<WatchRun> {
    const tickTimes: number[] = []
    let interruptedAt = 0
    const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json', '--no-state-file', '--send-jitter', '1ms', ...extra], {
      env,
      timeoutMs: 90_000,
      async whileRunning(child) {
        if (!await waitFor(() => streamsOpened(sim) >= 2 || child.exited(), 20_000) || child.exited()) {
          throw new Error(`the watchdog did not start following the log: ${child.stderr()}`)
        }

        await sleep(300)
        for (let tick = 0; tick < TICKS; tick++) {
          sim.step()
          tickTimes.push(Date.now())
          await sleep(TICK_GAP_MS)
        }

        await sleep(300)
        interruptedAt = Date.now()
      },
    })
    const exitMs = Date.now() - interruptedAt
    const sent = deletes(sim)
    const tickOf = (time: number) => tickTimes.filter(at => at <= time).length
    return {
      deleteTicks: sent.map(restart => tickOf(restart.time)),
      exitMs,
      reactionsMs: sent.map(restart => restart.time - tickTimes[tickOf(restart.time) - 1]),
      result,
    }
  }

  /** A watchdog that stays up `ms` of wall-clock time with the simulated clock stopped. */
  function idleWatch(app: string, ms: number): Promise<CommandResult> {
    return runCommand(['mem:restart-over', '-a', app, '--threshold', '90%', '--json', '--no-state-file', '--notify', `${receiver.url}/hook`, '--blind-after', '1s'], {
      env,
      timeoutMs: 30_000,
      async whileRunning(child) {
        await waitFor(() => streamsOpened(sim) >= 2 || child.exited(), 20_000)
        await sleep(ms)
      },
    })
  }

  function expectSameRestarts(run: WatchRun, baseline: WatchRun, what: string, exitWithinMs = 6000): void {
    const {result} = run
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno), what).to.deep.equal(baseline.deleteTicks.map(() => 'web.2'))
    expect(run.deleteTicks, `${what}: the restarts went out after the same readings as without it`).to.deep.equal(baseline.deleteTicks)
    expect(Math.max(...run.reactionsMs), `${what}: reaction ${run.reactionsMs} ms`).to.be.below(TICK_GAP_MS)
    expect(jsonLines(result.stdout).filter(line => line.type === 'blind'), `${what}: never blind`).to.deep.equal([])
    // One history session and one tail: --record reads nothing more.
    expect(streamsOpened(sim), `${what}: log streams opened`).to.equal(2)
    expect(run.exitMs, `${what}: exit after Ctrl-C`).to.be.below(exitWithinMs)
  }

  let baseline: WatchRun | undefined
  /** The run without --record or --notify, once (the simulator is deterministic: same seed, same lines). */
  async function baselineRun(): Promise<WatchRun> {
    if (!baseline) {
      baseline = await watch([])
      expect(baseline.result.code, baseline.result.stderr).to.equal(0)
      // The leak crosses the threshold again after each restart: a restart every 5-minute cooldown.
      expect(baseline.deleteTicks).to.have.length(3)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2', 'web.2', 'web.2'])
      await sim.close()
      sim = await startSimulator({apps: [leaky()], tickMs: 0})
      env = {...env, HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url}
    }

    return baseline
  }

  it('store refused (Postgres down) and webhook answering 500: the same restarts, on the same readings; notes say what failed', async () => {
    const before = await baselineRun()
    receiver.answer = () => 500
    const run = await watch(['--record', '--store', 'postgres://mem:s3cret-pw@127.0.0.1:1/mem', '--notify', `${receiver.url}/hook/s3cret-hook`])
    expectSameRestarts(run, before, 'store refused, webhook 500')
    const notes = jsonLines(run.result.stdout).filter(line => line.type === 'note').map(line => String(line.message))
    expect(notes.some(note => /store not answering/.test(note)), notes.join('\n')).to.equal(true)
    expect(receiver.posts.some(post => post.body.kind === 'restart'), 'the restart alert was tried').to.equal(true)
    expect(run.result.stdout + run.result.stderr).not.to.match(/s3cret-hook|s3cret-pw/)
  })

  it('webhook hangs (never answers): the same restarts, on the same readings; Ctrl-C still ends the watchdog within seconds', async () => {
    const before = await baselineRun()
    receiver.answer = () => 'hang'
    const run = await watch(['--notify', `${receiver.url}/hook`])
    expect(receiver.posts.length, 'the alert was tried').to.be.above(0)
    expectSameRestarts(run, before, 'webhook hangs')
  })

  it('store hangs (a Postgres that accepts and never answers) and webhook answering 429: the same restarts, on the same readings', async () => {
    const before = await baselineRun()
    receiver.answer = () => 429
    const run = await watch(['--record', '--store', `postgres://mem@127.0.0.1:${silent.port}/mem`, '--notify', `${receiver.url}/hook`])
    expect(silent.connections, 'the store was tried').to.be.above(0)
    // The watchdog gives the store 3 s at exit; the connection attempt still open then ends at
    // pg's own 10 s connect timeout (src/store/postgres-driver.ts), which the process waits for.
    expectSameRestarts(run, before, 'store hangs, webhook 429', 15_000)
  })

  it('--record stores what the watchdog read (history and live) from its one stream; --notify posts the restart with the reading and threshold', async () => {
    const store = join(home, 'watch.sqlite')
    const run = await watch(['--record', '--store', store, '--notify', `${receiver.url}/hook`])
    expect(run.result.code, run.result.stderr).to.equal(0)
    expect(streamsOpened(sim)).to.equal(2)
    const opened = await openStore(store)
    const samples: number[] = []
    try {
      await opened.read('leaky-app', {}, event => {
        if (event.kind === 'memory') samples.push(event.time)
      })
    } finally {
      await opened.close()
    }

    const logged = sim.lines('leaky-app').filter(line => /heroku\[[\w.]+\]: source=\S+ dyno=\S+ .*sample#memory_rss=/.test(line))
    expect(samples.length, 'every sample the simulator logged').to.equal(logged.length)
    const restart = receiver.posts.find(post => post.body.kind === 'restart')
    expect(restart?.body).to.deep.include({
      action: 'trigger', app: 'leaky-app', dyno: 'web.2', severity: 'warning',
    })
    expect(restart?.body.details).to.include({run: 'heroku mem:report -a leaky-app -d web.2', threshold: '90%'})
  })

  it('--once --record (Heroku Scheduler): the recent log the decision read is stored, and the exit code is the decision\'s', async () => {
    sim.step(25)
    const store = join(home, 'once.sqlite')
    const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once', '--json', '--send-jitter', '1ms', '--record', '--store', store], {env})
    expect(result.code, result.stderr).to.equal(3)
    const opened = await openStore(store)
    let samples = 0
    try {
      await opened.read('leaky-app', {}, event => {
        if (event.kind === 'memory') samples++
      })
    } finally {
      await opened.close()
    }

    const logged = sim.lines('leaky-app').filter(line => /heroku\[[\w.]+\]: source=\S+ dyno=\S+ .*sample#memory_rss=/.test(line))
    expect(samples).to.equal(logged.length)
  })

  describe('--notify blind: a dead stream alerts, an app with no dyno running does not', () => {
    it('the log stream stalls while dynos run: one blind alert, naming the running dynos', async () => {
      sim.faults.streamStall = true
      const result = await idleWatch('leaky-app', 3000)
      expect(result.code, result.stderr).to.equal(0)
      const blind = receiver.posts.filter(post => post.body.kind === 'blind')
      expect(blind.map(post => post.body.action)).to.deep.equal(['trigger'])
      expect(blind[0].body.summary).to.match(/leaky-app: nothing read from the app's log for \d+ min \(2 dynos running\): the log stream looks dead/)
    })

    it('an app scaled to zero: no alert, a note that it is idle', async () => {
      await sim.close()
      sim = await startSimulator({apps: [{dynos: [], historyTicks: 5, name: 'idle-app'}], tickMs: 0})
      env = {...env, HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url}
      const result = await idleWatch('idle-app', 3000)
      expect(result.code, result.stderr).to.equal(0)
      expect(receiver.posts).to.deep.equal([])
      const notes = jsonLines(result.stdout).filter(line => line.type === 'note').map(line => String(line.message))
      expect(notes.filter(note => /no dyno is running/.test(note)), notes.join('\n')).to.have.length(1)
    })
  })
})
