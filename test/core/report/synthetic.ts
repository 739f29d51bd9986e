import {DownsampledSeries, type SeriesPoint} from '../../../src/core/report/downsampled-series.js'
import {Random} from '../../simulator/random.js'

export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next())
}

export const START = Date.UTC(2026, 10, 20, 8)
export const SAMPLE_MS = 20_000
const HOUR = 3_600_000

export interface TraceOptions {
  capacity?: number
  noiseMb: number
  seed?: number
}

/** Samples `shape(hoursSinceStart)` every 20 s for `hours`, adds seeded Gaussian noise, downsamples. */
export function trace(hours: number, shape: (hour: number) => number, {capacity = 256, noiseMb, seed = 1}: TraceOptions): SeriesPoint[] {
  const random = new Random(seed)
  const series = new DownsampledSeries(capacity)
  for (let time = START; time <= START + (hours * HOUR); time += SAMPLE_MS) {
    const hour = (time - START) / HOUR
    series.add(time, Math.max(1, shape(hour) + (noiseMb * gaussian(random))))
  }

  return series.points()
}
