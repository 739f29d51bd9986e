/**
 * Leak: steady growth paid per request. A leak is permanent, so memory at each sample is regressed
 * on how many requests of each route the dyno has started so far (its cumulative counts), with a
 * level per dyno instance and a common background growth per hour: non-negative per-route costs
 * (NNLS), Huber-weighted (a sample that caught a burst of in-flight memory barely moves them),
 * pooled over the dynos of a type. Jumps (found separately) are taken out of the levels first.
 *
 * Why levels and not interval-to-interval changes: the routes' shares barely move with load, so a
 * route is told apart only by chance fluctuations in its count. In changes each request is seen
 * once against two samples' noise; in levels its leak stays in every later sample.
 *
 * Residuals of neighbouring samples are correlated (GC, caches warming), so tests use sandwich
 * errors clustered by blocks of samples and the intervals come from a block bootstrap.
 */
import type {MemoryInterval} from './intervals.js'
import type {RouteColumns} from './route-columns.js'

import {
  blockBootstrapIntervals, clusteredSandwichFit, holmAdjust, upperTailP,
} from './inference.js'
import {contiguousRuns} from './jumps.js'
import {type Design, robustBoundedFit} from './robust-nnls.js'
import {SeededRandom} from './seeded-random.js'

/** Samples per segment (1 h): each has its own level. */
export const SEGMENT_SAMPLES = 180
/** Samples per block (10 min): the unit of the clustered errors and the bootstrap. */
export const BLOCK_SAMPLES = 30
/** A run of contiguous samples shorter than this carries too little to fit its own level. */
const MIN_SEGMENT_SAMPLES = 15
const BOOTSTRAP_ROUNDS = 100
export const INTERVAL_LEVEL = 0.95
/** Fewer blocks than this per column: the fit is not attempted. */
const BLOCKS_PER_COLUMN = 2

export interface RouteLeakEstimate {
  adjustedP: number
  column: number
  /** MiB per 1000 requests: the constrained robust estimate and its bootstrap interval. */
  mbPer1000: number
  mbPer1000Lower: number
  mbPer1000Upper: number
  p: number
  /** Requests of this column in the samples fitted. */
  requests: number
}

export interface LeakFit {
  /** Background growth with no requests, MiB per hour. */
  backgroundMbPerHour: number
  blocks: number
  routes: RouteLeakEstimate[]
  samples: number
}

interface Segment {
  /** Rows of [hours, cumulative count / 1000 per column], then the level. */
  levels: number[]
  rows: number[][]
}

/** Undefined when there are too few samples for the columns. */
export function fitLeak(intervals: readonly MemoryInterval[], jumps: ReadonlyMap<number, number>, columns: RouteColumns, seed: number): LeakFit | undefined {
  const m = columns.names.length
  const p = m + 1
  const segments = contiguousSegments(intervals, jumps, columns)
  const values: number[] = []
  const target: number[] = []
  const blockOf: number[] = []
  const requests = new Float64Array(m)
  let blocks = 0
  for (const segment of segments) {
    if (segment.levels.length < MIN_SEGMENT_SAMPLES) continue
    // Each segment has its own level: centring every column within it removes that level.
    const means = new Float64Array(p + 1)
    for (const [k, row] of segment.rows.entries()) {
      for (let j = 0; j < p; j++) means[j] += row[j] / segment.rows.length
      means[p] += segment.levels[k] / segment.rows.length
    }

    const last = segment.rows.at(-1)!
    for (let j = 0; j < m; j++) requests[j] += last[j + 1] * 1000
    for (const [k, row] of segment.rows.entries()) {
      for (let j = 0; j < p; j++) values.push(row[j] - means[j])
      target.push(segment.levels[k] - means[p])
      blockOf.push(blocks + Math.floor(k / BLOCK_SAMPLES))
    }

    blocks += Math.ceil(segment.rows.length / BLOCK_SAMPLES)
  }

  if (m === 0 || blocks < BLOCKS_PER_COLUMN * p) return undefined
  const design: Design = {columns: p, rows: target.length, values: Float64Array.from(values)}
  const y = Float64Array.from(target)
  const block = Int32Array.from(blockOf)
  const free = Array.from({length: p}, () => false)
  const fit = robustBoundedFit(design, y, free)
  const test = clusteredSandwichFit(design, y, fit.weights, block, blocks)
  const pValues = Array.from({length: m}, (_, j) => upperTailP(test.coefficients[j + 1] / test.standardErrors[j + 1]))
  const adjusted = holmAdjust(pValues)
  const bounds = blockBootstrapIntervals(design, y, fit.weights, free, {
    block, blocks, level: INTERVAL_LEVEL, random: new SeededRandom(seed), rounds: BOOTSTRAP_ROUNDS,
  })
  return {
    backgroundMbPerHour: fit.coefficients[0],
    blocks,
    routes: pValues.map((value, j) => ({
      adjustedP: adjusted[j],
      column: j,
      mbPer1000: fit.coefficients[j + 1],
      mbPer1000Lower: bounds.lower[j + 1],
      mbPer1000Upper: bounds.upper[j + 1],
      p: value,
      requests: requests[j],
    })),
    samples: target.length,
  }
}

/**
 * Runs of back-to-back intervals cut into segments, each with its own level: at every jump (so a
 * step, whatever its measured size, never leaks into the fit) and every SEGMENT_SAMPLES samples
 * (so a slow drift or a step too small to see shifts one segment, not the rest of the log).
 */
function contiguousSegments(intervals: readonly MemoryInterval[], jumps: ReadonlyMap<number, number>, columns: RouteColumns): Segment[] {
  const m = columns.names.length
  const segments: Segment[] = []
  for (const run of contiguousRuns(intervals)) {
    let segment: Segment | undefined
    let origin = 0
    const cumulative = new Float64Array(m)
    for (const index of run) {
      const interval = intervals[index]
      if (!segment || jumps.has(index) || segment.levels.length > SEGMENT_SAMPLES) {
        segment = {levels: [], rows: []}
        segments.push(segment)
        origin = interval.start
        cumulative.fill(0)
        if (!jumps.has(index)) {
          segment.levels.push(interval.startMb)
          segment.rows.push(Array.from({length: m + 1}, () => 0))
        }
      }

      for (let k = 0; k < interval.routes.length; k++) {
        const column = columns.columnOf[interval.routes[k]]
        if (column !== -1) cumulative[column] += interval.counts[k] / 1000
      }

      segment.levels.push(interval.endMb)
      segment.rows.push([(interval.end - origin) / 3_600_000, ...cumulative])
    }
  }

  return segments
}
