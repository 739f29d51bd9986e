import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {WatchdogOutput} from '../../../src/core/ports/watchdog-output.js'
import type {AppScript, Simulator} from '../../simulator/server.js'

import WatchdogCommand from '../../../src/commands/mem/restart-over.js'
import {LogParser} from '../../../src/core/parse/index.js'
import {RestartPolicy} from '../../../src/core/watchdog/policy.js'
import {parseThresholds} from '../../../src/core/watchdog/threshold.js'
import {HerokuApi} from '../../../src/heroku/api.js'
import {ONCE_EXIT, WatchdogRun} from '../../../src/stream/watchdog-run.js'
import {CommandResult, runCommand} from '../../helpers/run-command.js'
import {scenario} from '../../simulator/scenarios.js'
import {startSimulator} from '../../simulator/server.js'

const MIN = 60_000

type Json = Record<string, unknown>

function jsonLines(stdout: string): Json[] {
  return stdout.split('\n').filter(Boolean).map(line => JSON.parse(line) as Json)
}

function decisions(stdout: string): Json[] {
  return jsonLines(stdout).filter(line => line.type === 'decision')
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms)
  })
}

/** `DELETE /apps/{app}/dynos/{dyno}` requests that reached the simulator, in order. */
function deletes(sim: Simulator): Array<{dyno: string; time: number}> {
  return sim.requests
  .filter(request => request.method === 'DELETE' && /^\/apps\/[^/]+\/dynos\/[^/]+$/.test(request.path))
  .map(request => ({dyno: decodeURIComponent(request.path.split('/').at(-1)!), time: request.time}))
}

/** Simulated times of a platform message for a dyno, from the simulator's own log. */
function logTimes(sim: Simulator, app: string, dyno: string, message: string): number[] {
  const times: number[] = []
  for (const line of sim.lines(app)) {
    const space = line.indexOf(' ')
    if (line.slice(space + 1).startsWith(`heroku[${dyno}]: ${message}`)) times.push(Date.parse(line.slice(0, space)))
  }

  return times
}

/** Steps the simulated clock one tick at a time, giving the watchdog a moment to react to each. */
async function tick(sim: Simulator, ticks: number, until?: () => boolean): Promise<void> {
  for (let index = 0; index < ticks; index++) {
    if (until?.()) return
    sim.step()
    await sleep(12)
  }
}

