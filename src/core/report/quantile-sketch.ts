/**
 * A streaming quantile sketch with bounded relative error (the DDSketch idea: logarithmic
 * buckets), so p50/p95 of millions of samples need a few kilobytes. With the default 0.5%
 * accuracy, values from 0.01 MiB to 200 GiB fit in under 2,000 buckets whatever the count.
 */
export class QuantileSketch {
  /** Counts by logarithmic index, dense from `offset`: an array is far cheaper per sample than a Map. */
  private counts: number[] = []
  private offset = 0
  private used = 0
  private readonly gamma: number
  private readonly logGamma: number
  private count = 0
  private lastHigh = 0
  private lastIndex = 0
  private lastLow = 0
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

    // Consecutive samples of a dyno mostly fall in the same bucket: skip the logarithm then.
    if (value <= this.lastLow || value > this.lastHigh) {
      this.lastIndex = Math.ceil(Math.log(value) / this.logGamma)
      this.lastHigh = Math.exp(this.lastIndex * this.logGamma)
      this.lastLow = this.lastHigh / this.gamma
    }

    this.increment(this.lastIndex)
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
    for (let slot = 0; slot < this.counts.length; slot++) {
      seen += this.counts[slot]
      if (seen > rank) {
        const estimate = (2 * (this.gamma ** (slot + this.offset))) / (this.gamma + 1)
        return Math.min(this.maximum, Math.max(this.minimum, estimate))
      }
    }

    return this.maximum
  }

  /** Adds every value another sketch (of the same accuracy) has seen. */
  merge(other: QuantileSketch): void {
    if (other.count === 0) return
    this.count += other.count
    this.sum += other.sum
    this.zeros += other.zeros
    if (other.minimum < this.minimum) this.minimum = other.minimum
    if (other.maximum > this.maximum) this.maximum = other.maximum
    for (let slot = 0; slot < other.counts.length; slot++) {
      if (other.counts[slot] > 0) this.increment(slot + other.offset, other.counts[slot])
    }
  }

  /** Buckets in use: what the sketch's memory grows with (logarithmically in the value range). */
  get bucketCount(): number {
    return this.used
  }

  private increment(index: number, by = 1): void {
    if (this.counts.length === 0) this.offset = index
    if (index < this.offset) {
      this.counts = [...Array.from({length: this.offset - index}, () => 0), ...this.counts]
      this.offset = index
    }

    const slot = index - this.offset
    while (this.counts.length <= slot) this.counts.push(0)
    if (this.counts[slot] === 0) this.used++
    this.counts[slot] += by
  }
}
