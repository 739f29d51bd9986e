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
  deletes, sleep, streamsOpened, tick, waitFor,
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
    return runCommand(['mem:restart-over', ...args, '--send-jitter', '1ms'], {
      env,
      timeoutMs: 80_000,
      async whileRunning(child) {
        if (!await waitFor(() => streamsOpened(sim) >= 2 || child.exited(), 40_000) || child.exited()) {
          throw new Error(`the watchdog did not start following the log: ${child.stderr()}`)
        }

        await drive(child.stdout)
        await sleep(150)
      },
    })
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
})