describe('heroku mem:restart-over (end to end against the simulator)', function () {
  this.timeout(60_000)
  let sim: Simulator
  let env: Record<string, string>
  let cacheHome: string

  async function start(apps: AppScript[]): Promise<void> {
    sim = await startSimulator({apps, tickMs: 0})
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, XDG_CACHE_HOME: cacheHome}
  }

  /** Runs the watchdog in watch mode; `drive` runs once it follows the live log; then Ctrl-C. */
  function watch(args: string[], drive: () => Promise<void>, options: {closeStdoutAfter?: number} = {}): Promise<CommandResult> {
    // No random wait before a restart: the simulated clock moves a tick every 12 ms.
    return runCommand(['mem:restart-over', ...args, '--send-jitter', '1ms'], {
      ...options,
      env,
      timeoutMs: 90_000,
      async whileRunning(child) {
        // The history session, then the tail: two streams opened.
        for (let waited = 0; sim.requests.filter(request => request.path.startsWith('/streams/')).length < 2; waited += 20) {
          if (waited > 20_000 || child.exited()) throw new Error(`the watchdog did not start following the log: ${child.stderr()}`)
          await sleep(20)
        }

        await drive()
        await sleep(150)
      },
    })
  }

  beforeEach(() => {
    cacheHome = mkdtempSync(join(tmpdir(), 'restart-over-'))
  })

  afterEach(async () => {
    await sim?.close()
    rmSync(cacheHome, {force: true, recursive: true})
  })

  const leaky: AppScript = {
    dynos: [
      {behavior: 'steady', name: 'web.1'},
      {behavior: 'leak', leakMbPerHour: 3000, name: 'web.2'},
      {behavior: 'steady', baseMb: 150, name: 'worker.1'},
    ],
    historyTicks: 20,
    name: 'leaky-app',
  }

  it('restarts a leaking dyno and never a steady one; Ctrl-C prints a summary and exits 0', async () => {
    await start([leaky])
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json'], async () => {
      await tick(sim, 40, () => deletes(sim).length > 0)
      await tick(sim, 10)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
    const restart = decisions(result.stdout).find(decision => decision.action === 'restart')
    expect(restart).to.include({
      dyno: 'web.2', for: 2, limit_mb: 460.8, quota_mb: 512, reason: 'over', threshold: '90%',
    })
    expect(restart!.used_mb as number).to.be.greaterThan(460.8)
    expect(decisions(result.stdout).filter(decision => decision.dyno !== 'web.2')).to.deep.equal([])
    const summary = jsonLines(result.stdout).find(line => line.type === 'summary')
    expect(summary).to.deep.include({watched: 3})
    // The restart's time is when it went out: at or after the decision.
    expect((summary!.restarted as Json[]).map(restarted => restarted.dyno)).to.deep.equal(['web.2'])
    expect(Date.parse((summary!.restarted as Json[])[0].time as string)).to.be.at.least(Date.parse(restart!.time as string))
  })

  it('keeps watching, and restarts, after its stdout reader has gone (mem:restart-over --json | head -1)', async () => {
    await start([leaky])
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json'], async () => {
      await tick(sim, 40, () => deletes(sim).length > 0)
      await tick(sim, 10)
    }, {closeStdoutAfter: 1})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.not.match(/Error|EPIPE/)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.2'])
  })

  it('makes no restart in a dry run, and prints the decision it would make', async () => {
    await start([leaky])
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--dry-run'], () => tick(sim, 40))
    expect(result.code, result.stderr).to.equal(0)
    expect(sim.requests.filter(request => request.method === 'DELETE')).to.deep.equal([])
    expect(result.stdout).to.match(/web\.2 .* hold +dry run: would restart \(over 90% \(461MB\) for \d+ readings\)/)
  })

  it('holds the cooldown between two restarts of a dyno', async () => {
    await start([leaky])
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '10m', '--json'], () => tick(sim, 80))
    expect(result.code, result.stderr).to.equal(0)
    const restarts = logTimes(sim, 'leaky-app', 'web.2', 'Restarting')
    expect(restarts.length).to.be.within(2, 3)
    for (let index = 1; index < restarts.length; index++) expect(restarts[index] - restarts[index - 1]).to.be.at.least(10 * MIN)
    expect(decisions(result.stdout).some(decision => decision.action === 'hold' && decision.reason === 'cooldown')).to.equal(true)
  })

  it('restarts three leaking dynos of one type one at a time, each after the previous one is up', async () => {
    const dynos = ['web.1', 'web.2', 'web.3']
    await start([{
      dynos: dynos.map(name => ({behavior: 'leak', leakMbPerHour: 3000, name})), historyTicks: 20, name: 'three-leaks',
    }])
    const result = await watch(['-a', 'three-leaks', '--threshold', '90%', '--cooldown', '5m', '--json'], async () => {
      await tick(sim, 60, () => deletes(sim).length === 3)
      await tick(sim, 2)
    })
    expect(result.code, result.stderr).to.equal(0)
    const order = deletes(sim).map(restart => restart.dyno)
    expect([...order].sort()).to.deep.equal(dynos)
    for (let index = 1; index < order.length; index++) {
      const previousUp = logTimes(sim, 'three-leaks', order[index - 1], 'State changed from starting to up').at(-1)!
      const next = logTimes(sim, 'three-leaks', order[index], 'Restarting')[0]
      expect(next, `${order[index]} restarted before ${order[index - 1]} was up`).to.be.greaterThan(previousUp)
    }

    expect(decisions(result.stdout).filter(decision => decision.reason === 'max-parallel').length).to.be.at.least(2)
  })

  it('does not restart again for the old instance\'s samples during the preboot overlap', async () => {
    await start([{
      dynos: [{behavior: 'leak', leakMbPerHour: 3000, name: 'web.1'}, {behavior: 'steady', name: 'web.2'}], historyTicks: 10, name: 'preboot-leak', preboot: true,
    }])
    const result = await watch(['-a', 'preboot-leak', '--threshold', '90%', '--for', '1', '--cooldown', '1s', '--loop-limit', '100', '--json'], async () => {
      await tick(sim, 60, () => deletes(sim).length > 0)
      // The old instance logs for 9 more ticks, over the threshold; the new one starts low.
      await tick(sim, 12)
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.1'])
    const oldInstance = decisions(result.stdout).find(decision => decision.action === 'restart')!.instance
    const oldSamples = sim.lines('preboot-leak').filter(line => line.includes(`dyno=${oldInstance} sample#memory_total`))
    expect(oldSamples.length, 'the old instance kept logging after the restart').to.be.greaterThan(5)
    expect(decisions(result.stdout).find(decision => decision.action === 'up')).to.include({by: 'watchdog', dyno: 'web.1'})
  })

  it('waits out a 429 on the first restart and makes it later, without losing it', async () => {
    await start([leaky])
    sim.faults = {status429: {count: 1, pathPattern: '^DELETE /apps/[^/]+/dynos/', retryAfterSeconds: 1}}
    const result = await watch(['-a', 'leaky-app', '--threshold', '90%', '--cooldown', '5m', '--json'], async () => {
      await tick(sim, 40, () => deletes(sim).length > 0)
      for (let waited = 0; deletes(sim).length < 2 && waited < 5000; waited += 50) await sleep(50)
    })
    expect(result.code, result.stderr).to.equal(0)
    const attempts = deletes(sim)
    expect(attempts.map(attempt => attempt.dyno)).to.deep.equal(['web.2', 'web.2'])
    expect(attempts[1].time - attempts[0].time).to.be.at.least(900)
    expect(sim.restarts('leaky-app').map(restart => restart.dyno)).to.deep.equal(['web.2'])
  })

  it('stops restarting a dyno that is over its quota from boot: the loop breaker', async () => {
    await start([scenario('boot-over')])
    const result = await watch(['-a', 'boot-over-app', '--threshold', '90%', '--cooldown', '1m', '--json'], () => tick(sim, 60))
    expect(result.code, result.stderr).to.equal(0)
    const restarts = deletes(sim)
    expect(restarts.length).to.be.within(1, 3)
    expect(restarts.every(restart => restart.dyno === 'worker.1')).to.equal(true)
    const breaker = decisions(result.stdout).find(decision => decision.reason === 'loop-breaker')
    expect(breaker).to.include({action: 'hold', dyno: 'worker.1'})
    expect(breaker!.message).to.match(/restarts do not help: over again [\d.]+ min(, [\d.]+ min)* after each of the last \d restarts/)
    // Nothing after the breaker engaged, though the dyno stayed over its quota for the rest of the run.
    const engaged = Date.parse(breaker!.time as string)
    expect(logTimes(sim, 'boot-over-app', 'worker.1', 'Restarting').filter(time => time > engaged)).to.deep.equal([])
    expect(logTimes(sim, 'boot-over-app', 'worker.1', 'Error R14').filter(time => time > engaged + (10 * MIN)).length).to.be.greaterThan(5)
  })

  it('--once twice in a row: the second run keeps the cooldown, from the platform alone (no state file)', async () => {
    await start([{dynos: [{behavior: 'boot-over', name: 'worker.1'}, {behavior: 'steady', name: 'web.1'}], historyTicks: 200, name: 'scheduled-app'}])
    const args = ['mem:restart-over', '-a', 'scheduled-app', '--threshold', '90%', '--cooldown', '30m', '--loop-limit', '10', '--once', '--no-state-file', '--json', '--send-jitter', '1ms']
    const first = await runCommand(args, {env})
    expect(first.code, first.stderr).to.equal(ONCE_EXIT.restarted)
    expect(decisions(first.stdout).map(decision => `${decision.dyno} ${decision.action}`)).to.deep.equal(['web.1 ok', 'worker.1 restart'])
    sim.step(6)
    const second = await runCommand(args, {env})
    expect(second.code, second.stderr).to.equal(ONCE_EXIT.overNotRestarted)
    expect(decisions(second.stdout).find(decision => decision.dyno === 'worker.1')).to.include({action: 'hold', reason: 'cooldown'})
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['worker.1'])
  })

  it('--once exits 0 when nothing is over, and 4 in a dry run over the threshold', async () => {
    await start([scenario('steady'), leaky])
    const calm = await runCommand(['mem:restart-over', '-a', 'steady-app', '--threshold', '90%', '--once'], {env})
    expect(calm.code, calm.stderr).to.equal(ONCE_EXIT.nothingOver)
    expect(calm.stdout).to.match(/web\.1 .* ok +under 90% \(461MB\)/)
    sim.step(20)
    const dry = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once', '--dry-run'], {env})
    expect(dry.code, dry.stderr).to.equal(ONCE_EXIT.overNotRestarted)
    expect(sim.requests.filter(request => request.method === 'DELETE')).to.deep.equal([])
  })

  it('applies per-type thresholds to the right dynos', async () => {
    await start([{
      dynos: [{baseMb: 300, behavior: 'steady', name: 'web.1'}, {baseMb: 300, behavior: 'steady', name: 'worker.1'}], historyTicks: 40, name: 'typed-app',
    }])
    const result = await runCommand(['mem:restart-over', '-a', 'typed-app', '--threshold', 'web=50%', '--threshold', 'worker=900MB', '--once', '--json', '--send-jitter', '1ms'], {env})
    expect(result.code, result.stderr).to.equal(ONCE_EXIT.restarted)
    expect(deletes(sim).map(restart => restart.dyno)).to.deep.equal(['web.1'])
    const byDyno = new Map(decisions(result.stdout).map(decision => [decision.dyno, decision]))
    expect(byDyno.get('web.1')).to.include({action: 'restart', limit_mb: 256, threshold: '50%'})
    expect(byDyno.get('worker.1')).to.include({action: 'ok', limit_mb: 900, threshold: '900MB'})
  })

  it('refuses a per-type threshold naming no process type of the app (it would watch nothing), in one line; one-off types pass', async () => {
    await start([leaky])
    const typo = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', 'web=90%,wrkr=80%', '--once', '--dry-run'], {env})
    expect(typo.code, typo.stderr).to.equal(1)
    expect(typo.stdout).to.equal('')
    expect(typo.stderr.split('\n')).to.deep.equal([' ›   Error: --threshold names no process type of leaky-app: wrkr (its process types: web, worker)', ''])
    const oneOff = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', 'worker=90%,run=900MB', '--once', '--dry-run'], {env})
    expect(oneOff.code, oneOff.stderr).to.equal(ONCE_EXIT.nothingOver)
    expect(oneOff.stderr).to.include('1 dyno watched')
  })

  it('refuses a threshold at or past the R15 kill of a watched type\'s size (it could never fire), in one line; -p narrows the check', async () => {
    await start([{
      dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'steady', name: 'worker.1', size: 'Private-M'}], historyTicks: 10, name: 'sized-app',
    }])
    // eslint-disable-next-line unicorn/consistent-function-scoping -- reads `env`, set by start() above
    const once = (...args: string[]): Promise<CommandResult> => runCommand(['mem:restart-over', '-a', 'sized-app', ...args, '--once', '--dry-run'], {env})
    const pastKill = await once('--threshold', '250%')
    expect(pastKill.code, pastKill.stderr).to.equal(1)
    expect(pastKill.stdout).to.equal('')
    expect(pastKill.stderr.split('\n')).to.deep.equal([
      ' ›   Error: --threshold 250% for web is at or past the R15 kill of its Standard-1X dynos (1024MB, 200% of the quota): the platform would kill them before a restart; give a lower value',
      '',
    ])
    // A Private dyno has no swap: killed at its quota, so 150% (or 2.5GB) can never fire there.
    expect((await once('--threshold', '150%')).stderr).to.include('--threshold 150% for worker is at or past the R15 kill of its Private-M dynos (2560MB, 100% of the quota)')
    expect((await once('--threshold', 'worker=2.5GB')).code).to.equal(1)
    // Narrowed to web, worker's kill is not in the way; under each kill, nothing is refused.
    expect((await once('--threshold', '150%', '-p', 'web')).code).to.equal(ONCE_EXIT.nothingOver)
    expect((await once('--threshold', 'web=190%,worker=95%')).code).to.equal(ONCE_EXIT.nothingOver)
    expect(deletes(sim)).to.deep.equal([])
  })

  it('never restarts for app output that imitates metrics or R14 lines', async () => {
    await start([scenario('hostile')])
    const result = await watch(['-a', 'hostile-app', '--threshold', '90%', '--for', '1', '--on-r14', '--json'], () => tick(sim, 30))
    expect(result.code, result.stderr).to.equal(0)
    expect(sim.requests.filter(request => request.method === 'DELETE')).to.deep.equal([])
    expect(sim.lines('hostile-app').filter(line => / app\[web\.1\]: .*(memory_total=9999|Error R1[45])/.test(line)).length).to.be.greaterThan(5)
  })

  it('stops with "heroku login" on a rejected token', async () => {
    await start([leaky])
    const result = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '--once'], {env: {...env, HEROKU_API_KEY: 'wrong'}})
    expect(result.code).to.equal(1)
    expect(result.stderr).to.match(/heroku login/)
    expect(result.stderr).to.not.match(/\n\s+at /)
  })

  it('refuses a threshold without a unit and a -d naming no dyno, in one line each', async () => {
    await start([leaky])
    const bare = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '150', '--once'], {env})
    expect(bare.code, bare.stderr).to.equal(2)
    expect(bare.stderr.trim()).to.equal('›   Error: Threshold "150" has no unit: write 150% (of the quota) or 150MB')
    const unknown = await runCommand(['mem:restart-over', '-a', 'leaky-app', '--threshold', '90%', '-d', 'notadyno'], {env, timeoutMs: 15_000})
    expect(unknown.code, unknown.stderr).to.equal(1)
    expect(unknown.stderr.trim()).to.equal('›   Error: No dyno notadyno on leaky-app (its dynos: web.1, web.2, worker.1)')
    expect(deletes(sim)).to.deep.equal([])
  })

  it('has lower-case help with examples', () => {
    expect(WatchdogCommand.description.charAt(0)).to.equal(WatchdogCommand.description.charAt(0).toLowerCase())
    expect(WatchdogCommand.examples.every(example => String(example).startsWith('$ heroku mem:restart-over -a my-app'))).to.equal(true)
  })
})

