/**
 * The runtime metrics (`memory_*`, `load_avg_*`) by index, and the one rule that turns a set of
 * metric values into a memory or load sample, shared by current and 2013 legacy lines.
 */
import type {LoadSample, LogEvent, MemorySample} from '../events.js'

import {processTypeOf} from '../events.js'

/**
 * Values of one metric line are kept by these indexes (NaN marks "absent" and never leaves the
 * parser). A `const enum`, so that indexes compile to literals.
 */
export const enum Metric {
  Total,
  Rss,
  Cache,
  Swap,
  Pgpgin,
  Pgpgout,
  Quota,
  Load1m,
  Load5m,
  Load15m,
}
/** The metric names, by `Metric`. */
export const METRIC_NAMES = [
  'memory_total',
  'memory_rss',
  'memory_cache',
  'memory_swap',
  'memory_pgpgin',
  'memory_pgpgout',
  'memory_quota',
  'load_avg_1m',
  'load_avg_5m',
  'load_avg_15m',
]

/** Load metrics have the highest indexes. */
export function isLoadMetric(index: number): boolean {
  return index >= Metric.Load1m
}

/** Paging counters are counts of pages, not sizes. */
export function isPageCount(index: number): boolean {
  return index === Metric.Pgpgin || index === Metric.Pgpgout
}

/** The index of the metric named in `line[start, end)` (`memory_rss`, `load_avg_1m`, ...), else -1. */
export function metricIndex(line: string, start: number, end: number): number {
  const index = METRIC_BY_KEY.get(metricKey(line, start, end - start))
  return index !== undefined && line.startsWith(METRIC_NAMES[index], start) ? index : -1
}

/** Three cheap features that tell the metric names apart; a candidate is then confirmed by one comparison. */
function metricKey(text: string, start: number, length: number): number {
  return (((text.charCodeAt(start + 7) * 128) + text.charCodeAt(start + 9)) * 32) + length
}

const METRIC_BY_KEY = new Map(METRIC_NAMES.map((name, index) => [metricKey(name, 0, name.length), index]))

/** A memory sample when the values hold an Metric.Rss, else a load sample when they hold a load, else nothing. */
export function sampleEvent(values: Float64Array, dyno: string, instance: string | undefined, time: number, type = processTypeOf(dyno)): LogEvent | undefined {
  const rss = values[Metric.Rss]
  if (Number.isFinite(rss)) {
    const cache = finiteOr(values[Metric.Cache], 0)
    const swap = finiteOr(values[Metric.Swap], 0)
    const total = finiteOr(values[Metric.Total], rss + swap + cache)
    const pgpgin = values[Metric.Pgpgin]
    const pgpgout = values[Metric.Pgpgout]
    const quota = values[Metric.Quota]
    // The platform's line has them all: one literal, the same keys in the same order as below,
    // allocates the object once at its full size (a third less memory a sample than adding four
    // keys after it is made, each a change of shape and a growing property store).
    if (instance !== undefined && Number.isFinite(pgpgin) && Number.isFinite(pgpgout) && quota > 0) {
      return {
        cache, dyno, kind: 'memory', rss, swap, time, total, type, instance, pgpgin, pgpgout, quota,
      } satisfies Required<Omit<MemorySample, 'spanMs'>>
    }

    const sample: MemorySample = {
      cache, dyno, kind: 'memory', rss, swap, time, total, type,
    }
    if (instance !== undefined) sample.instance = instance
    if (Number.isFinite(pgpgin)) sample.pgpgin = pgpgin
    if (Number.isFinite(pgpgout)) sample.pgpgout = pgpgout
    if (quota > 0) sample.quota = quota
    return sample
  }

  const load1m = values[Metric.Load1m]
  const load5m = values[Metric.Load5m]
  const load15m = values[Metric.Load15m]
  if (!Number.isFinite(load1m) && !Number.isFinite(load5m) && !Number.isFinite(load15m)) return undefined
  const load: LoadSample = {
    dyno, kind: 'load', time, type,
  }
  if (instance !== undefined) load.instance = instance
  if (Number.isFinite(load1m)) load.load1m = load1m
  if (Number.isFinite(load5m)) load.load5m = load5m
  if (Number.isFinite(load15m)) load.load15m = load15m
  return load
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback
}
