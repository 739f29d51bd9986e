/**
 * Uncertainty for the leak regression: heteroskedasticity-robust (sandwich) standard errors of the
 * unconstrained weighted fit for the tests, a bootstrap over rows for the intervals of the
 * constrained one, and Holm's correction when many routes are tested at once.
 */
import type {SeededRandom} from './seeded-random.js'

import {
  boundedSolve, type Design, invertSymmetric, normalEquations, residuals,
} from './robust-nnls.js'

/**
 * Unconstrained weighted least squares and its sandwich standard errors, clustered: the scores of
 * rows in one block are summed first, so correlated neighbours do not count as independent.
 */
export function clusteredSandwichFit(design: Design, y: Float64Array, weights: Float64Array, block: Int32Array, blocks: number): {coefficients: Float64Array; standardErrors: Float64Array} {
  const p = design.columns
  const {a, c} = normalEquations(design, y, weights)
  const inverse = invertSymmetric(a, p)
  const b = new Float64Array(p)
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) b[j] += inverse[(j * p) + k] * c[k]
  const r = residuals(design, y, b)
  const scores = new Float64Array(blocks * p)
  for (let i = 0; i < design.rows; i++) {
    const scale = weights[i] * r[i]
    for (let j = 0; j < p; j++) scores[(block[i] * p) + j] += design.values[(i * p) + j] * scale
  }

  const meat = new Float64Array(p * p)
  for (let g = 0; g < blocks; g++) {
    for (let j = 0; j < p; j++) {
      const sj = scores[(g * p) + j]
      if (sj === 0) continue
      for (let k = 0; k < p; k++) meat[(j * p) + k] += sj * scores[(g * p) + k]
    }
  }

  const standardErrors = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let variance = 0
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) variance += inverse[(j * p) + k] * meat[(k * p) + l] * inverse[(l * p) + j]
    }

    standardErrors[j] = Math.sqrt(Math.max(0, variance))
  }

  return {coefficients: b, standardErrors}
}

/** Percentile intervals of the constrained fit over `rounds` resamples of whole blocks, robust weights held fixed. */
export function blockBootstrapIntervals(
  design: Design, y: Float64Array, weights: Float64Array, free: readonly boolean[],
  options: {block: Int32Array; blocks: number; level: number; random: SeededRandom; rounds: number},
): {lower: Float64Array; upper: Float64Array} {
  const p = design.columns
  const draws = Array.from({length: p}, () => new Float64Array(options.rounds))
  const drawn = new Float64Array(options.blocks)
  const multiplicity = new Float64Array(design.rows)
  for (let round = 0; round < options.rounds; round++) {
    drawn.fill(0)
    for (let g = 0; g < options.blocks; g++) drawn[options.random.below(options.blocks)]++
    for (let i = 0; i < design.rows; i++) multiplicity[i] = drawn[options.block[i]]
    const {a, c} = normalEquations(design, y, weights, multiplicity)
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
