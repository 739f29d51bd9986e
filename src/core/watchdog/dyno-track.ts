/** What the policy knows about one dyno, and the small rules that keep it consistent. */

/**
 * Why a dyno (re)started, which decides what the restart can prove:
 * - `watchdog`: the watchdog restarted it (the API accepted it, or the dyno showed it)
 * - `unconfirmed`: the watchdog sent a restart whose answer was lost; counted for the cooldown and the cap
 * - `memory`: the platform restarted it after a crash (R15 kills it)
 * - `platform`: a restart line (deploy, daily cycling, someone's `ps:restart`)
 * - `boot`: only "up since" is known (dyno list, a state change to up)
 */
export type RestartCause = 'boot' | 'memory' | 'platform' | 'unconfirmed' | 'watchdog'

export interface RestartMark {
  at: number
  cause: RestartCause
}

export interface Restarting {
  at: number
  by: 'platform' | 'watchdog'
  /** The instance being replaced (watchdog restarts), followed again if the restart fails. */
  instance?: string
  /** The restart went out at this log-clock time; the up timeout runs from here. */
  sentAt?: number
}

export interface DynoTrack {
  /** Readings in a row older than the last one: the dyno's clock stepped back. */
  behindReadings: number
  breachAt?: number
  broken: boolean
  brokenAt?: number
  /** Instance (`dyno=` id) followed now; older ones are retired and their samples ignored. */
  current?: string
  /** The restart API call failed: no new attempt before this time. */
  holdUntil?: number
  inBreach: boolean
  lastReadingAt?: number
  lastReadingOver: boolean
  /**
   * The newest readings counted, as `time` + `over` (KEPT_READINGS of them): one seen again is a
   * session resending the recent log (a tail that starts with lines the history already read), never
   * counted twice (a replay reaching further back than these meets an under reading, or a row long
   * enough to have been decided already, unless `--for` is over KEPT_READINGS).
   */
  countedReadings: string[]
  /** Position of the last reading among all the readings the policy saw (stale judged by what others logged since). */
  lastReadingSeq?: number
  /** Last decision key shown, to print a repeated hold only once. */
  lastShown?: string
  listed?: boolean
  name: string
  over: number
  /** A restart decided, not yet sent (the shell checks the dyno first); holds the dyno's slot. */
  pending?: {at: number; limit?: number}
  /** MiB, as the platform stated it (a sample's `memory_quota`, a `Process running` line's mem / percent); else only the size can say. */
  quota?: number
  /** Minutes from each counted restart to the dyno's next crossing, oldest first (the loop breaker's evidence). */
  relapseGaps: number[]
  relapses: number
  /** The watchdog restarted this dyno at least once: until then nothing counts as a relapse. */
  restartedByWatchdog: boolean
  /** The dyno's (re)starts, any cause, ascending. */
  restarts: RestartMark[]
  restarting?: Restarting
  retired: string[]
  size?: string
  /** State in the dyno list (`up`, `starting`, ...), and since when. */
  state?: string
  type: string
  updatedAt?: number
  value?: number
}

/** Readings remembered per dyno to drop replays: ~20 minutes of samples. */
export const KEPT_READINGS = 64
const KEPT_RESTARTS = 16
const KEPT_RETIRED = 8
/** The hourly cap never needs more than this many of the watchdog's own restarts. */
export const KEPT_WATCHDOG_RESTARTS = 1000
/** The stronger cause wins when one restart is seen twice. */
const CAUSE_RANK: Record<RestartCause, number> = {
  boot: 0, memory: 2, platform: 1, unconfirmed: 3, watchdog: 4,
}

export function newTrack(name: string, type: string): DynoTrack {
  return {
    behindReadings: 0,
    broken: false,
    countedReadings: [],
    inBreach: false,
    lastReadingOver: false,
    name,
    over: 0,
    relapseGaps: [],
    relapses: 0,
    restartedByWatchdog: false,
    restarts: [],
    retired: [],
    type,
  }
}

/** A new instance (or a restart) starts a new count of readings. */
export function resetReadings(track: DynoTrack): void {
  track.over = 0
  track.inBreach = false
  track.lastReadingAt = undefined
  track.lastReadingOver = false
  track.behindReadings = 0
}

/** Samples of a replaced instance (preboot) must not count for the new one. */
export function retire(track: DynoTrack, instance: string): void {
  if (!track.retired.includes(instance)) track.retired.push(instance)
  if (track.retired.length > KEPT_RETIRED) track.retired.shift()
  if (track.current === instance) track.current = undefined
}

/** Adds a restart in time order; the same restart seen twice (within 1 s) is one, with the stronger cause. */
export function addRestart(marks: RestartMark[], at: number, cause: RestartCause): void {
  let index = marks.length
  while (index > 0 && marks[index - 1].at > at) index--
  const near = [marks[index - 1], marks[index]].find(mark => mark !== undefined && Math.abs(mark.at - at) < 1000)
  if (near) {
    if (CAUSE_RANK[cause] > CAUSE_RANK[near.cause]) near.cause = cause
    return
  }

  marks.splice(index, 0, {at, cause})
  if (marks.length > KEPT_RESTARTS) marks.splice(0, marks.length - KEPT_RESTARTS)
}

/** Adds a time to an ascending list, skipping near-duplicates, keeping the newest `keep`. */
export function addTime(times: number[], time: number, keep: number): void {
  let index = times.length
  while (index > 0 && times[index - 1] > time) index--
  if ((index > 0 && time - times[index - 1] < 1000) || (index < times.length && times[index] - time < 1000)) return
  times.splice(index, 0, time)
  if (times.length > keep) times.splice(0, times.length - keep)
}

/** The latest restart at or before `time` whose cause is one of `causes` (any cause when omitted). */
export function lastRestartBefore(marks: readonly RestartMark[], time: number, causes?: readonly RestartCause[]): RestartMark | undefined {
  for (let index = marks.length - 1; index >= 0; index--) {
    const mark = marks[index]
    if (mark.at <= time && (!causes || causes.includes(mark.cause))) return mark
  }

  return undefined
}
