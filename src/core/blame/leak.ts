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
import type {IntervalTable} from './interval-table.js'
import type {RouteColumns} from './route-columns.js'

import {
  ALPHA, blockBootstrapIntervals, type BlockEquations, blockEquations, combineAll, holmAdjust, jackknifeFit, subEquations, upperTailTP,
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

/**
 * The regression's rows, written straight into one array: per sample [hours since its segment
 * began, all requests / 1000, requests in flight, requests / 1000 per column], each column centred
 * within its segment (removing the segment's level), with memory (RSS + swap, MiB) centred alike.
 */
interface Rows {
  blockOf: Int32Array
  blocks: number
  design: Design
  /** Requests of each column in the samples fitted. */
  requests: Float64Array
  target: Float64Array
}

/** Undefined when there are too few samples for the columns. */
export function fitLeak(intervals: IntervalTable, breaks: ReadonlySet<number>, columns: RouteColumns, seed: number): LeakFit | undefined {
  const m = columns.names.length
  if (m === 0) return undefined
  const {blockOf: block, blocks, design, requests, target: y} = contiguousSegments(intervals, breaks, columns)
  if (blocks < SHARED_COLUMNS + 1 + SPARE_BLOCKS) return undefined
  const selection = selectRoutes(design, y, block, blocks, m)
  const model = modelColumns(selection.selected)
  const fit = robustBoundedFit(designOf(design, model), y, model.map(() => false))
  const equations = blockEquations(design, y, fit.weights, block, blocks)
  const random = new SeededRandom(seed)
  // One buffer per model size (the model, or it and one route): a route's blocks' equations replace the last route's.
  const buffers = new Map<number, BlockEquations>()
  return {
    backgroundMbPerHour: fit.coefficients[0],
    blocks,
    commonMbPer1000: fit.coefficients[1],
    routes: Array.from({length: m}, (_, j) => {
      // A route outside the model is judged as the one route added to it.
      const own = selection.selected.includes(j) ? model : [...model, SHARED_COLUMNS + j]
      const position = own.indexOf(SHARED_COLUMNS + j)
      const sub = subEquations(equations, own, buffers.get(own.length))
      buffers.set(own.length, sub)
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
  let equations: BlockEquations | undefined
  let candidate: BlockEquations | undefined
  for (;;) {
    const model = modelColumns(selected)
    const remaining = Array.from({length: m}, (_, j) => j).filter(j => !selected.includes(j))
    if (remaining.length === 0 || blocks < model.length + 1 + SPARE_BLOCKS) break
    const {weights} = robustBoundedFit(designOf(design, model), y, model.map(() => false))
    equations = blockEquations(design, y, weights, block, blocks, equations)
    for (const j of remaining) {
      candidate = subEquations(equations, [...model, SHARED_COLUMNS + j], candidate)
      const test = jackknifeFit(candidate)
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
 * Segments too short to fit a level are left out.
 */
function contiguousSegments(intervals: IntervalTable, breaks: ReadonlySet<number>, columns: RouteColumns): Rows {
  const m = columns.names.length
  const p = SHARED_COLUMNS + m
  // At most a row per interval: sized once, the rows of short segments written over.
  const values = new Float64Array(intervals.length * p)
  const target = new Float64Array(intervals.length)
  const blockOf = new Int32Array(intervals.length)
  const requests = new Float64Array(m)
  const means = new Float64Array(p + 1)
  let blocks = 0
  let rows = 0
  let first = 0
  /** Closes the segment of rows first ... rows - 1: centred and given its blocks, or dropped when short. */
  const close = (): void => {
    const length = rows - first
    if (length < MIN_SEGMENT_SAMPLES) {
      rows = first
      return
    }

    // Each segment has its own level: centring every column within it removes that level.
    means.fill(0)
    for (let k = 0; k < length; k++) {
      const row = (first + k) * p
      for (let j = 0; j < p; j++) means[j] += values[row + j] / length
      means[p] += target[first + k] / length
    }

    const last = (rows - 1) * p
    for (let j = 0; j < m; j++) requests[j] += values[last + j + SHARED_COLUMNS] * 1000
    for (let k = 0; k < length; k++) {
      const row = (first + k) * p
      for (let j = 0; j < p; j++) values[row + j] -= means[j]
      target[first + k] -= means[p]
      blockOf[first + k] = blocks + Math.floor(k / BLOCK_SAMPLES)
    }

    blocks += Math.ceil(length / BLOCK_SAMPLES)
  }

  const cumulative = new Float64Array(m)
  for (const run of contiguousRuns(intervals)) {
    let open = false
    let origin = 0
    let all = 0
    for (const index of run) {
      const start = intervals.start[index]
      const end = intervals.end[index]
      if (!open || breaks.has(index) || rows - first > SEGMENT_SAMPLES) {
        if (open) close()
        open = true
        first = rows
        origin = start
        cumulative.fill(0)
        all = 0
      }

      for (let k = intervals.routeStart[index]; k < intervals.routeStart[index + 1]; k++) {
        const column = columns.columnOf[intervals.routeIds[k]]
        if (column !== -1) cumulative[column] += intervals.routeCounts[k] / 1000
      }

      all += intervals.requests[index] / 1000
      // Requests in flight at the sample that closes the interval: about those started in it, for their service time.
      const inFlight = end > start ? intervals.serviceMs[index] / (end - start) : 0
      const row = rows * p
      values[row] = (end - origin) / 3_600_000
      values[row + 1] = all
      values[row + 2] = inFlight
      values.set(cumulative, row + SHARED_COLUMNS)
      target[rows] = intervals.endMb[index]
      rows++
    }

    if (open) close()
  }

  return {
    blockOf: blockOf.subarray(0, rows),
    blocks,
    design: {columns: p, rows, values: values.subarray(0, rows * p)},
    requests,
    target: target.subarray(0, rows),
  }
}
