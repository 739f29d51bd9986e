import type {SeriesPoint} from './downsampled-series.js'

import {formatHours} from '../format-duration.js'
import {
  differenceNoise, type Line, median, OrderStatistics, pairwiseSlopes, robustScale, valueAt, windowMedian,
} from './robust-stats.js'

export type Verdict = 'bloat' | 'insufficient' | 'leak' | 'spiky' | 'steady'

/** How one series (one dyno instance within one release) behaved, judged on RSS + swap. */
export interface SeriesJudgement {
  verdict: Verdict
  /** 0..1: grows with the time span covered and with how clearly the thresholds were passed. */
  confidence: number
  /** Robust (Theil–Sen) slope over the whole series, MiB per hour. */
  slopeMbPerHour: number
  /** Robust slope over the last third of the series: the current rate. */
  recentSlopeMbPerHour: number
  /** Typical level at the start and at the end (medians of the first and last quarter), MiB. */
  startMb: number
  endMb: number
  /** Median level over the series, MiB. */
  levelMb: number
  /** Noise (robust standard deviation of sample-to-sample change), MiB. */
  noiseMb: number
  /** Separate excursions well above the running level. */
  spikes: number
  /** Projected hours from the end of the series to the quota (R14) and the kill threshold (R15) at the recent rate; leaks only; 0 when already there. */
  hoursToQuota?: number
  hoursToKill?: number
  /** Likely range of hoursToQuota (from the slope's interval; Infinity when the slope could be 0); leaks only. */
  hoursToQuotaInterval?: [number, number]
  /** The rate the projections use: the whole series' slope, or the recent one when the rate changed; leaks only. */
  projectionRateMbPerHour?: number
  /** Why, in a few words, with numbers. */
  reason: string
}

export interface JudgeOptions {
  quota: number
  killFactor: number
}

/** Below these a series is `insufficient`: too little to tell growth from noise. */
export const MIN_SAMPLES = 15
export const MIN_SPAN_HOURS = 0.25

const HOUR = 3_600_000

/** Two-sided normal quantile for the slope intervals: growth must clear zero at 99%. */
const Z = 2.58
/** A leak must be practically meaningful: at least this share of its starting level per hour... */
const MIN_RATE_SHARE = 0.01
/** ...or bring the dyno to its quota within this many hours. */
const HORIZON_HOURS = 72
/** The recent part levelled off when its slope is below this share of the early part's. */
const LEVELLED_SHARE = 0.4

/**
 * Classifies a downsampled series (bucket means of RSS + swap). The rules, in order:
 * - growth: the robust (Theil–Sen) slope's rank interval, widened for the residuals'
 *   autocorrelation, excludes zero, and the last quarter's median sits above the first
 *   quarter's by several residual spreads; or the level rose early and then stayed flat;
 * - with growth: `bloat` (grew, then levelled off) when the last 40%'s slope is small next to
 *   the first 40%'s and clearly below it or not clearly above zero; else `leak` (still
 *   growing) when the rate matters: 1% of the level an hour, or the quota within 3 days;
 * - without growth: `spiky` when two or more separate excursions rise far above the running
 *   median, else `steady`.
 * Widening the interval for autocorrelation keeps a random walk or slow wander (which a
 * plain interval reads as a trend half the time) from counting as growth.
 */
export function judgeSeries(rawPoints: readonly SeriesPoint[], options: JudgeOptions): SeriesJudgement {
  const points = rawPoints.filter(point => point.count > 0)
  const parts = splitAtRestarts(points)
  if (parts.length === 1) return judgeRun(points, options)
  const judged = parts.map(run => judgeRun(run, options)).filter(judgement => judgement.verdict !== 'insufficient')
  if (judged.length === 0) return judgeRun(points, options)
  let worst = judged[0]
  for (const judgement of judged) if (VERDICT_SEVERITY[judgement.verdict] > VERDICT_SEVERITY[worst.verdict]) worst = judgement
  return {...worst, reason: `${worst.reason} (series split at a drop like a restart)`}
}

/** How serious a verdict is: a dyno or a type takes the most serious verdict among its series. */
export const VERDICT_SEVERITY: Record<Verdict, number> = {
  bloat: 3, insufficient: 0, leak: 4, spiky: 2, steady: 1,
}

