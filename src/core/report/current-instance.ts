/**
 * Where a leaking dyno stands now. The series that proved the leak may belong to an instance that
 * is gone (killed by R15, restarted): the time to the quota is then the current instance's, at the
 * proven rate from its own level, and the old instance's fate is told in the past tense.
 */
import type {DynoReport, SeriesReport} from './report-schema.js'

/** Marks this close after a series' last sample belong to its end (R15 comes with the last samples). */
const END_SLACK_MS = 120_000

export interface CurrentProjection {
  hoursToQuota: number
  hoursToKill: number
  /** Likely range of hoursToQuota, from the slope's interval. */
  interval?: [number, number]
  /** The current instance's level, MiB. */
  levelMb: number
  /** What happened to the instance the leak was measured on, when that is not the current one. */
  previous?: string
}

export function currentProjection(dyno: DynoReport): CurrentProjection | undefined {
  const judged = dyno.judgedBy
  if (judged?.hoursToQuota === undefined) return undefined
  const current = latestSeries(dyno.series)
  if (!current || current === judged || current.to <= judged.to) {
    return {
      hoursToKill: judged.hoursToKill ?? 0, hoursToQuota: judged.hoursToQuota, interval: judged.hoursToQuotaInterval, levelMb: judged.endMb,
    }
  }

  const previous = fateOf(dyno, judged)
  if (current.verdict === 'leak' && current.hoursToQuota !== undefined) {
    return {
      hoursToKill: current.hoursToKill ?? 0, hoursToQuota: current.hoursToQuota, interval: current.hoursToQuotaInterval, levelMb: current.endMb, previous,
    }
  }

  const rate = judged.projectionRateMbPerHour ?? judged.recentSlopeMbPerHour
  const level = Number.isFinite(current.endMb) ? current.endMb : current.peakMb
  const quota = dyno.quotaMb
  return {
    hoursToKill: Math.max(0, ((quota * dyno.killFactor) - level) / rate),
    hoursToQuota: Math.max(0, (quota - level) / rate),
    levelMb: level,
    previous,
  }
}

function latestSeries(series: SeriesReport[]): SeriesReport | undefined {
  let latest: SeriesReport | undefined
  for (const run of series) if (!latest || run.to > latest.to) latest = run
  return latest
}

/** "was killed (R15) at 10:42 UTC after 2.3 h" */
function fateOf(dyno: DynoReport, series: SeriesReport): string {
  const marks = dyno.timeline.filter(point => point.time >= series.from && point.time <= series.to + END_SLACK_MS)
  const age = hours((series.to - series.from) / 3_600_000)
  const at = new Date(series.to).toISOString().slice(11, 16)
  if (marks.some(point => point.r15 > 0)) return `was killed (R15) at ${at} UTC after ${age}`
  if (marks.some(point => point.restarts > 0)) return `was restarted at ${at} UTC after ${age}`
  return `ended at ${at} UTC after ${age}`
}

function hours(value: number): string {
  return value < 1 ? `${Math.max(1, Math.round(value * 60))} min` : `${Math.round(value * 10) / 10} h`
}
