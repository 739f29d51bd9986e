/**
 * The `prediction` alert's rule: a dyno's recent samples judged as mem:report judges a series
 * (judgeSeries: the same trend estimate and confidence), so that "web.3 reaches its quota in
 * ~25 min at 180 MB/h" is said only of a confident leak, and once per dyno instance.
 */
import type {MemorySample} from '../events.js'
import type {SeriesPoint} from '../report/downsampled-series.js'

import {usedMemory} from '../events.js'
import {judgeSeries} from '../report/classify.js'

/** Samples older than this (log clock) are not judged: the current rate is what matters. */
const WINDOW_MS = 2 * 3_600_000
/** A dyno is judged again at most this often (log clock): judging is O(n²) in its samples. */
const JUDGE_EVERY_MS = 5 * 60_000
/**
 * What mem:report calls medium confidence (render/report-text.ts confidenceWord). Its confidence
 * grows with the span judged: a clean 180 MB/h leak reaches 0.5 after an hour and high (0.75) only
 * after about 1.5 h, too late for a warning an hour ahead of the quota.
 */
export const MIN_CONFIDENCE = 0.45
/** Predicted only when the quota is this close at the current rate: a warning one can still act on. */
export const HORIZON_MS = 60 * 60_000

export interface Forecast {
  minutesToQuota: number
  rateMbPerHour: number
  confidence: number
}

interface DynoSeries {
  instance?: string
  points: SeriesPoint[]
  lastJudged: number
  /** Said once per instance: a restart gives the next instance its own forecast. */
  said: boolean
}

export class QuotaForecast {
  private readonly series = new Map<string, DynoSeries>()

  /** Adds a sample of `key`'s dyno; a forecast when this sample makes one due. */
  add(key: string, sample: MemorySample, limits: {killFactor: number; quota: number}): Forecast | undefined {
    let series = this.series.get(key)
    if (!series || (sample.instance !== undefined && sample.instance !== series.instance)) {
      series = {
        instance: sample.instance, lastJudged: sample.time, points: [], said: false,
      }
      this.series.set(key, series)
    }

    const used = usedMemory(sample)
    series.points.push({
      count: 1, max: used, mean: used, min: used, r14: 0, r15: 0, restarts: 0, time: sample.time,
    })
    while (series.points[0].time < sample.time - WINDOW_MS) series.points.shift()
    if (series.said || sample.time - series.lastJudged < JUDGE_EVERY_MS) return undefined
    series.lastJudged = sample.time
    const judged = judgeSeries(series.points, limits)
    const hours = judged.hoursToQuota
    if (judged.verdict !== 'leak' || judged.confidence < MIN_CONFIDENCE || hours === undefined || hours <= 0 || hours * 3_600_000 > HORIZON_MS) return undefined
    series.said = true
    return {confidence: judged.confidence, minutesToQuota: Math.max(1, Math.round(hours * 60)), rateMbPerHour: Math.round(judged.projectionRateMbPerHour ?? judged.recentSlopeMbPerHour)}
  }
}
