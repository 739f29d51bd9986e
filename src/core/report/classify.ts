import type {SeriesPoint} from './downsampled-series.js'

import {
  differenceNoise, median, robustScale, theilSen, valueAt,
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

/**
 * Classifies a downsampled series (bucket means of RSS + swap). The rules, in order:
 * - growth: the last quarter's median sits clearly above the first quarter's (clearly = above
 *   both a noise bound and 3% of the level) and the robust slope agrees; or the first few
 *   points sit below nearly all of the last quarter (a quick rise, then flat);
 * - with growth: `bloat` (grew, then levelled off) when the last third's robust slope fell
 *   below 40% of the overall one by more than noise, else `leak` (still growing);
 * - without growth: `spiky` when two or more separate excursions rise far above the running
 *   median, else `steady`.
 * Quarters and medians rather than a straight fit keep a GC sawtooth, a single spike or a
 * swap-in from reading as growth.
 */
export function judgeSeries(rawPoints: readonly SeriesPoint[], options: JudgeOptions): SeriesJudgement {
  const points = rawPoints.filter(point => point.count > 0)
  const samples = points.reduce((sum, point) => sum + point.count, 0)
  const n = points.length
  const origin = n > 0 ? points[0].time : 0
  const xs = points.map(point => (point.time - origin) / HOUR)
  const ys = points.map(point => point.mean)
  const span = n > 0 ? xs[n - 1] : 0
  const level = median(ys)
  const noise = Math.max(differenceNoise(ys), 0.5, 0.002 * (Number.isFinite(level) ? level : 0))
  const line = theilSen(xs, ys)
  const slope = Number.isFinite(line.slope) ? line.slope : 0

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
  const early = window(xs, ys, 0, span / 4)
  const late = window(xs, ys, (3 * span) / 4, span)
  const startMb = median(early)
  const endMb = median(late)
  const quarterGrowth = endMb - startMb
  // Slow wander (correlated noise) hides from the difference noise but not from the spread
  // around the robust line, which a real trend leaves small.
  const wander = robustScale(ys.map((y, i) => y - valueAt(line, xs[i])))
  const quarterBound = Math.max(practical, wander, (3 * 1.77 * noise) / Math.sqrt(Math.min(early.length, late.length)))
  const grewSteadily = quarterGrowth > quarterBound && slope * span > quarterBound / 2

  const headCount = clamp(Math.round(n / 10), 3, 10)
  const headLevel = median(ys.slice(0, headCount))
  const lateLow = quantileOf(late, 0.1)
  const headBound = Math.max(practical, (3 * 1.77 * noise) / Math.sqrt(headCount))
  const grewAtStart = !grewSteadily && lateLow - headLevel > headBound

  const spikes = countSpikes(points, level)
  const judged = {
    ...base, endMb, spikes, startMb,
  }

  if (grewSteadily || grewAtStart) {
    const tail = lastPart(xs, ys, span)
    const tailLine = theilSen(tail.xs, tail.ys)
    const recent = Number.isFinite(tailLine.slope) ? tailLine.slope : 0
    const tailSpan = tail.xs.at(-1)! - tail.xs[0]
    const tailBound = Math.max(practical / 2, 3 * noise * Math.sqrt(12 / tail.xs.length))
    const tailRise = recent * tailSpan
    const growth = grewSteadily ? quarterGrowth : lateLow - headLevel
    // Levelled off = the recent slope fell clearly below the overall one; when the tail is too
    // short or noisy to show that, growth that went on across the whole series counts as a leak.
    const shortfall = (slope - recent) * tailSpan
    const levelled = !grewSteadily || (recent < 0.4 * slope && shortfall > tailBound)
    if (!levelled) {
      const margin = Math.min(quarterGrowth / quarterBound, Math.max(tailRise, tailBound / 2) / tailBound)
      const now = valueAt(tailLine, tail.xs.at(-1)!)
      const kill = options.quota * options.killFactor
      return {
        ...judged,
        confidence: round2(spanFactor * marginFactor(margin) * clamp(0.1 + (recent / slope), 0.5, 1)),
        hoursToKill: Math.max(0, (kill - now) / recent),
        hoursToQuota: Math.max(0, (options.quota - now) / recent),
        reason: `rose ${mb(growth)} over ${formatHours(span)}, still rising ${mb(recent)}/h`,
        recentSlopeMbPerHour: recent,
        verdict: 'leak',
      }
    }

    const flatness = grewSteadily ? shortfall / tailBound : tailBound / Math.max(tailRise, tailBound / 4)
    return {
      ...judged,
      confidence: round2(spanFactor * marginFactor(Math.min(growth / (grewSteadily ? quarterBound : headBound), flatness))),
      reason: `rose ${mb(growth)}, then levelled off near ${mb(endMb)}`,
      recentSlopeMbPerHour: recent,
      verdict: 'bloat',
    }
  }

  const stillness = quarterBound / Math.max(Math.abs(quarterGrowth), quarterBound / 4)
  if (spikes >= 2) {
    return {
      ...judged, confidence: round2(spanFactor * marginFactor(spikes / 2)), reason: `${spikes} spikes above a level of ${mb(level)}`, verdict: 'spiky',
    }
  }

  return {
    ...judged,
    confidence: round2(spanFactor * marginFactor(stillness)),
    reason: `level near ${mb(level)} over ${formatHours(span)}${spikes === 1 ? ', one spike' : ''}`,
    verdict: 'steady',
  }
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
    const before = i > 0 ? median(means.slice(Math.max(0, i - 3), i)) : Number.NaN
    const after = i < means.length - 1 ? median(means.slice(i + 1, i + 4)) : Number.NaN
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

function window(xs: number[], ys: number[], from: number, to: number): number[] {
  const out: number[] = []
  for (let i = 0; i < xs.length; i++) if (xs[i] >= from && xs[i] <= to) out.push(ys[i])
  return out.length >= 3 ? out : (from === 0 ? ys.slice(0, 3) : ys.slice(-3))
}

/** The points of the last third of the time span (at least five). */
function lastPart(xs: number[], ys: number[], span: number): {xs: number[]; ys: number[]} {
  let start = xs.findIndex(x => x >= (2 * span) / 3)
  if (start < 0 || xs.length - start < 5) start = Math.max(0, xs.length - 5)
  return {xs: xs.slice(start), ys: ys.slice(start)}
}

function quantileOf(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
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

export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`
  if (hours < 48) return `${(Math.round(hours * 10) / 10).toString()} h`
  return `${(Math.round((hours / 24) * 10) / 10).toString()} days`
}
