/**
 * Uncertainty for the leak regression, by blocks of neighbouring rows (their errors are correlated):
 * jackknife standard errors of the unconstrained weighted fit for the tests, a block bootstrap for
 * the intervals of the constrained one, and Holm's correction when many routes are tested at once.
 */
import type {SeededRandom} from './seeded-random.js'

import {boundedSolve, type InverseScratch, invertSymmetric} from './robust-nnls.js'

/**
 * Normal equations of each block of rows (X'WX and X'Wy over the rows whose block is g) of a small
 * model, every block's in one array: thousands of blocks on a long log, each a matrix, were as
 * many small arrays made again for every candidate route.
 */
export interface BlockEquations {
  /** Block g's X'WX, row-major: a[g p^2 ... (g + 1) p^2 - 1]. */
  a: Float64Array
  blocks: number
  /** Block g's X'Wy: c[g p ... (g + 1) p - 1]. */
  c: Float64Array
  columns: number
}

/** Zeroed equations for `blocks` blocks of `columns` columns. */
function emptyEquations(blocks: number, columns: number): BlockEquations {
  return {
    a: new Float64Array(blocks * columns * columns), blocks, c: new Float64Array(blocks * columns), columns,
  }
}

/** A design's rows, visited in order: the leak fit's are worked out again on each pass, not kept. */
export interface DesignRows {
  columns: number
  /** Row i's values (one array, reused: read it before returning). */
  eachRow(visit: (i: number, row: Float64Array) => void): void
  rows: number
}

/**
 * Every block's equations over all the design's columns, as far as models made of the shared
 * columns and at most one more need them: the shared columns' rows of X'WX, its diagonal and X'Wy.
 * Forward selection tries each route with the model so far; the whole p x p matrix of each block
 * (~64 MB at 40 routes and 4,350 blocks) was mostly route-by-route entries no model reads.
 */
export interface SharedBlockEquations {
  blocks: number
  /** Block g's X'Wy: c[g p + k]. */
  c: Float64Array
  columns: number
  /** Block g's X'WX row of shared column i: cross[(g s + i) p + k] is entry (shared[i], k). */
  cross: Float64Array
  /** Block g's X'WX diagonal: diagonal[g p + k]. */
  diagonal: Float64Array
  shared: readonly number[]
}

/**
 * Every block's shared equations in one pass over the rows (into `reuse`'s arrays when it has the
 * same shape). Each entry is the sum, row after row, of the very terms a full p x p pass adds
 * to it (its upper-triangle form: the lower column's weighted value times the higher's).
 */
export function blockEquations(
  design: DesignRows, y: Float64Array, weights: Float64Array, block: Int32Array, blocks: number,
  {reuse, shared}: {reuse?: SharedBlockEquations; shared: readonly number[]},
): SharedBlockEquations {
  const p = design.columns
  const s = shared.length
  const equations = reuse && reuse.blocks === blocks && reuse.columns === p && sameColumns(reuse.shared, shared) ? reuse : undefined
  const {c, cross, diagonal} = equations ?? {c: new Float64Array(blocks * p), cross: new Float64Array(blocks * s * p), diagonal: new Float64Array(blocks * p)}
  if (equations) {
    c.fill(0)
    cross.fill(0)
    diagonal.fill(0)
  }

  const wx = new Float64Array(p)
  design.eachRow((i, x) => {
    const w = weights[i]
    if (w === 0) return
    const g = block[i]
    for (let j = 0; j < p; j++) {
      wx[j] = w * x[j]
      // A column whose weighted value is 0 adds nothing to its row: skipped, as a full pass skips it.
      if (wx[j] === 0) continue
      c[(g * p) + j] += wx[j] * y[i]
      diagonal[(g * p) + j] += wx[j] * x[j]
    }

    for (let t = 0; t < s; t++) {
      const u = shared[t]
      const row = ((g * s) + t) * p
      for (let k = 0; k < u; k++) if (wx[k] !== 0) cross[row + k] += wx[k] * x[u]
      if (wx[u] !== 0) for (let k = u; k < p; k++) cross[row + k] += wx[u] * x[k]
    }
  })

  return equations ?? {
    blocks, c, columns: p, cross, diagonal, shared,
  }
}

