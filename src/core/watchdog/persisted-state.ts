import type {DynoTrack} from './dyno-track.js'

import {addTime, KEPT_WATCHDOG_RESTARTS} from './dyno-track.js'
import {HOUR_MS} from './options.js'

/** The part of the policy's memory worth keeping between runs (cron), times on the log clock. */
export interface PersistedPolicy {
  dynos: Record<string, {broken: boolean; brokenAt?: number; relapses: number; restarts: number[]}>
  watchdogRestarts: number[]
}

/** What is worth keeping: dynos with restarts or loop counts, and the last hour of the watchdog's restarts. */
export function exportPolicy(tracks: Iterable<DynoTrack>, watchdogRestarts: readonly number[], clock: number): PersistedPolicy {
  const dynos: PersistedPolicy['dynos'] = {}
  for (const track of tracks) {
    if (track.restarts.length === 0 && track.relapses === 0 && !track.broken) continue
    dynos[track.name] = {
      broken: track.broken, brokenAt: track.brokenAt, relapses: track.relapses, restarts: [...track.restarts],
    }
  }

  return {dynos, watchdogRestarts: watchdogRestarts.filter(time => time > clock - HOUR_MS)}
}

/** Merges a saved state into the tracks: the larger count and every restart wins. */
export function restorePolicy(state: PersistedPolicy, trackOf: (name: string) => DynoTrack, watchdogRestarts: number[]): void {
  for (const [name, saved] of Object.entries(state.dynos ?? {})) {
    const track = trackOf(name)
    for (const time of saved.restarts ?? []) addTime(track.restarts, time)
    if ((saved.relapses ?? 0) > track.relapses) track.relapses = saved.relapses
    if (saved.broken && !track.broken) {
      track.broken = true
      track.brokenAt = saved.brokenAt
    }
  }

  for (const time of state.watchdogRestarts ?? []) addTime(watchdogRestarts, time, KEPT_WATCHDOG_RESTARTS)
}