/** Every line the hostile app logged, app output included, through the one parser into the watchdog. */
async function restartsFrom(lines: string[]): Promise<string[]> {
  const restarted: string[] = []
  const api = {
    async getDyno(_app: string, dyno: string) {
      return {name: dyno, state: 'up'}
    },
    async restartDyno(_app: string, dyno: string) {
      restarted.push(dyno)
      return {kind: 'restarted'}
    },
  } as unknown as HerokuApi
  const silent: WatchdogOutput = {
    blind() {}, decision() {}, note() {}, stream() {}, summary() {},
  }
  const policy = new RestartPolicy({forSamples: 1, onR14: true, thresholds: parseThresholds(['90%'])})
  policy.setDynos([{name: 'web.1'}])
  const run = new WatchdogRun({
    api, app: 'hostile-app', filter: {}, jitterMs: 0, output: silent, policy, restartApi: api, signal: new AbortController().signal,
  })
  const parser = new LogParser()
  for (const line of lines) parser.parseAll(line, event => run.onEvent(event))
  await sleep(10)
  return restarted
}

describe('the watchdog\'s line handling (platform lines only)', () => {
  it('ignores app lines imitating metrics, R14 and whole platform lines; the same text from the platform would restart', async () => {
    const sim = await startSimulator({apps: [scenario('hostile')], tickMs: 0})
    try {
      sim.step(20)
      const lines = sim.lines('hostile-app')
      const mimics = lines.filter(line => / app\[web\.1\]: /.test(line))
      expect(mimics.length).to.be.greaterThan(10)
      expect(await restartsFrom(lines)).to.deep.equal([])
      // The control: had the platform written these, they would have caused a restart.
      expect(await restartsFrom(mimics.map(line => line.replace(' app[web.1]: ', ' heroku[web.1]: ')))).to.deep.equal(['web.1'])
    } finally {
      await sim.close()
    }
  })
})
