/**
 * - `watch`: over the limit for fewer than `--for` readings so far
 * - `restart`: over for `--for` readings: restart requested now
 * - `hold`: over for `--for` readings, but a guard holds the restart (the reason names it)
 * - `recovered`: back under the limit before any restart
 * - `up`: a restarting dyno's new instance is up (or is no longer waited for)
 * - `skip`: a restart that could not be made, or was dropped when it was about to go out
 * - `sent`: a restart went out but its answer was lost (`unconfirmed`): counted, never sent again
 * - `ok`: (`--once`) the latest reading is under the limit
 */
export type DecisionAction = 'hold' | 'ok' | 'recovered' | 'restart' | 'sent' | 'skip' | 'up' | 'watch'

/** What can hold or stop a restart; each guard in guards.ts names one. */
export type GuardReason = 'cooldown' | 'dry-run' | 'failed' | 'hourly-cap' | 'loop-breaker' | 'max-parallel' | 'not-found' | 'not-in-dyno-list' | 'one-off' | 'stale' | 'unknown-quota'

export type DecisionReason = 'new-instance' | 'over' | 'r14' | 'state-up' | 'under' | 'up-timeout' | GuardReason | SendReason

/**
 * Said of a restart once it was to go out:
 * - `restarted-meanwhile`: the dyno restarted since the decision (the platform, another watchdog): not sent
 * - `unconfirmed`: the answer was lost (reset, timeout, 5xx): counted as a restart, never sent again
 */
export type SendReason = 'restarted-meanwhile' | 'unconfirmed'

/** What became of a restart the shell sent (or could not send). */
export type RestartOutcome = 'failed' | 'not-found' | 'rate-limited' | 'restarted' | 'stopped' | 'unconfirmed'

export interface Decision {
  action: DecisionAction
  /** For `up`: who restarted the dyno. */
  by?: 'platform' | 'watchdog'
  dyno: string
  instance?: string
  /** MiB */
  limit?: number
  /** Free text from outside the policy (an API error). */
  note?: string
  /** Consecutive readings over the limit. */
  over: number
  need: number
  /** MiB */
  quota?: number
  reason: DecisionReason
  /** The threshold as the user wrote it (`85%`, `900MB`). */
  threshold?: string
  /** Log-clock time of the decision. */
  time: number
  type: string
  /** End of a cooldown, or of the hour a cap counts. */
  until?: number
  /** MiB, the metric's latest value. */
  value?: number
  /** Loop breaker: minutes from each of the last restarts to the dyno's next crossing. */
  relapseMinutes?: number[]
  /** Dynos of the type still restarting (max parallel). */
  waitingFor?: string[]
}

/** What the shell must do after feeding the policy one input. */
export interface PolicyStep {
  decisions: Decision[]
  /** Fetch the app's dyno list again: a dyno not in it appeared, or a restarted one did not come up. */
  refreshDynos: boolean
  /** Dynos to restart now, in order. */
  restarts: string[]
}

/** What `GET /apps/{app}/dynos` says about a dyno, times on the log clock. */
export interface DynoInfo {
  name: string
  size?: string
  state?: string
  type?: string
  /** `updated_at`: when the dyno last changed state ("up since"). */
  updatedAt?: number
}

export interface WatchdogSummary {
  /** Dynos the loop breaker holds. */
  broken: string[]
  /** Hold decisions by reason (a dyno counted once per reason). */
  held: Partial<Record<DecisionReason, string[]>>
  /** Dynos whose latest reading is over the limit. */
  over: string[]
  /** Restarts requested by the watchdog and accepted by the API. */
  restarted: {dyno: string; time: number; unconfirmed?: boolean}[]
  watched: number
}

export function emptyStep(): PolicyStep {
  return {decisions: [], refreshDynos: false, restarts: []}
}
