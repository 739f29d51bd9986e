/**
 * mem:restart-over reaction time and API use: `npm run build && node --import tsx bench/restart-reaction.bench.ts`.
 *
 * Reaction: dynos over their quota from boot, `--for 1`, no cooldown: every new instance's first
 * sample is over the threshold and must be answered with a restart. Measured from the moment the
 * simulator writes that sample to the moment its DELETE arrives (both real clock, in the simulator),
 * over at least 100 restarts. Target: p50 < 50 ms.
 *
 * API use: a quiet app watched for several simulated hours; every Platform API call after the
 * start-up ones counts (log stream reads are not API calls). Target: < 10 per hour besides restarts.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import type {AppScript, Simulator} from '../test/simulator/server.js'

import {startSimulator} from '../test/simulator/server.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESTARTS = 120
const DYNOS = 10
const TICK_EVERY_MS = 25
/** memory_total of a boot-over Standard-1X dyno is about 590 MB. */
const THRESHOLD_MB = 550
const QUIET_TICKS = 1080
const HOUR_MS = 3_600_000

const sleep = (ms: number) => new Promise<void>(resolve => {
  setTimeout(resolve, ms)
})

/** Without the random wait before each restart (up to 5 s by default, for two watchdogs on one app): the pipeline's own time. */
function watchdog(sim: Simulator, app: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [`${ROOT}bin/run.js`, 'mem:restart-over', '-a', app, '--no-state-file', '--json', '--send-jitter', '1ms', ...args], {
    cwd: ROOT,
    env: {
      HEROKU_API_KEY: sim.token, HEROKU_DISABLE_AUTOUPDATE: '1', HEROKU_HOST: sim.url, HOME: process.env.HOME, PATH: process.env.PATH,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

/** Resolves once the watchdog follows the live log: the history stream, then the tail. */
async function following(sim: Simulator, child: ChildProcess): Promise<void> {
  for (let waited = 0; sim.requests.filter(request => request.path.startsWith('/streams/')).length < 2; waited += 10) {
    if (waited > 30_000 || child.exitCode !== null) throw new Error('the watchdog did not start')
    await sleep(10)
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const closed = new Promise(resolve => {
    child.once('close', resolve)
  })
  child.kill('SIGINT')
  await closed
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function apiCalls(sim: Simulator, since: number): number {
  return sim.requests.filter(request => request.time >= since && !request.path.startsWith('/streams/') && request.method !== 'DELETE').length
}

async function reaction(): Promise<{p50: number; p90: number; p99: number; restarts: number}> {
  const app: AppScript = {
    dynos: Array.from({length: DYNOS}, (_, index) => ({behavior: 'boot-over' as const, name: `web.${index + 1}`})),
    historyTicks: 3,
    name: 'bench-app',
  }
  const sim = await startSimulator({apps: [app], tickMs: 0})
  const child = watchdog(sim, 'bench-app', [
    '--threshold',
    `${THRESHOLD_MB}MB`,
    '--metric',
    'total',
    '--for',
    '1',
    '--cooldown',
    '1s',
    '--max-parallel',
    String(DYNOS),
    '--loop-limit',
    '1000000',
    '--max-per-hour',
    '1000000',
  ])
  try {
    await following(sim, child)
    const watchingSince = Date.now()
    // Real times at which each dyno's instances first logged memory over the threshold.
    const episodes = new Map<string, Set<number>>()
    while (sim.restarts('bench-app').length < RESTARTS + DYNOS) {
      sim.step()
      for (const dyno of app.dynos) {
        const time = sim.overThresholdAt('bench-app', dyno.name, THRESHOLD_MB)
        if (time === undefined) continue
        const times = episodes.get(dyno.name) ?? new Set()
        times.add(time)
        episodes.set(dyno.name, times)
      }

      await sleep(TICK_EVERY_MS)
      if (Date.now() - watchingSince > 120_000) throw new Error('too few restarts in 2 minutes')
    }

    const reactions: number[] = []
    for (const restart of sim.restarts('bench-app')) {
      const started = [...episodes.get(restart.dyno) ?? []].filter(time => time <= restart.time && time >= watchingSince)
      if (started.length > 0) reactions.push(restart.time - Math.max(...started))
    }

    reactions.sort((a, b) => a - b)
    return {
      p50: percentile(reactions, 50), p90: percentile(reactions, 90), p99: percentile(reactions, 99), restarts: reactions.length,
    }
  } finally {
    await stop(child)
    await sim.close()
  }
}

async function quietApiUse(): Promise<{calls: number; hours: number; startup: number}> {
  const app: AppScript = {
    dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'steady', name: 'web.2'}, {behavior: 'bloat', name: 'worker.1', plateauMb: 380}],
    historyTicks: 30,
    name: 'quiet-app',
    routerLinesPerTick: 3,
  }
  const sim = await startSimulator({apps: [app], tickMs: 0})
  const child = watchdog(sim, 'quiet-app', ['--threshold', '90%'])
  try {
    await following(sim, child)
    const startup = apiCalls(sim, 0)
    const watchingSince = Date.now()
    const simStart = sim.now()
    for (let tick = 0; tick < QUIET_TICKS; tick++) {
      sim.step()
      if (tick % 20 === 0) await sleep(1)
    }

    await sleep(200)
    return {calls: apiCalls(sim, watchingSince), hours: (sim.now() - simStart) / HOUR_MS, startup}
  } finally {
    await stop(child)
    await sim.close()
  }
}

const timing = await reaction()
process.stdout.write(`restart reaction (--for 1, over-threshold sample written -> DELETE arrived), ${timing.restarts} restarts: `
  + `p50 ${timing.p50} ms, p90 ${timing.p90} ms, p99 ${timing.p99} ms (target p50 < 50 ms)\n`)
const quiet = await quietApiUse()
const perHour = quiet.calls / quiet.hours
process.stdout.write(`API calls while watching a quiet app: ${quiet.startup} at start-up, then ${quiet.calls} in ${quiet.hours.toFixed(1)} simulated hours `
  + `= ${perHour.toFixed(1)}/hour besides restarts (target < 10)\n`)
if (timing.restarts < 100 || timing.p50 >= 50 || perHour >= 10) process.exitCode = 1
