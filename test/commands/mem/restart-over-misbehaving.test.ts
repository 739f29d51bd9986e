/**
 * mem:restart-over against a Heroku that misbehaves in ways the platform can (docs/restart-over.md,
 * "When Heroku misbehaves"): each fault is named in test/simulator/server.ts; each test counts the
 * restart requests (DELETEs) the simulator received, and checks the watchdog never looks healthy
 * while blind and never reports "nothing over" about dynos it could not read.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AppScript, Simulator} from '../../simulator/server.js'

import {CommandResult, runCommand} from '../../helpers/run-command.js'
import {
  decisions, deletes, type Json, jsonLines, sleep, streamsOpened, tick, waitFor, watchLog,
} from '../../helpers/watchdog-sim.js'
import {startSimulator} from '../../simulator/server.js'

const leaky = (): AppScript => ({
  dynos: [
    {behavior: 'steady', name: 'web.1'},
    {behavior: 'leak', leakMbPerHour: 3000, name: 'web.2'},
  ],
  historyTicks: 20,
  name: 'leaky-app',
})

const WATCH = ['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '10m', '--json']
const ONCE = ['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once', '--json', '--send-jitter', '1ms']

function summaryOf(result: CommandResult): Json {
  return jsonLines(result.stdout).find(line => line.type === 'summary')!
}

function dynoListReads(sim: Simulator): number {
  return sim.requests.filter(request => request.method === 'GET' && request.path === '/apps/leaky-app/dynos').length
}

function blindSaid(stdout: string): boolean {
  return jsonLines(stdout).some(line => line.type === 'blind')
}

function skips(result: CommandResult): Json[] {
  return decisions(result.stdout).filter(decision => decision.action === 'skip')
}

describe('mem:restart-over when Heroku misbehaves (faults injected in the simulator)', function () {
  this.timeout(90_000)
  let sim: Simulator
  let env: Record<string, string>
  let cacheHome: string

  async function start(apps: AppScript[] = [leaky()]): Promise<void> {
    sim = await startSimulator({apps, tickMs: 0})
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, XDG_CACHE_HOME: cacheHome}
  }

  /** One watchdog following the live log; `drive` runs once it does (`streams` opened), given its output so far; then Ctrl-C. */
  function watch(args: string[], drive: (stdout: () => string) => Promise<void>, streams = 2): Promise<CommandResult> {
    return watchLog(sim, env, args, drive, {streams})
  }

  /** Ticks until the first DELETE, waits for its answer, then `more` ticks with the dyno still leaking. */
  async function untilRestartThen(more: number): Promise<void> {
    await tick(sim, 40, () => deletes(sim).length > 0)
    await sleep(800)
    await tick(sim, more)
  }

  beforeEach(() => {
    cacheHome = mkdtempSync(join(tmpdir(), 'restart-over-misbehaving-'))
  })

  afterEach(async () => {
    await sim?.close()
    rmSync(cacheHome, {force: true, recursive: true})
  })

  describe('restart answers', () => {
    for (const kind of ['200-with-body', '204'] as const) {
      it(`${kind}: one DELETE, a confirmed restart`, async () => {
        await start()
        sim.faults.restartAnswer = {kind}
        const result = await watch(WATCH, () => untilRestartThen(6))
        expect(result.code, result.stderr).to.equal(0)
        expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
        expect(summaryOf(result).restarted).to.have.length(1)
        expect(decisions(result.stdout).some(decision => decision.action === 'up' && decision.dyno === 'web.2')).to.equal(true)
      })
    }

    it('422 (the platform refused): one DELETE, a skip naming the error, not sent again within the cooldown though still over', async () => {
      await start()
      sim.faults.restartAnswer = {kind: '422'}
      const result = await watch(WATCH, () => untilRestartThen(10))
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim)).to.have.length(1)
      expect(skips(result)[0]).to.include({dyno: 'web.2', reason: 'failed'})
      expect(skips(result)[0].message).to.match(/422/)
      expect(summaryOf(result).restarted).to.deep.equal([])
    })

    it('reset-before-acting: one DELETE counted as a restart (it may have happened), never sent again within the cooldown', async () => {
      await start()
      sim.faults.restartAnswer = {kind: 'reset-before-acting'}
      const result = await watch(WATCH, () => untilRestartThen(10))
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim)).to.have.length(1)
      expect(sim.restarts('leaky-app')).to.deep.equal([])
      expect(decisions(result.stdout).find(decision => decision.action === 'sent')).to.include({dyno: 'web.2', reason: 'unconfirmed'})
    })

    it('404 for a dyno the dyno list still shows: one DELETE, held for a cooldown, not one every refresh of the list', async () => {
      await start()
      sim.faults.restartAnswer = {kind: '404'}
      const result = await watch(WATCH, async () => {
        await tick(sim, 40, () => deletes(sim).length > 0)
        // The dyno list is refreshed at most every 30 s: it shows web.2 again.
        await waitFor(() => dynoListReads(sim) >= 2, 40_000)
        await sleep(1000)
        await tick(sim, 3)
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim)).to.have.length(1)
      expect(skips(result)[0]).to.include({dyno: 'web.2', reason: 'not-found'})
    })
  })

  describe('the dyno read before a restart', () => {
    for (const [fault, shown] of [['crashed', /is crashed, not up/], ['html', /not this dyno/], ['other-dyno', /not this dyno/]] as const) {
      it(`${fault}: no DELETE, a skip that says what the read showed`, async () => {
        await start()
        sim.faults.dynoRead = fault
        const result = await watch(WATCH, async stdout => {
          await tick(sim, 40, () => skips({code: 0, stderr: '', stdout: stdout()}).length > 0)
          await tick(sim, 3)
        })
        expect(result.code, result.stderr).to.equal(0)
        expect(deletes(sim)).to.deep.equal([])
        const skipped = skips(result)
        expect(skipped[0]).to.include({dyno: 'web.2', reason: 'failed'})
        expect(skipped[0].message).to.match(shown)
      })
    }
  })

  describe('the dyno list', () => {
    it('--once: dynos listed without a state and a log with no line: exit 1 naming them, never "nothing over"', async () => {
      await start()
      sim.faults.dynoList = 'no-state'
      sim.faults.streamEmpty = true
      const result = await runCommand(ONCE, {env})
      expect(result.code, result.stdout).to.equal(1)
      expect(result.stderr.trim().split('\n')).to.have.length(1)
      expect(result.stderr).to.match(/no memory reading from web\.1, web\.2/)
      expect(deletes(sim)).to.deep.equal([])
    })

    it('--once: a dyno list that is not a list (a 200 HTML page) is a one-line error, exit 1', async () => {
      await start()
      sim.faults.dynoList = 'not-a-list'
      const result = await runCommand(ONCE, {env})
      expect(result.code, result.stdout).to.equal(1)
      expect(result.stderr.trim().split('\n')).to.have.length(1)
      expect(result.stderr).to.match(/dyno(s| list of leaky-app) with something that is not (JSON|a list)/)
      expect(deletes(sim)).to.deep.equal([])
    })

    it('a big dyno (Performance-L) whose samples carry no quota and whose size the list leaves out: a % threshold restarts nothing', async () => {
      // As if from the Dev Center's example line (no memory_quota): 512 MB would only be a guess.
      await start([{
        dynos: [{
          baseMb: 300, behavior: 'leak', leakMbPerHour: 3000, name: 'web.1', size: 'Performance-L',
        }], historyTicks: 0, name: 'leaky-app',
      }])
      // From the first sample on: a quota stated once is known from then on.
      sim.faults.samplesWithoutQuota = true
      sim.faults.dynoList = 'no-size'
      const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '1m', '--json'], async stdout => {
        await tick(sim, 30, () => stdout().includes('unknown-quota') || deletes(sim).length > 0)
        await tick(sim, 3)
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(deletes(sim)).to.deep.equal([])
      expect(decisions(result.stdout).find(decision => decision.action === 'hold')).to.include({dyno: 'web.1', reason: 'unknown-quota'})
    })

    it('--once: an empty dyno list restarts nothing and says the dyno is over but not restarted (exit 4)', async () => {
      await start()
      sim.step(25)
      sim.faults.dynoList = 'empty'
      const result = await runCommand(ONCE, {env})
      expect(result.code, result.stderr).to.equal(4)
      expect(deletes(sim)).to.deep.equal([])
      expect(decisions(result.stdout).find(decision => decision.dyno === 'web.2')).to.include({action: 'hold', reason: 'not-in-dyno-list'})
    })
  })

  describe('the log stream', () => {
    it('keepalives only: stalled and blind (said once), and the leak is caught once lines come again', async () => {
      await start()
      let blindWhileKeptAlive = false
      const result = await watch([...WATCH, '--stall-timeout', '1s'], async stdout => {
        sim.faults.streamKeepaliveOnly = true
        for (let index = 0; index < 16 && !blindSaid(stdout()); index++) {
          sim.step()
          await sleep(250)
        }

        blindWhileKeptAlive = blindSaid(stdout())
        sim.faults.streamKeepaliveOnly = false
        await waitFor(() => streamsOpened(sim) >= 4, 10_000)
        await tick(sim, 50, () => deletes(sim).length > 0)
        await tick(sim, 3)
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(blindWhileKeptAlive, 'blind said while only keepalives came').to.equal(true)
      const blind = jsonLines(result.stdout).filter(line => line.type === 'blind')
      expect(blind[0]).to.include({blind: true})
      expect(blind.at(-1)).to.include({blind: false})
      expect(jsonLines(result.stdout).some(line => line.event === 'stalled')).to.equal(true)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
    })

    it('a stream that opens and ends at once, again and again: blind until log lines come, never "seeing" in between', async () => {
      await start()
      const result = await watch(WATCH, async () => {
        sim.faults.streamEmpty = true
        await tick(sim, 2)
        await waitFor(() => streamsOpened(sim) >= 6, 20_000)
        sim.faults.streamEmpty = false
        await waitFor(() => streamsOpened(sim) >= 7, 20_000)
        await tick(sim, 3)
      })
      expect(result.code, result.stderr).to.equal(0)
      const blind = jsonLines(result.stdout).filter(line => line.type === 'blind').map(line => line.blind)
      expect(blind).to.deep.equal([true, false])
    })

    it('a log-session request that never ends: given up at the deadline, blind said, then the leak is caught with one DELETE', async () => {
      await start()
      const result = await watch(WATCH, async stdoutSoFar => {
        // The stream is cut once; the request for the next session never ends.
        sim.faults.hang = {count: 1, pathPattern: '^POST /apps/leaky-app/log-sessions$'}
        sim.faults.dropStreamAfterLines = 1
        await tick(sim, 1)
        await waitFor(() => stdoutSoFar().includes('"reconnecting"'), 10_000)
        sim.faults.dropStreamAfterLines = undefined
        await waitFor(() => blindSaid(stdoutSoFar()), 30_000)
        await waitFor(() => streamsOpened(sim) >= 3, 20_000)
        await tick(sim, 50, () => deletes(sim).length > 0)
        await tick(sim, 3)
      })
      expect(result.code, result.stderr).to.equal(0)
      const blind = jsonLines(result.stdout).find(line => line.type === 'blind')
      expect(blind?.reason).to.match(/could not open a log session: no complete answer within 20s/)
      expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
    })
  })

  it('Ctrl-C while a log-session request hangs: exits 0 within seconds, not at the request\'s deadline', async () => {
    await start()
    let interruptedAt = 0
    const result = await watch(WATCH, async stdout => {
      sim.faults.hang = {pathPattern: '^POST /apps/leaky-app/log-sessions$'}
      sim.faults.dropStreamAfterLines = 1
      await tick(sim, 1)
      await waitFor(() => stdout().includes('"reconnecting"'), 10_000)
      await sleep(1000)
      interruptedAt = Date.now() + 150
    })
    expect(Date.now() - interruptedAt, 'exit after Ctrl-C').to.be.below(5000)
    expect(result.code, result.stderr).to.equal(0)
    expect(summaryOf(result)).to.include({type: 'summary'})
  })

  it('the app deleted (or renamed) mid-run: no DELETE, and the next dyno list stops the watchdog in one line, exit 1', async () => {
    await start()
    const result = await watch(WATCH, async stdout => {
      sim.faults.appDeleted = true
      await tick(sim, 40, () => stdout().includes('"skip"'))
      // The dyno list is read again at most every 30 s; not Ctrl-C: it must end by itself.
      await waitFor(() => false, 36_000)
    })
    expect(result.code, result.stdout).to.equal(1)
    expect(result.stderr.trim().split('\n')).to.have.length(1)
    expect(result.stderr).to.match(/Couldn't find app leaky-app/)
    expect(deletes(sim)).to.deep.equal([])
  })

  it('token revoked mid-run: one line naming heroku login, exit 1, no DELETE', async () => {
    await start()
    const result = await watch(WATCH, async stdout => {
      sim.faults.tokenRevoked = true
      await tick(sim, 40, () => stdout().includes('"restart"'))
      // Not Ctrl-C: it must end by itself (within a few seconds: the log stream's client keeps a 3 s timer).
      await waitFor(() => false, 6000)
    })
    expect(result.code).to.equal(1)
    expect(result.stderr.trim().split('\n').filter(line => !line.startsWith('watching'))).to.have.length(1)
    expect(result.stderr).to.match(/heroku login/)
    expect(deletes(sim)).to.deep.equal([])
  })
})
