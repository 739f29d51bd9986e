/**
 * Least squares with non-negative coefficients (all but the free ones), made robust to outliers by
 * Huber weights (iteratively reweighted). Designs are small (a few dozen columns), rows many:
 * every solve works on the p x p normal equations, built once per weighting in one pass.
 */
import {median} from '../report/robust-stats.js'

/** A dense row-major design: row i is `values[i * columns ... (i + 1) * columns - 1]`. */
export interface Design {
  columns: number
  rows: number
  values: Float64Array
}

export interface RobustFit {
  coefficients: Float64Array
  /** Huber weight of each row at the end (1 = inlier). */
  weights: Float64Array
  /** Robust residual scale (MAD of residuals). */
  scale: number
}

/** Huber's tuning constant: 95% efficiency under normal noise. */
const HUBER_K = 1.345
const IRLS_ROUNDS = 30

/** X'WX and X'Wy, `multiplicity` (bootstrap) times the row weight. */
export function normalEquations(design: Design, y: Float64Array, weights: Float64Array, multiplicity?: Float64Array): {a: Float64Array; c: Float64Array} {
  const p = design.columns
  const a = new Float64Array(p * p)
  const c = new Float64Array(p)
  const x = design.values
  for (let i = 0; i < design.rows; i++) {
    const w = multiplicity ? weights[i] * multiplicity[i] : weights[i]
    if (w === 0) continue
    const row = i * p
    for (let j = 0; j < p; j++) {
      const wx = w * x[row + j]
      if (wx === 0) continue
      c[j] += wx * y[i]
      for (let k = j; k < p; k++) a[(j * p) + k] += wx * x[row + k]
    }
  }

  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[(j * p) + k] = a[(k * p) + j]
  return {a, c}
}

/**
 * Minimises b'Ab/2 - c'b with b_j >= 0 where `free[j]` is false: Lawson and Hanson's active-set
 * method on the normal equations. Exact in a finite number of steps, however collinear the columns
 * (cumulative counts of routes all rise with time: coordinate descent crawls there).
 */
export function boundedSolve(a: Float64Array, c: Float64Array, free: readonly boolean[]): Float64Array {
  const p = c.length
  const passive = free.map((isFree, j) => isFree && a[(j * p) + j] > 0)
  let b = solvePassive(a, c, passive)
  for (let outer = 0; outer < 3 * p; outer++) {
    let best = -1
    let bestGradient = 0
    for (let j = 0; j < p; j++) {
      if (passive[j] || a[(j * p) + j] <= 0) continue
      let gradient = c[j]
      for (let k = 0; k < p; k++) gradient -= a[(j * p) + k] * b[k]
      const scaled = gradient / Math.sqrt(a[(j * p) + j])
      if (scaled > bestGradient) {
        best = j
        bestGradient = scaled
      }
    }

    if (best === -1 || bestGradient < 1e-10) break
    passive[best] = true
    for (let inner = 0; inner < 3 * p; inner++) {
      const s = solvePassive(a, c, passive)
      let step = 1
      let blocked = false
      for (let j = 0; j < p; j++) {
        if (!passive[j] || free[j] || s[j] > 0) continue
        blocked = true
        const limit = b[j] / (b[j] - s[j])
        if (limit < step) step = limit
      }

      if (!blocked) {
        b = s
        break
      }

      for (let j = 0; j < p; j++) {
        b[j] += step * (s[j] - b[j])
        if (passive[j] && !free[j] && b[j] <= 1e-12) {
          passive[j] = false
          b[j] = 0
        }
      }
    }
  }

  return b
}

/** The unconstrained minimiser over the passive columns, the others held at 0. */
function solvePassive(a: Float64Array, c: Float64Array, passive: readonly boolean[]): Float64Array {
  const p = c.length
  const index = passive.flatMap((isPassive, j) => (isPassive ? [j] : []))
  const q = index.length
  const sub = new Float64Array(q * q)
  for (let j = 0; j < q; j++) for (let k = 0; k < q; k++) sub[(j * q) + k] = a[(index[j] * p) + index[k]]
  const inverse = invertSymmetric(sub, q)
  const b = new Float64Array(p)
  for (let j = 0; j < q; j++) {
    let value = 0
    for (let k = 0; k < q; k++) value += inverse[(j * q) + k] * c[index[k]]
    b[index[j]] = value
  }

  return b
}