/**
 * Splits at one or two sustained drops (the three points before sit far above the three
 * after), which an unlogged restart leaves; more such drops are a GC sawtooth or spikes.
 */
function splitAtRestarts(points: SeriesPoint[]): SeriesPoint[][] {
  const ys = points.map(point => point.mean)
  const level = median(ys)
  const bound = Math.max(8 * differenceNoise(ys), 0.15 * level, 30)
  const cuts: number[] = []
  for (let i = 3; i <= ys.length - 3; i++) {
    if (windowMedian(ys, i - 3, i) - windowMedian(ys, i, i + 3) > bound && (cuts.length === 0 || i - cuts.at(-1)! > 3)) cuts.push(i)
  }

  if (cuts.length === 0 || cuts.length > 2) return [points]
  return [0, ...cuts].map((start, k) => points.slice(start, cuts[k] ?? points.length))
}

function judgeRun(points: SeriesPoint[], options: JudgeOptions): SeriesJudgement {
  const samples = points.reduce((sum, point) => sum + point.count, 0)
  const n = points.length
  const origin = n > 0 ? points[0].time : 0
  const xs = points.map(point => (point.time - origin) / HOUR)
  const ys = points.map(point => point.mean)
  const span = n > 0 ? xs[n - 1] : 0
  const level = median(ys)
  const noise = Math.max(differenceNoise(ys), 0.5, 0.002 * (Number.isFinite(level) ? level : 0))
  const whole = senFit(xs, ys)
  const {slope} = whole

  const base = {
    endMb: n > 0 ? median(ys.slice(Math.floor((3 * n) / 4))) : Number.NaN,
    levelMb: level,
    noiseMb: noise,
    recentSlopeMbPerHour: slope,
    slopeMbPerHour: slope,
    spikes: 0,
    startMb: n > 0 ? median(ys.slice(0, Math.max(1, Math.ceil(n / 4)))) : Number.NaN,
  }
  if (samples < MIN_SAMPLES || span < MIN_SPAN_HOURS || n < 6) {
    return {
      ...base, confidence: 0, reason: `${samples} samples over ${formatHours(span)}: too little to judge`, verdict: 'insufficient',
    }
  }

  const spanFactor = clamp(span / 2, 0.25, 1)
  const practical = Math.max(0.03 * level, 5)
  const startMb = median(part(xs, ys, 0, span / 4).ys)
  const endMb = median(part(xs, ys, (3 * span) / 4, span).ys)
  const rise = endMb - startMb
  // The quarter medians' difference against its own uncertainty: the residual spread, with
  // as many independent points as the autocorrelation leaves.
  const quarterPoints = Math.max(3, Math.round(n / 4))
  const riseBound = Math.max(practical, Z * 1.25 * whole.scale * Math.sqrt((2 * whole.inflation) / quarterPoints))
  const grewSteadily = whole.lower > 0 && rise > riseBound

  const early = senFit(...spread(part(xs, ys, 0, 0.4 * span)))
  const recentPart = part(xs, ys, 0.6 * span, span)
  const recent = senFit(...spread(recentPart))
  // A quick rise, then flat: the first points sit below the flat part by much more than its own
  // spread, and that part does not keep climbing.
  const headCount = clamp(Math.round(n / 10), 3, 10)
  const headRise = median(recentPart.ys) - median(ys.slice(0, headCount))
  const flatAfter = recent.lower <= 0 || recent.slope * span < 0.2 * headRise
  const grewAtStart = !grewSteadily && flatAfter && headRise > Math.max(practical, 4 * recent.scale, 3 * whole.scale)

  const spikes = countSpikes(points, level)
  const judged = {
    ...base, endMb, recentSlopeMbPerHour: recent.slope, spikes, startMb,
  }

  if (grewSteadily || grewAtStart) {
    const slowedClearly = early.slope - recent.slope > Math.hypot(early.halfWidth, recent.halfWidth)
    const levelled = grewAtStart || (recent.slope < LEVELLED_SHARE * Math.max(early.slope, slope) && (slowedClearly || recent.lower <= 0))
    // Project with the whole series' line, whose error shrinks with every point; only a rate that
    // clearly changed (the early and recent slopes differ beyond their intervals) calls for the recent one.
    const rateChanged = Math.abs(early.slope - recent.slope) > Math.hypot(early.halfWidth, recent.halfWidth)
    const projection = rateChanged || whole.slope <= 0 ? recent : whole
    const rate = Math.max(projection.slope, 1e-9)
    const now = projection === whole ? valueAt(whole, xs[n - 1]) : valueAt(recent, recentPart.xs.at(-1)!)
    // The whole series' slope is the steadier estimate of whether the rate matters.
    const matters = recent.slope > 0 && (slope >= MIN_RATE_SHARE * startMb || slope * HORIZON_HOURS >= options.quota - now)
    if (!levelled && matters) {
      const kill = options.quota * options.killFactor
      const margin = Math.min(rise / riseBound, whole.lower > 0 ? 1 + (whole.lower / Math.max(whole.slope - whole.lower, 1e-9)) : 0.5)
      const toQuota = Math.max(0, options.quota - now)
      return {
        ...judged,
        confidence: round2(spanFactor * marginFactor(margin) * clamp(0.1 + (recent.slope / slope), 0.5, 1)),
        hoursToKill: Math.max(0, (kill - now) / rate),
        hoursToQuota: toQuota / rate,
        hoursToQuotaInterval: [toQuota / Math.max(projection.upper, rate), projection.lower > 0 ? toQuota / Math.min(projection.lower, rate) : Number.POSITIVE_INFINITY],
        projectionRateMbPerHour: rate,
        reason: `rose ${mb(rise)} over ${formatHours(span)}, still rising ${mb(recent.slope)}/h`,
        verdict: 'leak',
      }
    }

    if (levelled) {
      const growth = grewSteadily ? rise : headRise
      return {
        ...judged,
        confidence: round2(spanFactor * marginFactor(growth / riseBound)),
        reason: `rose ${mb(growth)}, then levelled off near ${mb(endMb)}`,
        verdict: 'bloat',
      }
    }
  }

  const stillness = riseBound / Math.max(Math.abs(rise), riseBound / 4)
  if (spikes >= 2) {
    return {
      ...judged, confidence: round2(spanFactor * marginFactor(spikes / 2)), reason: `${spikes} spikes above a level of ${mb(level)}`, verdict: 'spiky',
    }
  }

  return {
    ...judged,
    confidence: round2(spanFactor * marginFactor(stillness)),
    reason: `level near ${mb(level)} over ${formatHours(span)}${spikes === 1 ? ', one spike' : ''}${slope > 0 && whole.lower > 0 ? `, drifting ${round2(slope)} MB/h` : ''}`,
    verdict: 'steady',
  }
}

