/** The shape of one restart guard (guards.ts holds them in order; loop-breaker.ts has its own). */
import type {GuardReason} from './decision.js'
import type {DynoTrack} from './dyno-track.js'
import type {RestartPolicyOptions} from './options.js'

/** What a guard may look at: one dyno, the policy's options and clock, and the few facts about the others it needs. */
export interface GuardView {
  /** The policy's clock (log time). */
  now: number
  options: RestartPolicyOptions
  /** Dynos of this type restarting now, this one excluded. */
  restartingOfType: (type: string) => string[]
  track: DynoTrack
  /** The watchdog's own restarts, ascending (log time). */
  watchdogRestarts: readonly number[]
}

/** Why a restart is held, and until when or behind whom. */
export interface Hold {
  reason: GuardReason
  until?: number
  waitingFor?: string[]
}

/** One named check: undefined lets the restart through, a Hold stops it. */
export interface Guard {
  check(view: GuardView): Hold | undefined
  name: GuardReason
}
