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
  ALPHA, blockBootstrapIntervals, type BlockEquations, blockEquations, combineAll, holmAdjust, jackknifeFit, type SharedBlockEquations, subEquations, upperTailTP,
} from './inference.js'
import {LeakRows, SHARED_COLUMNS} from './leak-rows.js'
import {boundedSolve, robustBoundedFit} from './robust-nnls.js'
import {SeededRandom} from './seeded-random.js'

const BOOTSTRAP_ROUNDS = 200
const INTERVAL_LEVEL = 0.95
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

/** Undefined when there are too few samples for the columns. */
export function fitLeak(intervals: IntervalTable, breaks: ReadonlySet<number>, columns: RouteColumns, seed: number): LeakFit | undefined {
  const m = columns.names.length
  if (m === 0) return undefined
  const rows = new LeakRows(intervals, breaks, columns)
  const {blockOf: block, blocks, requests, target: y} = rows
  if (blocks < SHARED_COLUMNS + 1 + SPARE_BLOCKS) return undefined
  const selection = selectRoutes(rows, m)
  const model = modelColumns(selection.selected)
  const fit = robustBoundedFit(rows.select(model), y, model.map(() => false))
  const equations = blockEquations(rows, y, fit.weights, block, blocks, {reuse: selection.equations, shared: model})
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
function selectRoutes(rows: LeakRows, m: number): {adjustedP: Float64Array; equations?: SharedBlockEquations; p: Float64Array; selected: number[]} {
  const {blockOf: block, blocks, target: y} = rows
  const selected: number[] = []
  const p = new Float64Array(m).fill(1)
  const adjustedP = new Float64Array(m).fill(1)
  let running = 0
  let equations: SharedBlockEquations | undefined
  let candidate: BlockEquations | undefined
  for (;;) {
    const model = modelColumns(selected)
    const remaining = Array.from({length: m}, (_, j) => j).filter(j => !selected.includes(j))
    if (remaining.length === 0 || blocks < model.length + 1 + SPARE_BLOCKS) break
    const {weights} = robustBoundedFit(rows.select(model), y, model.map(() => false))
    equations = blockEquations(rows, y, weights, block, blocks, {reuse: equations, shared: model})
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

  return {
    adjustedP, equations, p, selected,
  }
}

/** Design columns of a model: the shared ones, then the chosen routes' (route j is column SHARED_COLUMNS + j). */
function modelColumns(routes: readonly number[]): number[] {
  return [...Array.from({length: SHARED_COLUMNS}, (_, j) => j), ...routes.map(j => SHARED_COLUMNS + j)]
}
