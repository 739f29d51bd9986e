import type {DynoTrack} from './dyno-track.js'
import type {Guard} from './guards.js'
import type {RestartPolicyOptions} from './options.js'

import {lastBefore} from './dyno-track.js'

/**
 * The restart-loop breaker: a dyno over its limit again soon after each of `loopLimit` restarts
 * in a row is not helped by restarts (its memory at boot is the problem): it is left alone.
 */
export const loopBreakerGuard: Guard = {
  check: ({track}) => (track.broken ? {reason: 'loop-breaker'} : undefined),
  name: 'loop-breaker',
}

/** The start of a sustained breach: one soon after a restart is a relapse, and enough relapses break the loop. */
export function noteCrossing(track: DynoTrack, time: number, options: RestartPolicyOptions): void {
  track.inBreach = true
  track.breachAt = time
  const last = lastBefore(track.restarts, time)
  if (last !== undefined && time - last <= options.loopWindowMs) {
    track.relapses++
    if (track.relapses >= options.loopLimit && !track.broken) {
      track.broken = true
      track.brokenAt = time
    }
  } else if (!track.broken) {
    track.relapses = 0
  }
}

/**
 * A loop-broken dyno that was restarted (by anyone) after the breaker engaged, then ran healthy
 * for longer than the loop window before crossing again: restarts help again. Returns whether it
 * released the breaker.
 */
export function releaseLoopBreaker(track: DynoTrack, options: RestartPolicyOptions): boolean {
  if (!track.broken || track.breachAt === undefined || track.brokenAt === undefined) return false
  const last = lastBefore(track.restarts, track.breachAt)
  if (last === undefined || last <= track.brokenAt || track.breachAt - last <= options.loopWindowMs) return false
  track.broken = false
  track.relapses = 0
  return true
}