interface SenFit extends Line {
  /** Bounds of the slope's rank interval (Sen), widened for autocorrelated residuals. */
  lower: number
  upper: number
  halfWidth: number
  /** Variance factor (1 + r) / (1 - r) for the residuals' lag-1 autocorrelation r. */
  inflation: number
  /** Robust spread of the residuals around the line. */
  scale: number
}

/**
 * Theil–Sen line with Sen's rank-based interval for its slope. The interval assumes
 * independent residuals; memory samples are not (GC cycles, wander), so its variance is
 * multiplied by (1 + r) / (1 - r), r the lag-1 autocorrelation of the residuals: a random
 * walk's residuals have r near 1 and get an interval wide enough to hold zero.
 * Quadratic in the points, like Theil–Sen itself: callers pass at most a few hundred.
 */
function senFit(xs: readonly number[], ys: readonly number[]): SenFit {
  const n = xs.length
  const origin = n > 0 ? xs[0] : 0
  const pairs = pairwiseSlopes(xs, ys)
  const count = pairs.length
  if (count === 0) return {
    halfWidth: 0, inflation: 1, intercept: n > 0 ? median(ys) : Number.NaN, lower: 0, origin, scale: 0, slope: 0, upper: 0,
  }
  // Three order statistics of the pairwise slopes, by selection rather than a full sort.
  const statistics = new OrderStatistics(pairs)
  const order = (k: number) => statistics.at(k)
  const slope = count % 2 === 1 ? order((count - 1) / 2) : (order((count / 2) - 1) + order(count / 2)) / 2
  const line = {intercept: median(ys.map((y, i) => y - (slope * (xs[i] - origin)))), origin, slope}
  const residuals = ys.map((y, i) => y - valueAt(line, xs[i]))
  const scale = robustScale(residuals)
  const inflation = correlationInflation(residuals, scale)
  const variance = ((n * (n - 1) * ((2 * n) + 5)) / 18) * inflation
  const reach = Z * Math.sqrt(variance)
  const lower = order(clamp(Math.floor((count - reach) / 2), 0, count - 1))
  const upper = order(clamp(Math.ceil((count + reach) / 2), 0, count - 1))
  return {
    ...line, halfWidth: (upper - lower) / 2, inflation, lower, scale, upper,
  }
}

