import type {DynoTrack} from './dyno-track.js'
import type {Guard, GuardView, Hold} from './guard.js'

import {isOneOffType} from '../events.js'
import {limitsForSize} from '../quotas.js'
import {loopBreakerGuard} from './loop-breaker.js'
import {HOUR_MS, SAMPLE_PERIOD_MS, STALE_READING_MS} from './options.js'
import {isShareOfQuota} from './threshold.js'

export type {Guard, GuardView, Hold} from './guard.js'

/**
 * In `--once`, a reading is stale when the dyno stopped reporting: judged by what the other dynos
 * logged since (about one sample a tick each), not by timestamps, so a dyno whose clock runs ahead
 * cannot make another look stale. Alone, a dyno is judged on the log clock.
 */
export function isStaleReading(track: DynoTrack, readingsSince: number, otherReporting: number, now: number): boolean {
  if (track.lastReadingAt === undefined) return true
  if (otherReporting === 0) return now - track.lastReadingAt > STALE_READING_MS
  return readingsSince > otherReporting * (STALE_READING_MS / SAMPLE_PERIOD_MS)
}

/** Restarting a one-off dyno stops it: never a target. */
export const oneOffGuard: Guard = {
  check: ({track}) => (isOneOffType(track.type) ? {reason: 'one-off'} : undefined),
  name: 'one-off',
}

/**
 * A share of the quota needs the quota: with no `memory_quota` on the dyno's samples and a dyno size
 * the watchdog does not know (missing from the dyno list, a new name), 512 MB is only the smallest
 * guess, and a guess too small would restart a healthy big dyno. (Under the guessed limit is safely
 * under: no quota is smaller.)
 */
export const unknownQuotaGuard: Guard = {
  check: ({options, track}) => (isShareOfQuota(options.thresholds, track.type) && track.quota === undefined && !limitsForSize(track.size)
    ? {reason: 'unknown-quota'}
    : undefined),
  name: 'unknown-quota',
}

/** Only dynos the platform lists are restarted (a name seen in the log may be gone, or a one-off). */
export const dynoListGuard: Guard = {
  check: ({track}) => (track.listed === true ? undefined : {reason: 'not-in-dyno-list'}),
  name: 'not-in-dyno-list',
}

/** A restart the API refused is not tried again at once. */
export const failedRestartGuard: Guard = {
  check: ({now, track}) => (track.holdUntil !== undefined && now < track.holdUntil ? {reason: 'failed', until: track.holdUntil} : undefined),
  name: 'failed',
}

/** Any restart (ours, a deploy's, a crash's, the dyno list's "up since") starts a cooldown. */
export const cooldownGuard: Guard = {
  check({now, options, track}) {
    const last = track.restarts.at(-1)
    return last !== undefined && now - last.at < options.cooldownMs ? {reason: 'cooldown', until: last.at + options.cooldownMs} : undefined
  },
  name: 'cooldown',
}

export const hourlyCapGuard: Guard = {
  check({now, options, watchdogRestarts}) {
    const inHour = watchdogRestarts.filter(at => at > now - HOUR_MS)
    return inHour.length >= options.maxPerHour ? {reason: 'hourly-cap', until: inHour[0] + HOUR_MS} : undefined
  },
  name: 'hourly-cap',
}

export const maxParallelGuard: Guard = {
  check({options, restartingOfType, track}) {
    const busy = restartingOfType(track.type)
    return busy.length >= options.maxParallel ? {reason: 'max-parallel', waitingFor: busy} : undefined
  },
  name: 'max-parallel',
}

export const dryRunGuard: Guard = {
  check: ({options}) => (options.dryRun ? {reason: 'dry-run'} : undefined),
  name: 'dry-run',
}

/** Every guard a restart must pass when it is decided, in the order their holds are reported (the first that holds is shown). */
export const RESTART_GUARDS: readonly Guard[] = [
  oneOffGuard, unknownQuotaGuard, loopBreakerGuard, dynoListGuard, failedRestartGuard, cooldownGuard, hourlyCapGuard, maxParallelGuard, dryRunGuard,
]

/**
 * Checked again when a decided restart is about to go out (after a wait, a rate limit, a slow
 * answer, a read of the dyno): what happened meanwhile counts, on the newest readings.
 */
export const SEND_GUARDS: readonly Guard[] = [unknownQuotaGuard, loopBreakerGuard, dynoListGuard, cooldownGuard, hourlyCapGuard, maxParallelGuard]

/** The first guard that holds, or undefined when the restart may go. */
export function firstHold(guards: readonly Guard[], view: GuardView): Hold | undefined {
  for (const guard of guards) {
    const hold = guard.check(view)
    if (hold) return hold
  }

  return undefined
}
