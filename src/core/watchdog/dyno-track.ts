/** What the policy knows about one dyno, and the small rules that keep it consistent. */

export interface Restarting {
  at: number
  by: 'platform' | 'watchdog'
  /** The instance being replaced (watchdog restarts), followed again if the restart fails. */
  instance?: string
  /** The API accepted the restart (watchdog) at this log-clock time; the up timeout runs from here. */
  sentAt?: number
}

export interface DynoTrack {
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
  /** Last decision key shown, to print a repeated hold only once. */
  lastShown?: string
  listed?: boolean
  name: string
  over: number
  quota?: number
  relapses: number
  /** Times the dyno was (re)started, any cause, ascending. */
  restarts: number[]
  restarting?: Restarting
  retired: string[]
  size?: string
  type: string
  value?: number
}

const KEPT_RESTARTS = 16
const KEPT_RETIRED = 8
/** The hourly cap never needs more than this many of the watchdog's own restarts. */
export const KEPT_WATCHDOG_RESTARTS = 1000

export function newTrack(name: string, type: string): DynoTrack {
  return {
    broken: false, inBreach: false, lastReadingOver: false, name, over: 0, relapses: 0, restarts: [], retired: [], type,
  }
}

/** A new instance (or a restart) starts a new count of readings. */
export function resetReadings(track: DynoTrack): void {
  track.over = 0
  track.inBreach = false
  track.lastReadingAt = undefined
  track.lastReadingOver = false
}

/** Samples of a replaced instance (preboot) must not count for the new one. */
export function retire(track: DynoTrack, instance: string): void {
  if (!track.retired.includes(instance)) track.retired.push(instance)
  if (track.retired.length > KEPT_RETIRED) track.retired.shift()
  if (track.current === instance) track.current = undefined
}

/** Adds a time to an ascending list, skipping near-duplicates (the same restart seen twice), keeping the newest. */
export function addTime(times: number[], time: number, keep = KEPT_RESTARTS): void {
  let index = times.length
  while (index > 0 && times[index - 1] > time) index--
  if ((index > 0 && time - times[index - 1] < 1000) || (index < times.length && times[index] - time < 1000)) return
  times.splice(index, 0, time)
  if (times.length > keep) times.splice(0, times.length - keep)
}

/** The latest time at or before `time`. */
export function lastBefore(times: readonly number[], time: number): number | undefined {
  for (let index = times.length - 1; index >= 0; index--) if (times[index] <= time) return times[index]
  return undefined
}
