/**
 * A streaming quantile sketch with bounded relative error (the DDSketch idea: logarithmic
 * buckets), so p50/p95 of millions of samples need a few kilobytes. With the default 0.5%
 * accuracy, values from 0.01 MiB to 200 GiB fit in under 2,000 buckets whatever the count.
 */
export class QuantileSketch {
  private readonly buckets = new Map<number, number>()
  private readonly gamma: number
  private readonly logGamma: number
  private count = 0
  private maximum = Number.NEGATIVE_INFINITY
  private minimum = Number.POSITIVE_INFINITY
  private sum = 0
  /** Values too small for a logarithmic bucket (0 MiB swap, say) are counted here. */
  private zeros = 0

  constructor(relativeAccuracy = 0.005, private readonly smallest = 0.01) {
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    this.logGamma = Math.log(this.gamma)
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return
    this.count++
    this.sum += value
    if (value < this.minimum) this.minimum = value
    if (value > this.maximum) this.maximum = value
    if (value < this.smallest) {
      this.zeros++
      return
    }

    const index = Math.ceil(Math.log(value) / this.logGamma)
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1)
  }

  get size(): number {
    return this.count
  }

  get max(): number {
    return this.count > 0 ? this.maximum : Number.NaN
  }

  get mean(): number {
    return this.count > 0 ? this.sum / this.count : Number.NaN
  }

  get min(): number {
    return this.count > 0 ? this.minimum : Number.NaN
  }

  /** The q-quantile (0..1), within the relative accuracy, clamped to the exact min and max. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN
    const rank = Math.max(0, Math.min(1, q)) * (this.count - 1)
    if (rank < this.zeros) return this.minimum
    let seen = this.zeros
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b)
    for (const index of indexes) {
      seen += this.buckets.get(index)!
      if (seen > rank) {
        const estimate = (2 * (this.gamma ** index)) / (this.gamma + 1)
        return Math.min(this.maximum, Math.max(this.minimum, estimate))
      }
    }

    return this.maximum
  }

  /** Buckets in use: what the sketch's memory grows with (logarithmically in the value range). */
  get bucketCount(): number {
    return this.buckets.size
  }
}
