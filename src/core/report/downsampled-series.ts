/** One time bucket of a downsampled series. Times are epoch ms, values MiB. */
export interface SeriesBucket {
  /** floor(time / width) at the series' current width. */
  index: number
  count: number
  sum: number
  /** Sum of the samples' times: their mean places the bucket on the time axis. */
  timeSum: number
  min: number
  max: number
  /** R14 / R15 errors and restarts that fell in this bucket (charts mark them). */
  r14: number
  r15: number
  restarts: number
}

export interface SeriesPoint {
  /** Mean time of the bucket's samples (its start when it only holds marks). */
  time: number
  mean: number
  min: number
  max: number
  count: number
  r14: number
  r15: number
  restarts: number
}

export type MarkKind = 'r14' | 'r15' | 'restarts'

/**
 * A time series in at most `capacity` buckets: when full, the bucket width doubles and
 * neighbours merge pairwise, so memory stays bounded however many samples arrive while
 * min/max/mean per bucket stay exact. Buckets are aligned on multiples of the width since
 * the epoch, so samples may arrive out of order (several files) and still land right.
 */
export class DownsampledSeries {
  private buckets: SeriesBucket[] = []
  private width: number

  constructor(private readonly capacity = 256, initialWidthMs = 20_000) {
    this.width = initialWidthMs
  }

  add(time: number, value: number): void {
    const bucket = this.bucketAt(time)
    if (bucket.count === 0) {
      bucket.min = value
      bucket.max = value
    } else {
      if (value < bucket.min) bucket.min = value
      if (value > bucket.max) bucket.max = value
    }

    bucket.count++
    bucket.sum += value
    bucket.timeSum += time
    this.coarsenIfFull()
  }

  mark(time: number, kind: MarkKind): void {
    this.bucketAt(time)[kind]++
    this.coarsenIfFull()
  }

  get bucketWidthMs(): number {
    return this.width
  }

  get length(): number {
    return this.buckets.length
  }

  /** Buckets in time order; those holding only marks have count 0 and NaN values. */
  points(): SeriesPoint[] {
    return this.buckets.map(bucket => ({
      count: bucket.count,
      max: bucket.count > 0 ? bucket.max : Number.NaN,
      mean: bucket.count > 0 ? bucket.sum / bucket.count : Number.NaN,
      min: bucket.count > 0 ? bucket.min : Number.NaN,
      r14: bucket.r14,
      r15: bucket.r15,
      restarts: bucket.restarts,
      time: bucket.count > 0 ? bucket.timeSum / bucket.count : bucket.index * this.width,
    }))
  }

  private bucketAt(time: number): SeriesBucket {
    const index = Math.floor(time / this.width)
    const last = this.buckets.at(-1)
    if (last && last.index === index) return last
    if (!last || last.index < index) return this.insertAt(this.buckets.length, index)
    let low = 0
    let high = this.buckets.length
    while (low < high) {
      const middle = Math.floor((low + high) / 2)
      if (this.buckets[middle].index < index) low = middle + 1
      else high = middle
    }

    if (this.buckets[low]?.index === index) return this.buckets[low]
    return this.insertAt(low, index)
  }

  private coarsenIfFull(): void {
    while (this.buckets.length > this.capacity) {
      this.width *= 2
      const merged: SeriesBucket[] = []
      for (const bucket of this.buckets) {
        const index = Math.floor(bucket.index / 2)
        const previous = merged.at(-1)
        if (previous && previous.index === index) {
          mergeInto(previous, bucket)
        } else {
          // The old array is dropped: its buckets are reused, not copied.
          bucket.index = index
          merged.push(bucket)
        }
      }

      this.buckets = merged
    }
  }

  private insertAt(position: number, index: number): SeriesBucket {
    const bucket: SeriesBucket = {
      count: 0, index, max: Number.NaN, min: Number.NaN, r14: 0, r15: 0, restarts: 0, sum: 0, timeSum: 0,
    }
    // Samples mostly arrive in time order: appending is the common case, and `push` is cheaper than `splice`.
    if (position === this.buckets.length) this.buckets.push(bucket)
    else this.buckets.splice(position, 0, bucket)
    return bucket
  }
}

function mergeInto(target: SeriesBucket, source: SeriesBucket): void {
  if (source.count > 0) {
    target.min = target.count > 0 ? Math.min(target.min, source.min) : source.min
    target.max = target.count > 0 ? Math.max(target.max, source.max) : source.max
  }

  target.count += source.count
  target.sum += source.sum
  target.timeSum += source.timeSum
  target.r14 += source.r14
  target.r15 += source.r15
  target.restarts += source.restarts
}
