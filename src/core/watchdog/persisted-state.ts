import type {DynoTrack, RestartCause, RestartMark} from './dyno-track.js'

import {addRestart, addTime, KEPT_WATCHDOG_RESTARTS} from './dyno-track.js'
import {CLOCK_JUMP_MS, HOUR_MS} from './options.js'

/** What is kept of one dyno between runs. */
export interface PersistedDyno {
  broken: boolean
  brokenAt?: number
  relapseGaps: number[]
  relapses: number
  restartedByWatchdog: boolean
  restarts: RestartMark[]
}

/** The part of the policy's memory worth keeping between runs (cron), times on the log clock (epoch ms). */
export interface PersistedPolicy {
  dynos: Record<string, PersistedDyno>
  watchdogRestarts: number[]
}

const CAUSES = new Set<RestartCause>(['boot', 'memory', 'platform', 'unconfirmed', 'watchdog'])

/** What is worth keeping: dynos with restarts or loop counts, and the last hour of the watchdog's restarts. */
export function exportPolicy(tracks: Iterable<DynoTrack>, watchdogRestarts: readonly number[], clock: number): PersistedPolicy {
  const dynos: PersistedPolicy['dynos'] = {}
  for (const track of tracks) {
    if (track.restarts.length === 0 && track.relapses === 0 && !track.broken) continue
    dynos[track.name] = {
      broken: track.broken,
      brokenAt: track.brokenAt,
      relapseGaps: [...track.relapseGaps],
      relapses: track.relapses,
      restartedByWatchdog: track.restartedByWatchdog,
      restarts: track.restarts.map(mark => ({...mark})),
    }
  }

  return {dynos, watchdogRestarts: watchdogRestarts.filter(time => time > clock - HOUR_MS)}
}

/**
 * Merges a saved state into the tracks: the larger count and every restart wins. A time later
 * than `now` (plus the clock's slack) cannot be a past restart: it is left out, and a note says so.
 */
export function restorePolicy(state: PersistedPolicy, trackOf: (name: string) => DynoTrack, watchdogRestarts: number[], now: number): string[] {
  const future = (time: number) => time > now + CLOCK_JUMP_MS
  const notes: string[] = []
  for (const [name, saved] of Object.entries(state.dynos)) {
    const track = trackOf(name)
    for (const mark of saved.restarts) {
      if (future(mark.at)) notes.push(`a restart of ${name} dated ${new Date(mark.at).toISOString()} is in the future`)
      else addRestart(track.restarts, mark.at, mark.cause)
    }

    if (saved.restartedByWatchdog) track.restartedByWatchdog = true
    if (saved.relapses > track.relapses) {
      track.relapses = saved.relapses
      track.relapseGaps = [...saved.relapseGaps]
    }

    if (saved.broken && !track.broken) {
      if (saved.brokenAt !== undefined && future(saved.brokenAt)) {
        notes.push(`the loop breaker of ${name} dated ${new Date(saved.brokenAt).toISOString()} is in the future`)
      } else {
        track.broken = true
        track.brokenAt = saved.brokenAt
      }
    }
  }

  const kept = state.watchdogRestarts.filter(time => !future(time))
  if (kept.length < state.watchdogRestarts.length) notes.push(`${state.watchdogRestarts.length - kept.length} restart(s) counted for the hourly cap are in the future`)
  for (const time of kept) addTime(watchdogRestarts, time, KEPT_WATCHDOG_RESTARTS)
  return notes
}

/**
 * Checks a saved policy against its schema (the file may be old, hand-edited or damaged): the
 * policy, or what is wrong with it first, as a short phrase.
 */
export function parsePersistedPolicy(value: unknown): {policy: PersistedPolicy} | {problem: string} {
  if (!isObject(value)) return {problem: 'policy is not an object'}
  if (!isObject(value.dynos)) return {problem: 'policy.dynos is not an object'}
  if (!isTimeList(value.watchdogRestarts)) return {problem: 'policy.watchdogRestarts is not a list of times'}
  const dynos: Record<string, PersistedDyno> = {}
  for (const [name, dyno] of Object.entries(value.dynos)) {
    const where = `policy.dynos["${name}"]`
    if (!/^[\w.-]{1,100}$/.test(name)) return {problem: `${where} is not a dyno name`}
    if (!isObject(dyno)) return {problem: `${where} is not an object`}
    if (typeof dyno.broken !== 'boolean') return {problem: `${where}.broken is not true or false`}
    if (dyno.brokenAt !== undefined && !isTime(dyno.brokenAt)) return {problem: `${where}.brokenAt is not a time`}
    if (!Number.isInteger(dyno.relapses) || (dyno.relapses as number) < 0) return {problem: `${where}.relapses is not a count`}
    if (!Array.isArray(dyno.relapseGaps) || !dyno.relapseGaps.every(gap => typeof gap === 'number' && Number.isFinite(gap) && gap >= 0)) {
      return {problem: `${where}.relapseGaps is not a list of minutes`}
    }

    if (typeof dyno.restartedByWatchdog !== 'boolean') return {problem: `${where}.restartedByWatchdog is not true or false`}
    if (!Array.isArray(dyno.restarts) || !dyno.restarts.every(mark => isObject(mark) && isTime(mark.at) && CAUSES.has(mark.cause as RestartCause))) {
      return {problem: `${where}.restarts is not a list of {at, cause}`}
    }

    dynos[name] = dyno as unknown as PersistedDyno
  }

  return {policy: {dynos, watchdogRestarts: value.watchdogRestarts}}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Epoch ms between 2000 and 2200: anything else is not a time this state could hold. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 946_684_800_000 && value < 7_258_118_400_000
}

function isTimeList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(time => isTime(time))
}