function sameColumns(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((column, index) => column === y[index])
}

/**
 * The blocks' equations of a model (its columns in the order given: the shared ones and at most
 * one other), into `reuse` when it has that shape.
 */
export function subEquations(equations: SharedBlockEquations, columns: readonly number[], reuse?: BlockEquations): BlockEquations {
  const p = equations.columns
  const s = equations.shared.length
  const q = columns.length
  const qq = q * q
  const {blocks, c, cross, diagonal} = equations
  // Where entry (j, k) of the model is kept: in cross (offset + g s p) or on the diagonal (offset + g p).
  const inCross: boolean[] = []
  const offsets: number[] = []
  for (const u of columns) {
    for (const v of columns) {
      const iu = equations.shared.indexOf(u)
      const iv = equations.shared.indexOf(v)
      if (iu === -1 && iv === -1 && u !== v) throw new Error(`subEquations: entry (${u}, ${v}) of no shared column`)
      inCross.push(iu !== -1 || iv !== -1)
      offsets.push(iu === -1 ? (iv === -1 ? u : (iv * p) + u) : (iu * p) + v)
    }
  }

  // Every entry is written below: no need to zero a reused buffer.
  const sub = reuse && reuse.blocks === blocks && reuse.columns === q ? reuse : emptyEquations(blocks, q)
  for (let g = 0; g < blocks; g++) {
    for (let e = 0; e < qq; e++) sub.a[(g * qq) + e] = inCross[e] ? cross[(g * s * p) + offsets[e]] : diagonal[(g * p) + offsets[e]]
    for (let j = 0; j < q; j++) sub.c[(g * q) + j] = c[(g * p) + columns[j]]
  }

  return sub
}

/** Family-wise error rate across the routes of a type (Holm-corrected). */
export const ALPHA = 0.05

/** Sum of every block's equations: the whole fit's. */
export function combineAll(equations: BlockEquations): {a: Float64Array; c: Float64Array} {
  return combine(equations, new Float64Array(equations.blocks).fill(1))
}

/**
 * Sum of the blocks' equations, block g counted `times[g]` times. Each block's matrix is exactly
 * symmetric: the upper triangle is summed and mirrored (the lower one's sums were the same terms).
 */
function combine(equations: BlockEquations, times: Float64Array): {a: Float64Array; c: Float64Array} {
  const p = equations.columns
  const pp = p * p
  const a = new Float64Array(pp)
  const c = new Float64Array(p)
  for (let g = 0; g < equations.blocks; g++) {
    const count = times[g]
    if (count === 0) continue
    const ag = g * pp
    const cg = g * p
    for (let j = 0; j < p; j++) for (let k = j; k < p; k++) a[(j * p) + k] += count * equations.a[ag + (j * p) + k]
    for (let k = 0; k < p; k++) c[k] += count * equations.c[cg + k]
  }

  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[(j * p) + k] = a[(k * p) + j]

  return {a, c}
}

/** The solution of a b = c; into `scratch.b` (and its inverse's arrays) when given. */
function solve(a: Float64Array, c: Float64Array, scratch?: InverseScratch & {b: Float64Array}): Float64Array {
  const p = c.length
  const inverse = invertSymmetric(a, p, scratch)
  const b = scratch ? scratch.b.fill(0) : new Float64Array(p)
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) b[j] += inverse[(j * p) + k] * c[k]
  return b
}

/**
 * The unconstrained weighted fit and its delete-one-block jackknife standard errors: with barely
 * more blocks than columns, sandwich errors come out too small; the jackknife errs on the safe side.
 */
