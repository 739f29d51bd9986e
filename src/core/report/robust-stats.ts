/** Small robust statistics over plain arrays: medians, MAD, Theil–Sen slopes. */

/** Median of the values (NaN for none); does not modify its argument. */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values))
}

/**
 * Median of `values[start, end)` (NaN for none), as `median(values.slice(start, end))` would give
 * it, without the copies: one, two or three values (the running windows of the spike and restart
 * checks, one call per bucket) are compared directly; that was about a quarter of a 1 GB report's
 * build, most of it in garbage collection of the small arrays.
 */
export function windowMedian(values: ArrayLike<number>, start: number, end: number): number {
  const from = Math.max(0, start)
  const to = Math.min(values.length, end)
  switch (to - from) {
  case 1: {
    return values[from]
  }

  case 2: {
    const a = values[from]
    const b = values[from + 1]
    return (a + b) / 2
  }

  case 3: {
    const a = values[from]
    const b = values[from + 1]
    const c = values[from + 2]
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c))
  }

  default: {
    return to <= from ? Number.NaN : median(Array.prototype.slice.call(values, from, to) as number[])
  }
  }
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
 * that can hold it. Every partition a search makes leaves a cut, a position with no larger value
 * before it than from it on, and the cuts stay valid while later searches only reorder values
 * between two of them; so each search runs between the nearest cuts around its rank (a Theil–Sen
 * fit asks for the median, its neighbour, then two bounds that earlier partitions have already
 * bracketed closely). Reorders `values` (the same multiset).
 */
export class OrderStatistics {
  /** Cut positions, ascending (a repeat is harmless), from 0 to the length. */
  private readonly cuts: number[]

  constructor(private readonly values: Float64Array) {
    this.cuts = [0, values.length]
  }

  /** The k-th smallest value. */
  at(k: number): number {
    let after = 1
    while (this.cuts[after] <= k) after++
    const low = this.cuts[after - 1]
    const high = this.cuts[after] - 1
    const found: number[] = []
    const value = select(this.values, k, low, high, found)
    this.cuts.splice(after, 0, ...found.sort((a, b) => a - b))
    return value
  }
}

/**
 * Moves the k-th smallest value to index k (smaller ones before it, larger after, within
 * low..high) and returns it; pushes onto `cuts` the positions in low + 1..high + 1 that its
 * partitions left with no larger value before than after. The partitions swap and count without
 * branching on the comparison: on random doubles a branch on it is mispredicted half the time,
 * which made Hoare's partition (branching) about twice as slow on Theil–Sen slopes.
 */
function select(values: Float64Array, k: number, low = 0, high = values.length - 1, cuts: number[] = []): number {
  while (high > low) {
    const pivot = values[Math.floor((low + high) / 2)]
    const below = moveBelow(values, low, high, pivot)
    if (k < below) {
      cuts.push(below)
      high = below - 1
    } else if (below > low) {
      cuts.push(below)
      low = below
    } else {
      // Nothing below the pivot: split off the values equal to it, so the stretch still shrinks.
      const equalEnd = moveNotAbove(values, low, high, pivot)
      cuts.push(equalEnd)
      if (k < equalEnd) return pivot
      low = equalEnd
    }
  }

  return values[k]
}

/** Lomuto partition of low..high: values below `pivot` to the front; returns where the rest begin. */
function moveBelow(values: Float64Array, low: number, high: number, pivot: number): number {
  let end = low
  for (let i = low; i <= high; i++) {
    const value = values[i]
    values[i] = values[end]
    values[end] = value
    end += Number(value < pivot)
  }

  return end
}

/**
 * As moveBelow, for values not above `pivot`: "not above" rather than "at most" so that a NaN
 * pivot takes the whole stretch and the search ends instead of looping (the ranks of NaN are
 * undefined; without NaN the two tests agree).
 */
function moveNotAbove(values: Float64Array, low: number, high: number, pivot: number): number {
  let end = low
  for (let i = low; i <= high; i++) {
    const value = values[i]
    values[i] = values[end]
    values[end] = value
    end += Number(!(value > pivot))
  }

  return end
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
