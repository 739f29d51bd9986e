import {expect} from 'chai'

import {DownsampledSeries, type MarkKind, type SeriesPoint} from '../../../src/core/report/downsampled-series.js'

// The implementation before the buckets moved into one Float64Array (one object per bucket):
// the oracle the typed-array one must match exactly, bucket for bucket and bit for bit.
/** One time bucket of a downsampled series. Times are epoch ms, values MiB. */
interface SeriesBucket {
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

type Point = SeriesPoint

class ObjectSeries {
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
  points(): Point[] {
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

/** A small deterministic generator (Park–Miller: its products stay exact in doubles). */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 48_271) % 2_147_483_647
    return state / 2_147_483_647
  }
}

const KINDS: MarkKind[] = ['r14', 'r15', 'restarts']

describe('DownsampledSeries', () => {
  it('matches the one-object-per-bucket series exactly: samples in and out of order, marks, every capacity', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed)
      const capacity = [1, 2, 3, 5, 8, 64, 256, 480][seed % 8]
      const width = [1000, 20_000][seed % 2]
      const typed = new DownsampledSeries(capacity, width)
      const objects = new ObjectSeries(capacity, width)
      let time = Date.UTC(2026, 10, 16) + Math.floor(next() * 1e6)
      const operations = 200 + Math.floor(next() * 3000)
      for (let i = 0; i < operations; i++) {
        // Mostly forward by ~20 s, sometimes back (a second file), sometimes far ahead (a gap).
        const step = next()
        time += step < 0.1 ? -Math.floor(next() * 3_600_000) : (step > 0.98 ? Math.floor(next() * 86_400_000) : 20_000 + Math.floor(next() * 200))
        if (next() < 0.05) {
          const kind = KINDS[Math.floor(next() * 3)]
          typed.mark(time, kind)
          objects.mark(time, kind)
        } else {
          const value = Math.round(next() * 1e6) / 1e3
          typed.add(time, value)
          objects.add(time, value)
        }

        if (i % 97 === 0) expect(typed.points(), `seed ${seed}, operation ${i}`).to.deep.equal(objects.points())
      }

      expect(typed.points(), `seed ${seed}`).to.deep.equal(objects.points())
      expect(typed.length).to.equal(objects.length).and.to.be.at.most(capacity)
      expect(typed.bucketWidthMs).to.equal(objects.bucketWidthMs)
    }
  })

  it('keeps a bucket of marks only with NaN values and the start of its time span', () => {
    const series = new DownsampledSeries(4, 1000)
    series.mark(5500, 'r14')
    series.add(7200, 10)
    series.mark(2100, 'restarts')
    expect(series.points()).to.deep.equal([
      {
        count: 0, max: Number.NaN, mean: Number.NaN, min: Number.NaN, r14: 0, r15: 0, restarts: 1, time: 2000,
      },
      {
        count: 0, max: Number.NaN, mean: Number.NaN, min: Number.NaN, r14: 1, r15: 0, restarts: 0, time: 5000,
      },
      {
        count: 1, max: 10, mean: 10, min: 10, r14: 0, r15: 0, restarts: 0, time: 7200,
      },
    ])
  })
})