export function jackknifeFit(equations: BlockEquations): {coefficients: Float64Array; standardErrors: Float64Array} {
  const p = equations.columns
  const {blocks} = equations
  const full = combine(equations, new Float64Array(blocks).fill(1))
  const coefficients = solve(full.a, full.c)
  // Each block left out is the whole fit less that block's equations: linear in the blocks (summing
  // the others for each was quadratic: 47 s of mem:blame on a 1 GB log with its ~5,000 blocks).
  const a = new Float64Array(p * p)
  const c = new Float64Array(p)
  // Block g's fit without it: leaveOut[g p ... (g + 1) p - 1].
  const leaveOut = new Float64Array(blocks * p)
  const scratch = {b: new Float64Array(p), inverse: new Float64Array(p * p), work: new Float64Array(p * p)}
  for (let g = 0; g < blocks; g++) {
    for (let k = 0; k < p * p; k++) a[k] = full.a[k] - equations.a[(g * p * p) + k]
    for (let k = 0; k < p; k++) c[k] = full.c[k] - equations.c[(g * p) + k]
    leaveOut.set(solve(a, c, scratch), g * p)
  }

  const standardErrors = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let mean = 0
    for (let g = 0; g < blocks; g++) mean += leaveOut[(g * p) + j] / blocks
    let sum = 0
    for (let g = 0; g < blocks; g++) sum += (leaveOut[(g * p) + j] - mean) ** 2
    standardErrors[j] = Math.sqrt(((blocks - 1) / blocks) * sum)
  }

  return {coefficients, standardErrors}
}

/** Percentile intervals of the constrained fit over `rounds` resamples of whole blocks. */
export function blockBootstrapIntervals(equations: BlockEquations, free: readonly boolean[], options: {level: number; random: SeededRandom; rounds: number}): {lower: Float64Array; upper: Float64Array} {
  const p = equations.columns
  const {blocks} = equations
  const draws = Array.from({length: p}, () => new Float64Array(options.rounds))
  const drawn = new Float64Array(blocks)
  for (let round = 0; round < options.rounds; round++) {
    drawn.fill(0)
    for (let g = 0; g < blocks; g++) drawn[options.random.below(blocks)]++
    const {a, c} = combine(equations, drawn)
    const b = boundedSolve(a, c, free)
    for (let j = 0; j < p; j++) draws[j][round] = b[j]
  }

  const tail = (1 - options.level) / 2
  const lower = new Float64Array(p)
  const upper = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    const sorted = draws[j].sort()
    lower[j] = quantile(sorted, tail)
    upper[j] = quantile(sorted, 1 - tail)
  }

  return {lower, upper}
}

function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below] + ((sorted[above] - sorted[below]) * (position - below))
}

/**
 * One-sided p-value of a t statistic with `df` degrees of freedom (upper tail), by the normal
 * approximation z = t (1 - 1/(4 df)) / sqrt(1 + t^2/(2 df)) (close for df >= 5): a jackknife over
 * G blocks has about G - 1, and with a few dozen blocks the normal tail alone is too thin.
 */
export function upperTailTP(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1
  return upperTailP(t * (1 - (1 / (4 * df))) / Math.sqrt(1 + ((t * t) / (2 * df))))
}

/** One-sided p-value of z under the standard normal (upper tail). */
export function upperTailP(z: number): number {
  if (!Number.isFinite(z)) return z > 0 ? 0 : 1
  return 0.5 * erfc(z / Math.SQRT2)
}

/** erfc by the Numerical Recipes Chebyshev fit (relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + (0.5 * z))
  const r = t * Math.exp(-z * z - 1.265_512_23 + t * (1.000_023_68 + t * (0.374_091_96 + t * (0.096_784_18 + t * (-0.186_288_06 + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
  return x >= 0 ? r : 2 - r
}

/** Holm's step-down adjustment: adjusted p-values controlling the family-wise error. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((p, index) => ({index, p})).sort((x, y) => x.p - y.p)
  const adjusted = Array.from({length: pValues.length}, () => 1)
  let running = 0
  for (const [rank, {index, p}] of order.entries()) {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p))
    adjusted[index] = running
  }

  return adjusted
}
