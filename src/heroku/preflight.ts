import type * as Heroku from '@heroku-cli/schema'

import {UserError} from '../errors.js'
import {HerokuApi} from './api.js'

/** `generation` is `{name: 'cedar'}` on current API versions and a plain string on older ones. */
export function generationOf(app: Heroku.App): string {
  const {generation} = (app as {generation?: unknown})
  if (typeof generation === 'string') return generation.toLowerCase()
  if (generation && typeof generation === 'object' && typeof (generation as {name?: unknown}).name === 'string') {
    return (generation as {name: string}).name.toLowerCase()
  }

  return 'cedar'
}

/**
 * The app exists and is a Cedar app (log-runtime-metrics does not exist on Fir); whether the
 * feature is on. mem:report reads an app without it too: `Process running` readings remain.
 */
export async function runtimeMetricsOf(api: HerokuApi, app: string): Promise<{enabled: boolean; info: Heroku.App}> {
  const info = await api.getApp(app)
  if (generationOf(info) === 'fir') {
    throw new UserError(`${app} is a Fir-generation app: log-runtime-metrics does not exist there, so there are no memory samples to read.`)
  }

  return {enabled: await api.getRuntimeMetrics(app), info}
}

/**
 * The checks before reading memory samples from an app's log: it exists, it is a Cedar app
 * (log-runtime-metrics does not exist on Fir), and the feature is on — or is switched on
 * when the user asked for that, or (`readingsWithout`) the command says it shows readings only.
 */
export async function ensureRuntimeMetrics(api: HerokuApi, app: string, options: {enable?: boolean; readingsWithout?: boolean} = {}): Promise<Heroku.App> {
  const {enabled, info} = await runtimeMetricsOf(api, app)
  if (enabled) return info
  if (options.enable) {
    await api.enableRuntimeMetrics(app)
    process.stderr.write(`Enabled log-runtime-metrics on ${app}. Samples appear after the dynos restart: heroku ps:restart -a ${app}\n`)
    return info
  }

  if (options.readingsWithout) {
    // Without samples the platform still logs `Process running mem=` and R14/R15 while a dyno is over its quota.
    process.stderr.write(`log-runtime-metrics is off on ${app}: showing only the platform's "Process running" readings, logged while a dyno is over its quota. `
      + `For samples: heroku labs:enable log-runtime-metrics -a ${app} && heroku ps:restart -a ${app} (or pass --enable-metrics)\n`)
    return info
  }

  throw new UserError(`log-runtime-metrics is not enabled on ${app}. Run: heroku labs:enable log-runtime-metrics -a ${app} && heroku ps:restart -a ${app} (or pass --enable-metrics)`)
}

/**
 * `-d`/`-p` must name a dyno the app runs: a typo would otherwise wait in silence for lines that
 * never come (mem:tail), or watch nothing (mem:restart-over). The error names the dynos there are.
 */
export function requireFilteredDynos(app: string, dynos: readonly Heroku.Dyno[], filter: {dyno?: string; type?: string}): void {
  const names = dynos.map(dyno => dyno.name ?? '').sort()
  const its = names.length > 0 ? `its dynos: ${names.join(', ')}` : 'it runs no dynos'
  if (filter.dyno && !names.includes(filter.dyno)) throw new UserError(`No dyno ${filter.dyno} on ${app} (${its})`)
  if (filter.type && !dynos.some(dyno => dyno.type === filter.type)) throw new UserError(`No dynos of process type ${filter.type} on ${app} (${its})`)
}

/** One-off dynos (`heroku run`, Heroku Scheduler, the release phase): their types are in no formation. */
const ONE_OFF_TYPES = new Set(['release', 'run', 'scheduler'])

/**
 * A per-type `--threshold` must name a process type of the app: `wrkr=80%` would otherwise watch
 * nothing and say "0 dynos watched, 0 restarted", exit 0. The formation lists every type of the
 * Procfile, scaled to zero or not; one-off types are never in it. One API call, only when typed.
 */
export async function ensureThresholdTypes(api: HerokuApi, app: string, types: readonly string[]): Promise<void> {
  const named = types.filter(type => !ONE_OFF_TYPES.has(type))
  if (named.length === 0) return
  const known = (await api.listFormation(app)).map(formation => formation.type).filter(type => type !== undefined).sort()
  const unknown = named.filter(type => !known.includes(type))
  if (unknown.length > 0) {
    const its = known.length > 0 ? `its process types: ${known.join(', ')}` : 'it has no process types'
    throw new UserError(`--threshold names no process type of ${app}: ${unknown.join(', ')} (${its})`)
  }
}

/** requireFilteredDynos for a command that has not listed the dynos: one API call, only when filtered. */
export async function ensureFilteredDynos(api: HerokuApi, app: string, filter: {dyno?: string; type?: string}): Promise<void> {
  if (filter.dyno || filter.type) requireFilteredDynos(app, await api.listDynos(app), filter)
}
