import type {MemorySample} from '../events.js'

import {usedMemory} from '../events.js'
import {InvalidInput} from '../invalid-input.js'

/** A limit as a share of the dyno's quota, or an absolute amount of MiB. */
export type Threshold = {kind: 'mb'; mb: number} | {kind: 'percent'; percent: number}

/**
 * The limits `--threshold` sets: a bare value applies to every process type; `web=85%` to one.
 * Types named by none of them, when no bare value was given, are not watched.
 */
export interface ThresholdSet {
  byType: ReadonlyMap<string, Threshold>
  fallback?: Threshold
}

/** Which reading is compared with the threshold. R14 measures rss + swap. */
export type Metric = 'rss' | 'rss+swap' | 'total'

export const METRICS: readonly Metric[] = ['rss+swap', 'rss', 'total']

/**
 * `85%`, `900MB`, `1.5GB`, `512M`: Heroku's MB and GB are MiB and GiB. The unit is required:
 * a bare `150` could mean 150% as well as 150 MB, and a wrong guess restarts healthy dynos.
 */
export function parseThreshold(text: string): Threshold {
  const match = /^(\d+(?:\.\d+)?)\s*(%|mb|m|gb|g)?$/i.exec(text.trim())
  const value = match ? Number(match[1]) : Number.NaN
  if (!match || !Number.isFinite(value) || value <= 0) {
    throw new InvalidInput(`Invalid threshold "${text}": use a share of the quota (85%) or an amount (900MB, 1.5GB)`)
  }

  if (match[2] === undefined) throw new InvalidInput(`Threshold "${text}" has no unit: write ${value}% (of the quota) or ${value}MB`)
  const unit = match[2].toLowerCase()
  if (unit === '%') return {kind: 'percent', percent: value}
  return {kind: 'mb', mb: unit.startsWith('g') ? value * 1024 : value}
}

/**
 * Every `--threshold` value the user gave (the flag repeats, and one value may list several,
 * comma-separated): `90%`, `web=85%,worker=900MB`.
 */
export function parseThresholds(values: readonly string[]): ThresholdSet {
  const byType = new Map<string, Threshold>()
  let fallback: Threshold | undefined
  for (const value of values) {
    for (const part of value.split(',')) {
      const item = part.trim()
      if (item.length === 0) continue
      const equals = item.indexOf('=')
      if (equals === -1) {
        if (fallback) throw new InvalidInput(`Two thresholds for every process type: "${item}"; name a type for the others, e.g. web=85%`)
        fallback = parseThreshold(item)
        continue
      }

      const type = item.slice(0, equals).trim()
      if (!/^[\w-]+$/.test(type)) throw new InvalidInput(`Invalid process type "${type}" in --threshold ${item}: use e.g. web=85%`)
      if (byType.has(type)) throw new InvalidInput(`Two thresholds for ${type}: "${item}"`)
      byType.set(type, parseThreshold(item.slice(equals + 1)))
    }
  }

  if (!fallback && byType.size === 0) throw new InvalidInput('Give a threshold, e.g. --threshold 90% or --threshold web=85%,worker=900MB')
  return {byType, fallback}
}

/** The limit in MiB for a dyno of this type and quota; undefined when the type is not watched. */
export function limitFor(thresholds: ThresholdSet, type: string, quota: number): number | undefined {
  const threshold = thresholds.byType.get(type) ?? thresholds.fallback
  if (!threshold) return undefined
  return threshold.kind === 'mb' ? threshold.mb : (quota * threshold.percent) / 100
}

/** Whether the limit of this type is a share of the quota (it then needs the dyno's quota). */
export function isShareOfQuota(thresholds: ThresholdSet, type: string): boolean {
  return (thresholds.byType.get(type) ?? thresholds.fallback)?.kind === 'percent'
}

/** `85%` or `900MB`: how the user wrote it, for decision lines. */
export function describeThreshold(thresholds: ThresholdSet, type: string): string | undefined {
  const threshold = thresholds.byType.get(type) ?? thresholds.fallback
  if (!threshold) return undefined
  return threshold.kind === 'mb' ? `${Number(threshold.mb.toFixed(1))}MB` : `${threshold.percent}%`
}

/** The value of a sample that is compared with the limit. */
export function metricOf(sample: MemorySample, metric: Metric): number {
  if (metric === 'rss') return sample.rss
  if (metric === 'total') return sample.total
  return usedMemory(sample)
}
