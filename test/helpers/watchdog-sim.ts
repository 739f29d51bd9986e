/** Shared pieces of the watchdog's end-to-end tests: counting what reached the simulator, driving its clock, reading --json output. */
import type {Simulator} from '../simulator/server.js'

import {type CommandResult, runCommand} from './run-command.js'

export type Json = Record<string, unknown>

export function jsonLines(stdout: string): Json[] {
  return stdout.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line) as Json)
}

export function decisions(stdout: string): Json[] {
  return jsonLines(stdout).filter(line => line.type === 'decision')
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms)
  })
}

/** Every `DELETE /apps/{app}/dynos/{dyno}` request that reached the simulator (whatever it answered), in order. */
export function deletes(sim: Simulator): Array<{dyno: string; time: number}> {
  return sim.requests
  .filter(request => request.method === 'DELETE' && /^\/apps\/[^/]+\/dynos\/[^/]+$/.test(request.path))
  .map(request => ({dyno: decodeURIComponent(request.path.split('/').at(-1)!), time: request.time}))
}

/** Steps the simulated clock one tick at a time, giving the watchdog a moment to react to each. */
export async function tick(sim: Simulator, ticks: number, until?: () => boolean): Promise<void> {
  for (let index = 0; index < ticks; index++) {
    if (until?.()) return
    sim.step()
    await sleep(12)
  }
}

/** Waits (real time) until `condition` holds, or `ms` has passed; returns whether it held. */
export async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited >= ms) return false
    await sleep(20)
  }

  return true
}

/** Log sessions whose stream the watchdog (or watchdogs) opened so far. */
export function streamsOpened(sim: Simulator): number {
  return sim.requests.filter(request => request.path.startsWith('/streams/')).length
}

/**
 * One watchdog following the live log: `drive` runs once `streams` log streams are open, given
 * its output so far; then the run is stopped as Ctrl-C stops it.
 */
export function watchLog(
  sim: Simulator,
  env: Record<string, string>,
  args: string[],
  drive: (stdout: () => string) => Promise<void>,
  {startMs = 40_000, streams = 2, timeoutMs = 80_000} = {},
): Promise<CommandResult> {
  return runCommand(['mem:restart-over', ...args, '--send-jitter', '1ms'], {
    env,
    timeoutMs,
    async whileRunning(child) {
      if (!await waitFor(() => streamsOpened(sim) >= streams || child.exited(), startMs) || child.exited()) {
        throw new Error(`the watchdog did not start following the log: ${child.stderr()}`)
      }

      await drive(child.stdout)
      await sleep(150)
    },
  })
}
