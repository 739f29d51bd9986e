/**
 * Leak: steady growth paid per request. A leak is permanent, so memory at each sample is regressed
 * on how many requests of each route the dyno has started so far (its cumulative counts), with a
 * level per segment (at most an hour of one instance, restarted at every step), a background growth
 * per hour and a cost all requests share: non-negative costs (NNLS), Huber-weighted (a sample that
 * caught a burst of in-flight memory barely moves them), pooled over the dynos of a type.
 *
 * Why levels and not interval-to-interval changes: the routes' shares barely move with load, so a
 * route is told apart only by chance fluctuations in its count. In changes each request is seen
 * once against two samples' noise; in levels its leak stays in every later sample.
 *
 * Residuals of neighbouring samples are correlated (GC, caches warming, steps too small to see), so
 * tests use jackknife errors over blocks of samples and the intervals come from a block bootstrap.
 */
import type {MemoryInterval} from './intervals.js'
import type {RouteColumns} from './route-columns.js'

import {
  blockBootstrapIntervals, blockEquations, holmAdjust, jackknifeFit, upperTailP,
} from './inference.js'
import {contiguousRuns} from './jumps.js'
import {type Design, robustBoundedFit} from './robust-nnls.js'
import {SeededRandom} from './seeded-random.js'

/** Samples per segment (1 h): each has its own level. */
const SEGMENT_SAMPLES = 180
/**
 * Samples per block (30 min): the unit of the jackknife and the bootstrap. With 10-minute blocks
 * (and sandwich errors) a step too small to detect passed for evidence: routes were named in 2-4
 * of 20 simulated runs where none was guilty.
 */
const BLOCK_SAMPLES = 90
/** A run of contiguous samples shorter than this carries too little to fit its own level. */
const MIN_SEGMENT_SAMPLES = 15
const BOOTSTRAP_ROUNDS = 200
const INTERVAL_LEVEL = 0.95
/**
 * Columns before the routes: hours (background growth) and all requests so far (a cost every
 * request pays). Memory that grows with traffic as a whole is not any one route's doing: without
 * that column it lands on the busiest route, the one most like total traffic.
 */
const SHARED_COLUMNS = 2
/** Blocks beyond the number of columns: fewer leave the jackknife and the bootstrap degenerate. */
const SPARE_BLOCKS = 2

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
  /** Growth every request pays alike, whatever its route, MiB per 1000 requests. */
  commonMbPer1000: number
  blocks: number
  routes: RouteLeakEstimate[]
}

interface Segment {
  /** Memory (RSS + swap) at each sample, MiB. */
  levels: number[]
  /** Per sample: [hours since the segment began, all requests / 1000, requests / 1000 per column]. */
  rows: number[][]
}

/** Undefined when there are too few samples for the columns. */
export function fitLeak(intervals: readonly MemoryInterval[], breaks: ReadonlySet<number>, columns: RouteColumns, seed: number): LeakFit | undefined {
  const m = columns.names.length
  const p = m + SHARED_COLUMNS
  const segments = contiguousSegments(intervals, breaks, columns)
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
    for (let j = 0; j < m; j++) requests[j] += last[j + SHARED_COLUMNS] * 1000
    for (const [k, row] of segment.rows.entries()) {
      for (let j = 0; j < p; j++) values.push(row[j] - means[j])
      target.push(segment.levels[k] - means[p])
      blockOf.push(blocks + Math.floor(k / BLOCK_SAMPLES))
    }

    blocks += Math.ceil(segment.rows.length / BLOCK_SAMPLES)
  }

  if (m === 0 || blocks < p + SPARE_BLOCKS) return undefined
  const design: Design = {columns: p, rows: target.length, values: Float64Array.from(values)}
  const y = Float64Array.from(target)
  const block = Int32Array.from(blockOf)
  const free = Array.from({length: p}, () => false)
  const fit = robustBoundedFit(design, y, free)
  const equations = blockEquations(design, y, fit.weights, block, blocks)
  const test = jackknifeFit(equations)
  const pValues = Array.from({length: m}, (_, j) => upperTailP(test.coefficients[j + SHARED_COLUMNS] / test.standardErrors[j + SHARED_COLUMNS]))
  const adjusted = holmAdjust(pValues)
  const bounds = blockBootstrapIntervals(equations, free, {level: INTERVAL_LEVEL, random: new SeededRandom(seed), rounds: BOOTSTRAP_ROUNDS})
  return {
    backgroundMbPerHour: fit.coefficients[0],
    commonMbPer1000: fit.coefficients[1],
    blocks,
    routes: pValues.map((value, j) => ({
      adjustedP: adjusted[j],
      column: j,
      mbPer1000: fit.coefficients[j + SHARED_COLUMNS],
      mbPer1000Lower: bounds.lower[j + SHARED_COLUMNS],
      mbPer1000Upper: bounds.upper[j + SHARED_COLUMNS],
      p: value,
      requests: requests[j],
    })),
  }
}

/**
 * Runs of back-to-back intervals cut into segments, each with its own level: at every jump (so a
 * step, whatever its measured size, never leaks into the fit) and every SEGMENT_SAMPLES samples
 * (so a slow drift or a step too small to see shifts one segment, not the rest of the log).
 */
function contiguousSegments(intervals: readonly MemoryInterval[], breaks: ReadonlySet<number>, columns: RouteColumns): Segment[] {
  const m = columns.names.length
  const segments: Segment[] = []
  for (const run of contiguousRuns(intervals)) {
    let segment: Segment | undefined
    let origin = 0
    const cumulative = new Float64Array(m)
    let all = 0
    for (const index of run) {
      const interval = intervals[index]
      if (!segment || breaks.has(index) || segment.levels.length > SEGMENT_SAMPLES) {
        segment = {levels: [], rows: []}
        segments.push(segment)
        origin = interval.start
        cumulative.fill(0)
        all = 0
        if (!breaks.has(index)) {
          segment.levels.push(interval.startMb)
          segment.rows.push(Array.from({length: m + SHARED_COLUMNS}, () => 0))
        }
      }

      for (let k = 0; k < interval.routes.length; k++) {
        const column = columns.columnOf[interval.routes[k]]
        if (column !== -1) cumulative[column] += interval.counts[k] / 1000
      }

      all += interval.requests / 1000
      segment.levels.push(interval.endMb)
      segment.rows.push([(interval.end - origin) / 3_600_000, all, ...cumulative])
    }
  }

  return segments
}
