/**
 * Leak: steady growth paid per request. A leak is permanent, so memory at each sample is regressed
 * on how many requests of each route the dyno has started so far (its cumulative counts), with a
 * level per segment (at most an hour of one instance, restarted at every step), a background growth
 * per hour, a cost all requests share and the requests in flight: non-negative costs (NNLS),
 * Huber-weighted (a sample that caught a burst of in-flight memory barely moves them), pooled over
 * the dynos of a type. Routes join the model one at a time (forward selection, Holm step-down).
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
  ALPHA, blockBootstrapIntervals, blockEquations, combineAll, holmAdjust, jackknifeFit, subEquations, upperTailTP,
} from './inference.js'
import {contiguousRuns} from './jumps.js'
import {boundedSolve, type Design, robustBoundedFit} from './robust-nnls.js'
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
 * Columns before the routes: hours (background growth), all requests so far (a cost every request
 * pays) and the requests in flight at the sample. Memory that grows with traffic as a whole is not
 * any one route's doing: without that column it lands on the busiest route, the one most like total
 * traffic. Memory held in flight rises and falls with the load and the mix: without its column, at
 * many threads, 7 of 20 simulated runs with no guilty route named one (3 with it).
 */
const SHARED_COLUMNS = 3
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
  /** Per sample: [hours since the segment began, all requests / 1000, requests in flight, requests / 1000 per column]. */
  rows: number[][]
}

/** Undefined when there are too few samples for the columns. */
export function fitLeak(intervals: readonly MemoryInterval[], breaks: ReadonlySet<number>, columns: RouteColumns, seed: number): LeakFit | undefined {
  const m = columns.names.length
  const p = SHARED_COLUMNS + m
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

  if (m === 0 || blocks < SHARED_COLUMNS + 1 + SPARE_BLOCKS) return undefined
  const design: Design = {columns: p, rows: target.length, values: Float64Array.from(values)}
  const y = Float64Array.from(target)
  const block = Int32Array.from(blockOf)
  const selection = selectRoutes(design, y, block, blocks, m)
  const model = modelColumns(selection.selected)
  const fit = robustBoundedFit(designOf(design, model), y, model.map(() => false))
  const equations = blockEquations(design, y, fit.weights, block, blocks)
  const random = new SeededRandom(seed)
  return {
    backgroundMbPerHour: fit.coefficients[0],
    blocks,
    commonMbPer1000: fit.coefficients[1],
    routes: Array.from({length: m}, (_, j) => {
      // A route outside the model is judged as the one route added to it.
      const own = selection.selected.includes(j) ? model : [...model, SHARED_COLUMNS + j]
      const position = own.indexOf(SHARED_COLUMNS + j)
      const sub = subEquations(equations, own)
      const free = own.map(() => false)
      const summed = combineAll(sub)
      const bounds = blockBootstrapIntervals(sub, free, {level: INTERVAL_LEVEL, random, rounds: BOOTSTRAP_ROUNDS})
      return {
        adjustedP: selection.adjustedP[j],
        column: j,
        mbPer1000: boundedSolve(summed.a, summed.c, free)[position],
        mbPer1000Lower: bounds.lower[position],
        mbPer1000Upper: bounds.upper[position],
        p: selection.p[j],
        requests: requests[j],
      }
    }),
  }
}

/**
 * Forward selection: the route whose requests best explain what the current model leaves (a
 * jackknife test of that route added alone) joins it while its Holm step-down p-value stays under
 * ALPHA; then the next, with the chosen ones in the model. A leak usually has one source: testing
 * each route against the shared columns alone keeps the fit small (a dozen routes fitted at once
 * left the jackknife few spare blocks and split a leak among routes whose mixes drifted alike).
 */
function selectRoutes(design: Design, y: Float64Array, block: Int32Array, blocks: number, m: number): {adjustedP: Float64Array; p: Float64Array; selected: number[]} {
  const selected: number[] = []
  const p = new Float64Array(m).fill(1)
  const adjustedP = new Float64Array(m).fill(1)
  let running = 0
  for (;;) {
    const model = modelColumns(selected)
    const remaining = Array.from({length: m}, (_, j) => j).filter(j => !selected.includes(j))
    if (remaining.length === 0 || blocks < model.length + 1 + SPARE_BLOCKS) break
    const {weights} = robustBoundedFit(designOf(design, model), y, model.map(() => false))
    const equations = blockEquations(design, y, weights, block, blocks)
    for (const j of remaining) {
      const test = jackknifeFit(subEquations(equations, [...model, SHARED_COLUMNS + j]))
      p[j] = upperTailTP(test.coefficients[model.length] / test.standardErrors[model.length], blocks - 1)
    }

    const adjusted = holmAdjust(remaining.map(j => p[j]))
    for (const [k, j] of remaining.entries()) adjustedP[j] = Math.max(running, adjusted[k])
    let best = remaining[0]
    for (const j of remaining) if (p[j] < p[best]) best = j
    running = adjustedP[best]
    if (running >= ALPHA) break
    selected.push(best)
  }

  return {adjustedP, p, selected}
}

/** Design columns of a model: the shared ones, then the chosen routes' (route j is column SHARED_COLUMNS + j). */
function modelColumns(routes: readonly number[]): number[] {
  return [...Array.from({length: SHARED_COLUMNS}, (_, j) => j), ...routes.map(j => SHARED_COLUMNS + j)]
}

function designOf(design: Design, columns: readonly number[]): Design {
  const q = columns.length
  const values = new Float64Array(design.rows * q)
  for (let i = 0; i < design.rows; i++) {
    for (const [k, column] of columns.entries()) values[(i * q) + k] = design.values[(i * design.columns) + column]
  }

  return {columns: q, rows: design.rows, values}
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
      }

      for (let k = 0; k < interval.routes.length; k++) {
        const column = columns.columnOf[interval.routes[k]]
        if (column !== -1) cumulative[column] += interval.counts[k] / 1000
      }

      all += interval.requests / 1000
      segment.levels.push(interval.endMb)
      // Requests in flight at the sample that closes the interval: about those started in it, for their service time.
      const inFlight = interval.end > interval.start ? interval.serviceMs / (interval.end - interval.start) : 0

      segment.rows.push([(interval.end - origin) / 3_600_000, all, inFlight, ...cumulative])
    }
  }

  return segments
}
