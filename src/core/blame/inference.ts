/**
 * Uncertainty for the leak regression, by blocks of neighbouring rows (their errors are correlated):
 * jackknife standard errors of the unconstrained weighted fit for the tests, a block bootstrap for
 * the intervals of the constrained one, and Holm's correction when many routes are tested at once.
 */
import type {SeededRandom} from './seeded-random.js'

import {
  boundedSolve, type Design, invertSymmetric, normalEquations,
} from './robust-nnls.js'

/** Normal equations of each block of rows (X'WX and X'Wy over the rows whose block is g). */
export interface BlockEquations {
  a: Float64Array[]
  c: Float64Array[]
  columns: number
}

export function blockEquations(design: Design, y: Float64Array, weights: Float64Array, block: Int32Array, blocks: number): BlockEquations {
  const a: Float64Array[] = []
  const c: Float64Array[] = []
  for (let g = 0; g < blocks; g++) {
    const equations = normalEquations(design, y, weights, Float64Array.from(block, owner => (owner === g ? 1 : 0)))
    a.push(equations.a)
    c.push(equations.c)
  }

  return {a, c, columns: design.columns}
}

/** Sum of the blocks' equations, block g counted `times[g]` times. */
function combine(equations: BlockEquations, times: Float64Array): {a: Float64Array; c: Float64Array} {
  const p = equations.columns
  const a = new Float64Array(p * p)
  const c = new Float64Array(p)
  for (const [g, count] of times.entries()) {
    if (count === 0) continue
    for (let k = 0; k < p * p; k++) a[k] += count * equations.a[g][k]
    for (let k = 0; k < p; k++) c[k] += count * equations.c[g][k]
  }

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
  const blocks = equations.a.length
  const times = new Float64Array(blocks).fill(1)
  const full = combine(equations, times)
  const coefficients = solve(full.a, full.c)
  const leaveOut = Array.from({length: blocks}, (_, g) => {
    times.fill(1)
    times[g] = 0
    const {a, c} = combine(equations, times)
    return solve(a, c)
  })
  const standardErrors = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let mean = 0
    for (const b of leaveOut) mean += b[j] / blocks
    let sum = 0
    for (const b of leaveOut) sum += (b[j] - mean) ** 2
    standardErrors[j] = Math.sqrt(((blocks - 1) / blocks) * sum)
  }

  return {coefficients, standardErrors}
}

/** Percentile intervals of the constrained fit over `rounds` resamples of whole blocks. */
export function blockBootstrapIntervals(equations: BlockEquations, free: readonly boolean[], options: {level: number; random: SeededRandom; rounds: number}): {lower: Float64Array; upper: Float64Array} {
  const p = equations.columns
  const blocks = equations.a.length
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
