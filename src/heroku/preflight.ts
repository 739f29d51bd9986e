import type * as Heroku from '@heroku-cli/schema'

import {isOneOffType, processTypeOf} from '../core/events.js'
import {limitsForSize} from '../core/quotas.js'
import {describeThreshold, limitFor, type ThresholdSet} from '../core/watchdog/threshold.js'
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

/**
 * The `--threshold` values must be able to fire, checked against the app's formation (every type
 * of the Procfile, scaled to zero or not, with its size; one-off types are never in it):
 * - a per-type value must name a process type of the app: `wrkr=80%` would otherwise watch
 *   nothing and say "0 dynos watched, 0 restarted", exit 0;
 * - no value may lie at or past the R15 kill of its type's size (`250%` on Standard-1X, killed at
 *   200%; `100%` on a Private dyno, which has no swap): the platform would kill the dyno before a
 *   reading crossed it, and the watchdog would watch, look healthy and never act.
 * Only the type `-p`/`-d` narrow the watch to is held to the kill.
 */
export async function ensureThresholdsCanFire(api: HerokuApi, app: string, thresholds: ThresholdSet, filter: {dyno?: string; type?: string}): Promise<void> {
  const watched = filter.type ?? (filter.dyno ? processTypeOf(filter.dyno) : undefined)
  const formation = await api.listFormation(app)
  const known = formation.map(entry => entry.type).filter(type => type !== undefined).sort()
  const unknown = [...thresholds.byType.keys()].filter(type => !isOneOffType(type) && !known.includes(type))
  if (unknown.length > 0) {
    const its = known.length > 0 ? `its process types: ${known.join(', ')}` : 'it has no process types'
    throw new UserError(`--threshold names no process type of ${app}: ${unknown.join(', ')} (${its})`)
  }

  for (const {size, type} of formation) {
    const limits = limitsForSize(size)
    if (!type || !limits || (watched !== undefined && type !== watched)) continue
    const limit = limitFor(thresholds, type, limits.quota)
    const kill = limits.quota * limits.killFactor
    if (limit !== undefined && limit >= kill) {
      throw new UserError(`--threshold ${describeThreshold(thresholds, type)} for ${type} is at or past the R15 kill of its ${size} dynos `
        + `(${Math.round(kill)}MB, ${limits.killFactor * 100}% of the quota): the platform would kill them before a restart; give a lower value`)
    }
  }
}

/** requireFilteredDynos for a command that has not listed the dynos: one API call, only when filtered. */
export async function ensureFilteredDynos(api: HerokuApi, app: string, filter: {dyno?: string; type?: string}): Promise<void> {
  if (filter.dyno || filter.type) requireFilteredDynos(app, await api.listDynos(app), filter)
}
