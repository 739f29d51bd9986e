/**
 * Judges a dyno across its instances. Each instance (one boot, one release) is judged alone
 * first; then an instance that retraces an older, longer one's curve at the same age, on the same
 * release, is taken to be the same shape: a bloating dyno cycled every day climbs again after each boot, and the young
 * instance's climb, not yet levelled, would otherwise read as a leak. And a short, unsure series
 * cannot outvote a long, confident one of the same release when the dyno's verdict is chosen.
 */
import type {SeriesPoint} from './downsampled-series.js'
import type {SeriesReport} from './report-schema.js'

import {formatDuration} from '../format-duration.js'
import {
  type JudgeOptions, judgeSeries, type SeriesJudgement, VERDICT_SEVERITY,
} from './classify.js'
import {median} from './robust-stats.js'

/** An older instance must have run at least this much longer to say what a young one becomes. */
const LONGER_BY = 1.5
/** Below this confidence a series is unsure (the renderers' "low"). */
const SURE = 0.45
/** A series this much shorter than a sure one of the same release does not decide the dyno's verdict. */
const SHORT_SHARE = 0.5

export interface InstanceRun {
  points: readonly SeriesPoint[]
  quota: number
  /** The release it ran (its time): only an instance of the same code says what a young one becomes. */
  release?: number
}

/** The runs' judgements, in the runs' order, each young run checked against the older ones. */
export function judgeInstances(runs: readonly InstanceRun[], killFactor: number): SeriesJudgement[] {
  const judged = runs.map(run => judgeSeries(run.points, {killFactor, quota: run.quota} satisfies JudgeOptions))
  const spans = runs.map(run => spanOf(run.points))
  return judged.map((judgement, i) => {
    if (judgement.verdict === 'insufficient') return judgement
    let model: number | undefined
    for (const [k, older] of judged.entries()) {
      // Only a settled shape (bloat, steady, spiky) explains a young climb; a leak is judged on its own.
      if (k === i || older.verdict === 'insufficient' || older.verdict === 'leak' || older.verdict === judgement.verdict) continue
      if (runs[k].release !== runs[i].release) continue
      if (spans[k] < LONGER_BY * spans[i] || (model !== undefined && spans[k] <= spans[model])) continue
      if (retraces(runs[i].points, runs[k].points, judgement, older)) model = k
    }

    if (model === undefined) return judgement
    const older = judged[model]
    return {
      ...judgement,
      confidence: Math.min(older.confidence, Math.max(judgement.confidence, SURE)),
      hoursToKill: undefined,
      hoursToQuota: undefined,
      hoursToQuotaInterval: undefined,
      projectionRateMbPerHour: undefined,
      reason: `retraces an older instance's first ${formatDuration(spans[i] / 1000)}, which ${older.reason}`,
      verdict: older.verdict,
    }
  })
}

/**
 * The series that speaks for the dyno: the most serious verdict (then the most confident), among
 * the series that are sure, or long next to the sure ones of their release.
 */
export function dynoJudgement(series: readonly SeriesReport[]): SeriesReport | undefined {
  const judged = series.filter(run => run.verdict !== 'insufficient')
  const voters = judged.filter(run => run.confidence >= SURE || !judged.some(other => other.confidence >= SURE && sameRelease(other, run) && run.to - run.from < SHORT_SHARE * (other.to - other.from)))
  let best: SeriesReport | undefined
  for (const run of voters) {
    if (!best || VERDICT_SEVERITY[run.verdict] > VERDICT_SEVERITY[best.verdict] || (run.verdict === best.verdict && run.confidence > best.confidence)) best = run
  }

  return best
}

function sameRelease(a: SeriesReport, b: SeriesReport): boolean {
  return (a.release?.time ?? 0) === (b.release?.time ?? 0)
}

/**
 * Whether `young` follows `older`'s curve from boot: compared at the same ages, the difference
 * stays within a tolerance (noise, 5% of the level, 10 MiB at least) and does not drift (its
 * medians over the first and second half of the young series agree within it).
 */
function retraces(young: readonly SeriesPoint[], older: readonly SeriesPoint[], youngJudgement: SeriesJudgement, olderJudgement: SeriesJudgement): boolean {
  const a = young.filter(point => point.count > 0)
  const b = older.filter(point => point.count > 0)
  if (a.length < 6 || b.length < 6) return false
  const differences: number[] = []
  for (const point of a) {
    const at = valueAtAge(b, point.time - a[0].time)
    if (at !== undefined) differences.push(point.mean - at)
  }

  if (differences.length < 6) return false
  const tolerance = Math.max(3 * youngJudgement.noiseMb, 3 * olderJudgement.noiseMb, 0.05 * olderJudgement.levelMb, 10)
  const half = Math.floor(differences.length / 2)
  const drift = median(differences.slice(half)) - median(differences.slice(0, half))
  return Math.abs(median(differences)) <= tolerance && Math.abs(drift) <= tolerance
}

/** The older series' mean at an age since its first point, linearly between its points. */
function valueAtAge(points: readonly SeriesPoint[], age: number): number | undefined {
  const time = points[0].time + age
  if (time > points.at(-1)!.time) return undefined
  let low = 0
  let high = points.length - 1
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2)
    if (points[middle].time <= time) low = middle
    else high = middle
  }

  const [p, q] = [points[low], points[high]]
  if (q.time === p.time) return p.mean
  return p.mean + ((q.mean - p.mean) * ((time - p.time) / (q.time - p.time)))
}

function spanOf(points: readonly SeriesPoint[]): number {
  const counted = points.filter(point => point.count > 0)
  return counted.length > 1 ? counted.at(-1)!.time - counted[0].time : 0
}
