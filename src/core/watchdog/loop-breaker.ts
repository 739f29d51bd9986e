import type {DynoTrack, RestartCause} from './dyno-track.js'
import type {Guard} from './guard.js'
import type {RestartPolicyOptions} from './options.js'

import {lastRestartBefore} from './dyno-track.js'

/**
 * Restarts that prove something when a dyno is over again soon after them: the watchdog's own
 * (that happened), and the platform's crash restarts (R15). A deploy, a daily cycling or a boot
 * time says nothing about whether a restart helps.
 */
const EVIDENCE: readonly RestartCause[] = ['watchdog', 'memory']

/**
 * The restart-loop breaker: a dyno over its limit again soon after each of `loopLimit` restarts
 * in a row is not helped by restarts: it is left alone.
 */
export const loopBreakerGuard: Guard = {
  check: ({track}) => (track.broken ? {reason: 'loop-breaker'} : undefined),
  name: 'loop-breaker',
}

/**
 * The start of a sustained breach: one soon after a restart that counts is a relapse, and enough
 * relapses in a row break the loop. Nothing counts before the watchdog has restarted the dyno.
 */
export function noteCrossing(track: DynoTrack, time: number, options: RestartPolicyOptions): void {
  track.inBreach = true
  track.breachAt = time
  const last = track.restartedByWatchdog ? lastRestartBefore(track.restarts, time, EVIDENCE) : undefined
  if (last !== undefined && time - last.at <= options.loopWindowMs) {
    track.relapses++
    track.relapseGaps = [...track.relapseGaps, (time - last.at) / 60_000].slice(-options.loopLimit)
    if (track.relapses >= options.loopLimit && !track.broken) {
      track.broken = true
      track.brokenAt = time
    }
  } else if (!track.broken) {
    track.relapses = 0
    track.relapseGaps = []
  }
}

/**
 * A loop-broken dyno that was restarted (by anyone) after the breaker engaged, then ran healthy
 * for longer than the loop window before crossing again: restarts help again. Returns whether it
 * released the breaker.
 */
export function releaseLoopBreaker(track: DynoTrack, options: RestartPolicyOptions): boolean {
  if (!track.broken || track.breachAt === undefined || track.brokenAt === undefined) return false
  const last = lastRestartBefore(track.restarts, track.breachAt)
  if (last === undefined || last.at <= track.brokenAt || track.breachAt - last.at <= options.loopWindowMs) return false
  track.broken = false
  track.relapses = 0
  track.relapseGaps = []
  return true
}