/** Arrays of p x p for invertSymmetric to work in, for a caller that inverts many (the jackknife: one a block). */
export interface InverseScratch {
  inverse: Float64Array
  work: Float64Array
}

/**
 * Inverse of a symmetric positive semi-definite matrix by Gauss-Jordan, with a tiny relative ridge
 * so a dead column gives a huge variance, not NaN. Into `scratch.inverse` when given.
 */
export function invertSymmetric(matrix: Float64Array, p: number, scratch?: InverseScratch): Float64Array {
  const a = scratch ? scratch.work : new Float64Array(p * p)
  a.set(matrix)
  for (let j = 0; j < p; j++) a[(j * p) + j] += Math.max(1e-300, a[(j * p) + j] * 1e-10)
  const inverse = scratch ? scratch.inverse.fill(0) : new Float64Array(p * p)
  for (let j = 0; j < p; j++) inverse[(j * p) + j] = 1
  for (let col = 0; col < p; col++) {
    let pivotRow = col
    for (let row = col + 1; row < p; row++) if (Math.abs(a[(row * p) + col]) > Math.abs(a[(pivotRow * p) + col])) pivotRow = row
    if (pivotRow !== col) {
      for (let k = 0; k < p; k++) {
        swap(a, (col * p) + k, (pivotRow * p) + k)
        swap(inverse, (col * p) + k, (pivotRow * p) + k)
      }
    }

    const pivot = a[(col * p) + col]
    for (let k = 0; k < p; k++) {
      a[(col * p) + k] /= pivot
      inverse[(col * p) + k] /= pivot
    }

    for (let row = 0; row < p; row++) {
      if (row === col) continue
      const factor = a[(row * p) + col]
      if (factor === 0) continue
      for (let k = 0; k < p; k++) {
        a[(row * p) + k] -= factor * a[(col * p) + k]
        inverse[(row * p) + k] -= factor * inverse[(col * p) + k]
      }
    }
  }

  return inverse
}

function swap(values: Float64Array, i: number, j: number): void {
  const held = values[i]
  values[i] = values[j]
  values[j] = held
}

export function residuals(design: Design, y: Float64Array, b: Float64Array): Float64Array {
  const p = design.columns
  const out = new Float64Array(design.rows)
  for (let i = 0; i < design.rows; i++) {
    let fitted = 0
    for (let j = 0; j < p; j++) fitted += design.values[(i * p) + j] * b[j]
    out[i] = y[i] - fitted
  }

  return out
}

/** Huber M-estimate with the sign constraints, by IRLS from the least-squares start. */
export function robustBoundedFit(design: Design, y: Float64Array, free: readonly boolean[]): RobustFit {
  const weights = new Float64Array(design.rows).fill(1)
  let {a, c} = normalEquations(design, y, weights)
  let b = boundedSolve(a, c, free)
  let scale = 0
  for (let round = 0; round < IRLS_ROUNDS; round++) {
    const r = residuals(design, y, b)
    const absolute = r.map(value => Math.abs(value))
    scale = 1.4826 * median(absolute)
    if (!(scale > 0)) break
    const limit = HUBER_K * scale
    for (let i = 0; i < r.length; i++) weights[i] = absolute[i] <= limit ? 1 : limit / absolute[i];
    ({a, c} = normalEquations(design, y, weights))
    const next = boundedSolve(a, c, free)
    let moved = 0
    for (let j = 0; j < b.length; j++) moved = Math.max(moved, Math.abs(next[j] - b[j]) * Math.sqrt(a[(j * b.length) + j]))
    b = next
    if (moved < 1e-6 * scale) break
  }

  return {coefficients: b, scale, weights}
}
