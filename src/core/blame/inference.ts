/**
 * Uncertainty for the leak regression, by blocks of neighbouring rows (their errors are correlated):
 * jackknife standard errors of the unconstrained weighted fit for the tests, a block bootstrap for
 * the intervals of the constrained one, and Holm's correction when many routes are tested at once.
 */
import type {SeededRandom} from './seeded-random.js'

import {boundedSolve, invertSymmetric} from './robust-nnls.js'

/**
 * Normal equations of each block of rows (X'WX and X'Wy over the rows whose block is g), every
 * block's in one array: thousands of blocks on a long log, each a p x p matrix, were as many
 * small arrays made again for every selection step and every candidate route.
 */
export interface BlockEquations {
  /** Block g's X'WX, row-major: a[g p^2 ... (g + 1) p^2 - 1]. */
  a: Float64Array
  blocks: number
  /** Block g's X'Wy: c[g p ... (g + 1) p - 1]. */
  c: Float64Array
  columns: number
}

/** Zeroed equations for `blocks` blocks of `columns` columns; `reuse`'s arrays when it has that shape. */
function emptyEquations(blocks: number, columns: number, reuse?: BlockEquations): BlockEquations {
  if (reuse && reuse.blocks === blocks && reuse.columns === columns) {
    reuse.a.fill(0)
    reuse.c.fill(0)
    return reuse
  }

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
 * Every block's equations in one pass over the rows (into `reuse`'s arrays when it has the same
 * shape). With `shared`, only what models of the shared columns and one more need is summed: the
 * entries of a shared column (its row and column) and the diagonal; the others stay 0. Forward
 * selection tries each route with the model so far: the route-by-route entries were most of the work.
 */
export function blockEquations(
  design: DesignRows, y: Float64Array, weights: Float64Array, block: Int32Array, blocks: number,
  options: {reuse?: BlockEquations; shared?: readonly number[]} = {},
): BlockEquations {
  const p = design.columns
  const pp = p * p
  const equations = emptyEquations(blocks, p, options.reuse)
  const {a, c} = equations
  const partners = entriesSummed(p, options.shared)
  design.eachRow((i, x) => {
    const w = weights[i]
    if (w === 0) return
    const ag = block[i] * pp
    const cg = block[i] * p
    for (let j = 0; j < p; j++) {
      const wx = w * x[j]
      if (wx === 0) continue
      c[cg + j] += wx * y[i]
      const ks = partners[j]
      for (let t = 0; t < ks.length; t++) a[ag + (j * p) + ks[t]] += wx * x[ks[t]]
    }
  })

  for (let ag = 0; ag < a.length; ag += pp) for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[ag + (j * p) + k] = a[ag + (k * p) + j]
  return equations
}

/** Per column j, the columns k >= j whose entry (j, k) is summed: all, or those a shared column or j itself. */
function entriesSummed(p: number, shared: readonly number[] | undefined): Int32Array[] {
  const isShared = (column: number): boolean => !shared || shared.includes(column)
  return Array.from({length: p}, (_, j) => {
    const ks: number[] = []
    for (let k = j; k < p; k++) if (k === j || isShared(j) || isShared(k)) ks.push(k)
    return Int32Array.from(ks)
  })
}

/** The same blocks' equations for a subset of the columns (a smaller model), in the order given; into `reuse` when it has that shape. */
export function subEquations(equations: BlockEquations, columns: readonly number[], reuse?: BlockEquations): BlockEquations {
  const p = equations.columns
  const pp = p * p
  const q = columns.length
  const qq = q * q
  const {blocks} = equations
  // Every entry is written below: no need to zero a reused buffer.
  const sub = reuse && reuse.blocks === blocks && reuse.columns === q ? reuse : emptyEquations(blocks, q)
  for (let g = 0; g < blocks; g++) {
    for (let j = 0; j < q; j++) {
      const from = (g * pp) + (columns[j] * p)
      for (let k = 0; k < q; k++) sub.a[(g * qq) + (j * q) + k] = equations.a[from + columns[k]]
      sub.c[(g * q) + j] = equations.c[(g * p) + columns[j]]
    }
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

function solve(a: Float64Array, c: Float64Array): Float64Array {
  const p = c.length
  const inverse = invertSymmetric(a, p)
  const b = new Float64Array(p)
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
  for (let g = 0; g < blocks; g++) {
    for (let k = 0; k < p * p; k++) a[k] = full.a[k] - equations.a[(g * p * p) + k]
    for (let k = 0; k < p; k++) c[k] = full.c[k] - equations.c[(g * p) + k]
    leaveOut.set(solve(a, c), g * p)
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