/**
 * Variance factor of a sum of autocorrelated residuals: 1 + 2 sum of autocorrelations up to a
 * quarter of the length (Bartlett weights), clipped at 3 spreads so a spike does not decide it.
 * A random walk's residuals stay correlated over many lags and get a large factor; a GC
 * sawtooth's correlations alternate in sign and mostly cancel.
 */
function correlationInflation(residuals: readonly number[], scale: number): number {
  const n = residuals.length
  if (n < 4 || scale === 0) return 1
  const bound = 3 * scale
  const clipped = residuals.map(value => clamp(value, -bound, bound))
  const mean = clipped.reduce((sum, value) => sum + value, 0) / n
  const centered = clipped.map(value => value - mean)
  const variance = centered.reduce((sum, value) => sum + (value * value), 0)
  if (variance === 0) return 1
  const lags = Math.max(1, Math.floor(n / 4))
  let factor = 1
  for (let lag = 1; lag <= lags; lag++) {
    let products = 0
    for (let i = lag; i < n; i++) products += centered[i] * centered[i - lag]
    factor += 2 * (1 - (lag / (lags + 1))) * (products / variance)
  }

  return clamp(factor, 1, n)
}

/**
 * Excursions of a bucket's maximum above the levels just before and just after it (medians of
 * three bucket means each side), so a sawtooth's peak, which its own ramp leads up to, is not
 * one. Far above means beyond the usual excursion by 5 robust deviations and by 15% of the
 * level (at least 25 MiB). Consecutive buckets count as one spike.
 */
function countSpikes(points: readonly SeriesPoint[], level: number): number {
  const means = points.map(point => point.mean)
  const excursions = points.map((point, i) => {
    const before = i > 0 ? windowMedian(means, i - 3, i) : Number.NaN
    const after = i < means.length - 1 ? windowMedian(means, i + 1, i + 4) : Number.NaN
    const around = Number.isNaN(before) ? after : (Number.isNaN(after) ? before : Math.max(before, after))
    return point.max - around
  })
  const typical = median(excursions)
  const spread = 1.4826 * median(excursions.map(value => Math.abs(value - typical)))
  const bound = Math.max(typical, 0) + Math.max(5 * spread, 0.15 * level, 25)
  let spikes = 0
  let inSpike = false
  for (const excursion of excursions) {
    const over = excursion > bound
    if (over && !inSpike) spikes++
    inSpike = over
  }

  return spikes
}

/** The points with times in [from, to] (at least three: the first or last three otherwise). */
function part(xs: number[], ys: number[], from: number, to: number): {xs: number[]; ys: number[]} {
  const picked = {xs: [] as number[], ys: [] as number[]}
  for (const [i, x] of xs.entries()) {
    if (x >= from && x <= to) {
      picked.xs.push(x)
      picked.ys.push(ys[i])
    }
  }

  if (picked.xs.length >= 3) return picked
  return from === 0 ? {xs: xs.slice(0, 3), ys: ys.slice(0, 3)} : {xs: xs.slice(-3), ys: ys.slice(-3)}
}

function spread(picked: {xs: number[]; ys: number[]}): [number[], number[]] {
  return [picked.xs, picked.ys]
}

/** 1x the threshold -> 0.5, 2x -> 0.75, 4x and more -> 1. */
function marginFactor(margin: number): number {
  return clamp(0.5 + (0.25 * Math.log2(Math.max(margin, 0.01))), 0.3, 1)
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

function mb(value: number): string {
  return `${Math.round(value)} MB`
}
