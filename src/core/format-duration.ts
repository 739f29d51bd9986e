/**
 * A duration as the reports print it, to about two significant figures: `45 s`, `12 min`, `3.5 h`,
 * `4.2 days`. Every duration the plugin shows (spans, time over quota, time to quota, restart
 * intervals) goes through here, so one value reads the same everywhere.
 *
 * formatDuration(45) === '45 s'; formatDuration(720) === '12 min'; formatDuration(12_600) === '3.5 h';
 * formatDuration(360_000) === '4.2 days'
 */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  if (seconds < 172_800) return `${(Math.round(seconds / 360) / 10).toString()} h`
  return `${(Math.round(seconds / 8640) / 10).toString()} days`
}

/** The same for a number of hours (rates and projections are kept in hours). */
export function formatHours(hours: number): string {
  return formatDuration(hours * 3600)
}
