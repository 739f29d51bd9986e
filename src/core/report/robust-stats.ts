/** Small robust statistics over plain arrays: medians, MAD, Theil–Sen slopes. */

/** Median of the values (NaN for none); does not modify its argument. */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values))
}

/** The upper median (the middle value, the higher of the two middles for an even count; NaN for none): always a value that occurred. */
export function upperMedian(values: ArrayLike<number>): number {
  return values.length === 0 ? Number.NaN : select(Float64Array.from(values), Math.floor(values.length / 2))
}

/** Median by quickselect, linear on average; reorders `values`. */
export function medianInPlace(values: Float64Array): number {
  const n = values.length
  if (n === 0) return Number.NaN
  const middle = Math.floor(n / 2)
  const upper = select(values, middle)
  if (n % 2 === 1) return upper
  let lower = values[0]
  for (let i = 1; i < middle; i++) if (values[i] > lower) lower = values[i]
  return (lower + upper) / 2
}

/**
 * Several order statistics of one array (k from 0), each by quickselect over only the stretch
 * that can hold it: every rank found fixes its value's place, with smaller values before it and
 * larger after, so the next search runs between the nearest ranks already found (a Theil–Sen fit
 * asks for the median, its neighbour and two bounds). Reorders `values` (the same multiset).
 */
export class OrderStatistics {
  /** Ranks already in place, ascending. */
  private readonly placed: number[] = []

  constructor(private readonly values: Float64Array) {}

  /** The k-th smallest value. */
  at(k: number): number {
    let after = 0
    while (after < this.placed.length && this.placed[after] < k) after++
    if (this.placed[after] === k) return this.values[k]
    const low = after > 0 ? this.placed[after - 1] + 1 : 0
    const high = after < this.placed.length ? this.placed[after] - 1 : this.values.length - 1
    const value = select(this.values, k, low, high)
    this.placed.splice(after, 0, k)
    return value
  }
}

/** Moves the k-th smallest value to index k (smaller ones before it, within low..high) and returns it. */
function select(values: Float64Array, k: number, low = 0, high = values.length - 1): number {
  while (high > low) {
    const pivot = values[Math.floor((low + high) / 2)]
    let i = low
    let j = high
    while (i <= j) {
      while (values[i] < pivot) i++
      while (values[j] > pivot) j--
      if (i <= j) {
        const swap = values[i]
        values[i] = values[j]
        values[j] = swap
        i++
        j--
      }
    }

    if (k <= j) high = j
    else if (k >= i) low = i
    else return values[k]
  }

  return values[k]
}

/** Median absolute deviation scaled to estimate a standard deviation under normal noise. */
export function robustScale(values: ArrayLike<number>): number {
  const center = median(values)
  const deviations = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i] - center)
  return 1.4826 * median(deviations)
}

export interface Line {
  /** Value of the line at `origin`. */
  intercept: number
  origin: number
  slope: number
}

/**
 * The slopes between every pair of points with distinct x: what a Theil–Sen line takes the
 * median of. Quadratic in the number of points: callers pass downsampled series (a few hundred).
 */
export function pairwiseSlopes(xs: ArrayLike<number>, ys: ArrayLike<number>): Float64Array {
  const n = xs.length
  const slopes = new Float64Array((n * (n - 1)) / 2)
  let count = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j] - xs[i]
      if (dx !== 0) slopes[count++] = (ys[j] - ys[i]) / dx
    }
  }

  return slopes.subarray(0, count)
}

export function valueAt(line: Line, x: number): number {
  return line.intercept + (line.slope * (x - line.origin))
}

/**
 * The noise level of a series from its first differences (MAD of the differences / √2), so a
 * trend, a plateau or a step does not count as noise the way residuals from one line would.
 */
export function differenceNoise(values: ArrayLike<number>): number {
  if (values.length < 3) return 0
  const differences = new Float64Array(values.length - 1)
  for (let i = 1; i < values.length; i++) differences[i - 1] = values[i] - values[i - 1]
  return robustScale(differences) / Math.SQRT2
}
