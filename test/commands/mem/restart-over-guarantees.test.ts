/**
 * What the watchdog promises (docs/restart-over.md), each against the simulator with the fault
 * that used to break it injected, counting the restart requests (DELETEs) the simulator received.
 */
import {expect} from 'chai'
import {
  mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import type {AppScript, Simulator} from '../../simulator/server.js'

import {CommandResult, runCommand} from '../../helpers/run-command.js'
import {
  decisions, deletes, jsonLines, sleep, streamsOpened, tick, waitFor, watchLog,
} from '../../helpers/watchdog-sim.js'
import {startSimulator} from '../../simulator/server.js'

const MIN = 60_000

const leaky = (name = 'leaky-app'): AppScript => ({
  dynos: [
    {behavior: 'steady', name: 'web.1'},
    {behavior: 'leak', leakMbPerHour: 3000, name: 'web.2'},
  ],
  historyTicks: 20,
  name,
})

function writeState(path: string, policy: unknown): void {
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, JSON.stringify({
    app: 'leaky-app', policy, savedAt: '2026-11-30T00:00:00Z', version: 2,
  }))
}

describe('what mem:restart-over promises (faults injected in the simulator)', function () {
  this.timeout(60_000)
  let sim: Simulator
  let env: Record<string, string>
  let cacheHome: string

  async function start(apps: AppScript[]): Promise<void> {
    sim = await startSimulator({apps, tickMs: 0})
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, XDG_CACHE_HOME: cacheHome}
  }

  /** One watchdog following the live log; `drive` runs once it does; then Ctrl-C. `streams`: tails open before driving. */
  function watch(args: string[], drive: () => Promise<void>, streams = 2): Promise<CommandResult> {
    return watchLog(sim, env, args, drive, {startMs: 20_000, streams, timeoutMs: 50_000})
  }

  function statePath(app: string): string {
    return join(cacheHome, 'heroku-mem', 'restart-over', `${app}.json`)
  }

  beforeEach(() => {
    cacheHome = mkdtempSync(join(tmpdir(), 'restart-over-'))
  })

  afterEach(async () => {
    await sim?.close()
    rmSync(cacheHome, {force: true, recursive: true})
  })

  describe('1. at most one restart per decision, whatever the API answers', () => {
    for (const kind of ['reset-after-acting', '503-after-acting'] as const) {
      it(`${kind}: one DELETE, counted as the restart it was, never sent again`, async () => {
        await start([leaky()])
        sim.faults.restartAnswer = {kind}
        const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json'], async () => {
          await tick(sim, 40, () => deletes(sim).length > 0)
          await waitFor(() => false, 1500)
          await tick(sim, 12)
        })
        expect(result.code, result.stderr).to.equal(0)
        expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
        const summary = jsonLines(result.stdout).find(line => line.type === 'summary')!
        expect((summary.restarted as unknown[]).length, 'the summary counts the restart').to.equal(1)
      })
    }

    it('two watchdogs on one app: one DELETE of the dyno (each reads the dyno before sending)', async () => {
      await start([leaky()])
      let done = false
      // A random wait of up to 3 s before each restart: the two read the dyno far enough apart.
      const args = ['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json', '--no-state-file', '--send-jitter', '3s']
      const other = runCommand(args, {env, timeoutMs: 50_000, whileRunning: () => waitFor(() => done, 40_000).then(() => {})})
      const result = await runCommand(args, {
        env,
        timeoutMs: 50_000,
        async whileRunning() {
          await waitFor(() => streamsOpened(sim) >= 4, 20_000)
          // Slow ticks: the random waits must not span simulated hours (the leak would crash the dyno meanwhile).
          for (let index = 0; index < 25 && deletes(sim).length === 0; index++) {
            sim.step()
            await sleep(150)
          }

          await waitFor(() => false, 3500)
          await tick(sim, 10)
          done = true
          await sleep(150)
        },
      })
      const second = await other
      expect(result.code, result.stderr).to.equal(0)
      expect(second.code, second.stderr).to.equal(0)
      const skipped = [...decisions(result.stdout), ...decisions(second.stdout)].filter(decision => decision.action === 'skip')
      const seen = `skipped: ${JSON.stringify(skipped.map(decision => [decision.time, decision.reason]))}`
      expect(deletes(sim).map(restart => restart.dyno), seen).to.deep.equal(['web.2'])
      // The second one learns of the first one's restart by reading the dyno (or, later, from its new instance).
      expect(skipped.map(decision => decision.dyno), seen).to.deep.equal(['web.2'])
      expect(skipped[0].reason, seen).to.be.oneOf(['restarted-meanwhile', 'under'])
    })
  })

  it('2. every guard holds at send time: a restart held by a 429 is dropped when the platform restarted the dyno meanwhile', async () => {
    await start([leaky()])
    sim.faults.status429 = {count: 1, pathPattern: '^DELETE /apps/[^/]+/dynos/', retryAfterSeconds: 2}
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json'], async () => {
      await tick(sim, 40, () => deletes(sim).length > 0)
      sim.platformRestart('leaky-app', 'web.2')
      await tick(sim, 4)
      await sleep(2500)
      await tick(sim, 4)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno), 'only the refused one').to.deep.equal(['web.2'])
    expect(sim.restarts('leaky-app')).to.deep.equal([])
    const dropped = decisions(result.stdout).find(decision => decision.action === 'skip' && decision.dyno === 'web.2')
    expect(dropped?.reason).to.be.oneOf(['under', 'restarted-meanwhile'])
    expect(dropped?.message).to.match(/not sent/)
  })

  describe('3. no request can stall the watchdog', () => {
    const twoTypes: AppScript = {
      dynos: [{behavior: 'leak', leakMbPerHour: 3000, name: 'web.1'}, {behavior: 'leak', leakMbPerHour: 2600, name: 'worker.1'}],
      historyTicks: 20,
      name: 'two-types',
    }

    it('a hung restart answer ends at the deadline and holds up no other dyno\'s restart', async () => {
      await start([twoTypes])
      sim.faults.restartAnswer = {count: 1, kind: 'hang'}
      const result = await watch(['-a', 'two-types', '--threshold', '90%', '--cooldown', '5m', '--request-timeout', '3s', '--json'], async () => {
        await tick(sim, 60, () => deletes(sim).length >= 2)
        await sleep(3500)
        await tick(sim, 5)
      })
      expect(result.code, result.stderr).to.equal(0)
      const sent = deletes(sim)
      expect(sent.map(restart => restart.dyno).sort()).to.deep.equal(['web.1', 'worker.1'])
      expect(sent[1].time - sent[0].time, 'the second restart did not wait for the hung one').to.be.below(2500)
      expect(jsonLines(result.stdout).find(line => line.type === 'summary')!.restarted).to.have.length(2)
    })

    it('a trickling answer: Ctrl-C ends the watchdog within seconds, with the restart counted and saved', async () => {
      await start([leaky()])
      sim.faults.restartAnswer = {kind: 'trickle'}
      let interruptedAt = 0
      const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--request-timeout', '60s', '--json'], async () => {
        await tick(sim, 40, () => deletes(sim).length > 0)
        await sleep(500)
        interruptedAt = Date.now() + 150
      })
      expect(Date.now() - interruptedAt, 'exit after Ctrl-C').to.be.below(4500)
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim)).to.have.length(1)
      const saved = JSON.parse(readFileSync(statePath('leaky-app'), 'utf8'))
      expect(saved.policy.watchdogRestarts).to.have.length(1)
    })
  })

  describe('4. never blind without saying so', () => {
    it('a live stream that stays open and silent is reopened, with a blind notice, and the leak is still caught', async () => {
      await start([leaky()])
      const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--stall-timeout', '1s', '--json'], async () => {
        sim.faults.streamStall = true
        await tick(sim, 3)
        await waitFor(() => streamsOpened(sim) >= 3, 5000)
        sim.faults.streamStall = false
        await waitFor(() => streamsOpened(sim) >= 4, 8000)
        await tick(sim, 50, () => deletes(sim).length > 0)
        await tick(sim, 3)
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
      const blind = jsonLines(result.stdout).filter(line => line.type === 'blind')
      expect(blind[0]).to.include({blind: true})
      expect(blind.at(-1)).to.include({blind: false})
      expect(jsonLines(result.stdout).some(line => line.event === 'stalled')).to.equal(true)
    })

    it('--once that gets a 200 which is not an event stream exits 1 with one line, never 0', async () => {
      await start([leaky()])
      sim.faults.notEventStream = true
      const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once'], {env})
      expect(result.code).to.equal(1)
      expect(result.stderr.trim().split('\n')).to.have.length(1)
      expect(result.stderr).to.match(/not an event stream/)
      expect(deletes(sim)).to.deep.equal([])
    })

    it('--once whose log stream connection is refused (no reading from the up dynos) exits 1 with one line', async () => {
      await start([leaky()])
      sim.faults.streamRefused = true
      const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once'], {env, timeoutMs: 40_000})
      expect(result.code).to.equal(1)
      expect(result.stderr.trim().split('\n')).to.have.length(1)
      // The log reader names the cause (the unread-dyno check behind it is in test/core/watchdog/policy.test.ts).
      expect(result.stderr).to.match(/log stream for leaky-app could not be reached/)
    })
  })

  it('5. the loop breaker acts only on evidence: spikes soon after boot, never restarted by the watchdog, break nothing', async () => {
    await start([{
      dynos: [{behavior: 'spike', name: 'web.1', spikeMb: 600}], historyTicks: 3, name: 'young-spiky',
    }])
    const args = ['-a', 'young-spiky', '--threshold', '90%', '--for', '1', '--cooldown', '30m', '--loop-window', '30m', '--loop-limit', '2', '--json']
    const result = await watch(args, () => tick(sim, 70))
    expect(result.code, result.stderr).to.equal(0)
    const spikes = decisions(result.stdout).filter(decision => decision.reason === 'cooldown')
    expect(spikes.length, 'the dyno crossed during its cooldown after boot').to.be.greaterThan(0)
    expect(decisions(result.stdout).filter(decision => decision.reason === 'loop-breaker')).to.deep.equal([])
    const saved = JSON.parse(readFileSync(statePath('young-spiky'), 'utf8'))
    expect(saved.policy.dynos['web.1']?.broken ?? false).to.equal(false)
  })

  describe('6. one bad timestamp moves nothing', () => {
    it('a platform line dated a day ahead neither holds the dyno in cooldown nor reaches the state file', async () => {
      await start([leaky()])
      sim.faults.futureLine = {aheadMs: 24 * 60 * MIN, dyno: 'web.2', message: 'Restarting'}
      const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '10m', '--json'], async () => {
        await tick(sim, 40, () => deletes(sim).length > 0)
        await sleep(300)
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
      const saved = JSON.parse(readFileSync(statePath('leaky-app'), 'utf8'))
      const times = Object.values(saved.policy.dynos as Record<string, {restarts: Array<{at: number}>}>).flatMap(dyno => dyno.restarts.map(mark => mark.at))
      expect(Math.max(...times)).to.be.below(sim.now() + MIN)
    })

    it('--once: a dyno whose clock runs minutes ahead does not make another look stale', async () => {
      await start([{
        dynos: [{behavior: 'boot-over', name: 'worker.1'}, {behavior: 'steady', name: 'web.1'}], historyTicks: 30, name: 'skewed-app',
      }])
      sim.faults.clockOffsetMs = {'web.1': 5 * MIN}
      sim.step(12)
      const result = await runCommand(['mem:restart-over', '-a', 'skewed-app', '--threshold', '90%', '--cooldown', '1m', '--once', '--json', '--send-jitter', '1ms'], {env})
      expect(result.code, result.stderr).to.equal(3)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['worker.1'])
    })

    it('a dyno whose clock steps back keeps being watched', async () => {
      await start([leaky()])
      const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '10m', '--json'], async () => {
        await tick(sim, 3)
        sim.faults.clockOffsetMs = {'web.2': -30 * MIN}
        await tick(sim, 40, () => deletes(sim).length > 0)
        await sleep(300)
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
    })
  })

  describe('7. the state file cannot break a run', () => {
    const once = ['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once', '--json', '--send-jitter', '1ms']

    it('a field of the wrong type: ignored with a note naming the file and the field, the run goes on, the file is rewritten', async () => {
      await start([leaky()])
      sim.step(25)
      writeState(statePath('leaky-app'), {dynos: {'web.2': {broken: false, relapses: 0, restarts: 'often'}}, watchdogRestarts: []})
      const result = await runCommand(once, {env})
      expect(result.code, result.stderr).to.equal(3)
      const note = jsonLines(result.stdout).find(line => line.type === 'note')
      expect(note?.message).to.include(statePath('leaky-app')).and.match(/policy\.dynos\["web\.2"\]/)
      expect(result.stderr).to.not.match(/TypeError|\n\s+at /)
      const rewritten = JSON.parse(readFileSync(statePath('leaky-app'), 'utf8'))
      expect(rewritten.policy.dynos['web.2'].restarts).to.be.an('array')
    })

    it('a restart dated 2100 is ignored with a note, and does not hold the dyno', async () => {
      await start([leaky()])
      sim.step(25)
      const in2100 = Date.UTC(2100, 0, 1)
      writeState(statePath('leaky-app'), {
        dynos: {
          'web.2': {
            broken: false, relapseGaps: [], relapses: 0, restartedByWatchdog: true, restarts: [{at: in2100, cause: 'watchdog'}],
          },
        },
        watchdogRestarts: [in2100],
      })
      const result = await runCommand(once, {env})
      expect(result.code, result.stderr).to.equal(3)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
      expect(jsonLines(result.stdout).filter(line => line.type === 'note').map(line => line.message).join('\n')).to.match(/2100-01-01.* in the future/)
    })
  })
})
