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
 * A bucket's fields, at these offsets from its first slot in one Float64Array. Times are epoch
 * ms, values MiB. `index` is floor(time / width) at the series' current width; `timeSum` the sum
 * of the samples' times (their mean places the bucket on the time axis); R14 / R15 errors and
 * restarts that fell in the bucket are counted for the charts' marks.
 */
const enum Field {
  Index,
  Count,
  Sum,
  TimeSum,
  Min,
  Max,
  R14,
  R15,
  Restarts,
}
const FIELDS = 9
const MARK_FIELD: Record<MarkKind, Field> = {r14: Field.R14, r15: Field.R15, restarts: Field.Restarts}
/** Buckets room is made for at first: most series of a short log stay small. */
const INITIAL_ROOM = 16

/**
 * A time series in at most `capacity` buckets: when full, the bucket width doubles and
 * neighbours merge pairwise, so memory stays bounded however many samples arrive while
 * min/max/mean per bucket stay exact. Buckets are aligned on multiples of the width since
 * the epoch, so samples may arrive out of order (several files) and still land right.
 *
 * The buckets live in one Float64Array, not one object each: a report of a 1 GB log creates
 * ~280k buckets that live until merged, and as objects (with their boxed doubles) they were
 * ~46 MB promoted out of V8's young generation, most of the main thread's GC.
 */
export class DownsampledSeries {
  private buckets = new Float64Array(INITIAL_ROOM * FIELDS)
  private count = 0
  private width: number

  constructor(private readonly capacity = 256, initialWidthMs = 20_000) {
    this.width = initialWidthMs
  }

  add(time: number, value: number): void {
    const at = this.bucketAt(time)
    const {buckets} = this
    if (buckets[at + Field.Count] === 0) {
      buckets[at + Field.Min] = value
      buckets[at + Field.Max] = value
    } else {
      if (value < buckets[at + Field.Min]) buckets[at + Field.Min] = value
      if (value > buckets[at + Field.Max]) buckets[at + Field.Max] = value
    }

    buckets[at + Field.Count]++
    buckets[at + Field.Sum] += value
    buckets[at + Field.TimeSum] += time
    this.coarsenIfFull()
  }

  mark(time: number, kind: MarkKind): void {
    // The bucket first: making it may replace the array.
    const at = this.bucketAt(time)
    this.buckets[at + MARK_FIELD[kind]]++
    this.coarsenIfFull()
  }

  get bucketWidthMs(): number {
    return this.width
  }

  get length(): number {
    return this.count
  }

  /** Buckets in time order; those holding only marks have count 0 and NaN values. */
  points(): SeriesPoint[] {
    const {buckets} = this
    const points: SeriesPoint[] = []
    for (let at = 0; at < this.count * FIELDS; at += FIELDS) {
      const count = buckets[at + Field.Count]
      points.push({
        count,
        max: count > 0 ? buckets[at + Field.Max] : Number.NaN,
        mean: count > 0 ? buckets[at + Field.Sum] / count : Number.NaN,
        min: count > 0 ? buckets[at + Field.Min] : Number.NaN,
        r14: buckets[at + Field.R14],
        r15: buckets[at + Field.R15],
        restarts: buckets[at + Field.Restarts],
        time: count > 0 ? buckets[at + Field.TimeSum] / count : buckets[at + Field.Index] * this.width,
      })
    }

    return points
  }

  /** The first slot of the bucket holding `time`, made (empty) when there is none. */
  private bucketAt(time: number): number {
    const index = Math.floor(time / this.width)
    const {buckets, count} = this
    const last = (count - 1) * FIELDS
    if (count > 0 && buckets[last + Field.Index] === index) return last
    if (count === 0 || buckets[last + Field.Index] < index) return this.insertAt(count, index)
    let low = 0
    let high = count
    while (low < high) {
      const middle = Math.floor((low + high) / 2)
      if (buckets[(middle * FIELDS) + Field.Index] < index) low = middle + 1
      else high = middle
    }

    if (low < count && buckets[(low * FIELDS) + Field.Index] === index) return low * FIELDS
    return this.insertAt(low, index)
  }

  private coarsenIfFull(): void {
    while (this.count > this.capacity) {
      this.width *= 2
      const {buckets} = this
      // Merged in place, front to back: bucket `kept` never overtakes bucket `from`.
      let kept = -1
      for (let from = 0; from < this.count; from++) {
        const at = from * FIELDS
        const index = Math.floor(buckets[at + Field.Index] / 2)
        const previous = kept * FIELDS
        if (kept >= 0 && buckets[previous + Field.Index] === index) {
          mergeInto(buckets, previous, at)
        } else {
          kept++
          if (kept !== from) buckets.copyWithin(kept * FIELDS, at, at + FIELDS)
          buckets[(kept * FIELDS) + Field.Index] = index
        }
      }

      this.count = kept + 1
    }
  }

  /** An empty bucket at `position` (the later ones move up one); its first slot. */
  private insertAt(position: number, index: number): number {
    if ((this.count + 1) * FIELDS > this.buckets.length) {
      const grown = new Float64Array(this.buckets.length * 2)
      grown.set(this.buckets)
      this.buckets = grown
    }

    const {buckets} = this
    const at = position * FIELDS
    // Samples mostly arrive in time order: appending is the common case.
    if (position < this.count) buckets.copyWithin(at + FIELDS, at, this.count * FIELDS)
    buckets.fill(0, at, at + FIELDS)
    buckets[at + Field.Index] = index
    buckets[at + Field.Min] = Number.NaN
    buckets[at + Field.Max] = Number.NaN
    this.count++
    return at
  }
}

function mergeInto(buckets: Float64Array, target: number, source: number): void {
  if (buckets[source + Field.Count] > 0) {
    const targetFilled = buckets[target + Field.Count] > 0
    buckets[target + Field.Min] = targetFilled ? Math.min(buckets[target + Field.Min], buckets[source + Field.Min]) : buckets[source + Field.Min]
    buckets[target + Field.Max] = targetFilled ? Math.max(buckets[target + Field.Max], buckets[source + Field.Max]) : buckets[source + Field.Max]
  }

  buckets[target + Field.Count] += buckets[source + Field.Count]
  buckets[target + Field.Sum] += buckets[source + Field.Sum]
  buckets[target + Field.TimeSum] += buckets[source + Field.TimeSum]
  buckets[target + Field.R14] += buckets[source + Field.R14]
  buckets[target + Field.R15] += buckets[source + Field.R15]
  buckets[target + Field.Restarts] += buckets[source + Field.Restarts]
}
