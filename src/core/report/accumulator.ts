import type {LogEvent, MemoryReading, MemorySample} from '../events.js'

import {restartCause, usedMemory} from '../events.js'
import {limitsForSize, quotaFromReading} from '../quotas.js'
import {DownsampledSeries} from './downsampled-series.js'
import {DuplicateEvents} from './duplicate-events.js'
import {QuantileSketch} from './quantile-sketch.js'
import {type ReleaseMark, ReleaseTimeline} from './release-timeline.js'
import {StrayTimes} from './stray-times.js'

/** Samples are ~20 s apart; a longer gap (a missed sample, a reconnect) counts as at most this, and charts leave it blank. */
export const MAX_SAMPLE_INTERVAL_MS = 60_000
const NOMINAL_SAMPLE_INTERVAL_MS = 20_000
/** Swap under 1 MiB is the kernel's housekeeping, not a dyno under memory pressure. */
export const SWAPPING_MB = 1
/** R14 episodes kept per dyno (for the watchdog advice) and samples remembered before each. */
const MAX_EPISODES = 100
const EPISODE_LEAD_SAMPLES = 6

export interface AccumulatorOptions {
  dyno?: string
  type?: string
  since?: number
  until?: number
  /** Dyno size per process type (from `GET /apps/{app}/formation`): the quota when lines carry none, and the R15 factor. */
  sizes?: Record<string, string>
}

/** One uninterrupted run of a dyno: one instance (`dyno=` id) within one release. */
export interface SeriesSpan {
  dyno: string
  instance?: string
  release?: ReleaseMark
  from: number
  to: number
  samples: number
  peakMb: number
}

/** A series while samples are added to it. */
export interface SeriesAccumulator extends SeriesSpan {
  quota: number
  points: DownsampledSeries
  /** Memory (RSS + swap) of the last sample, to notice crossings of the quota. */
  lastMb: number
  /** The last few samples' memory (a ring, `recentCount` of them, the oldest at `recentNext` once full): what a watchdog would have seen before an R14. */
  recent: Float64Array
  recentCount: number
  recentNext: number
}

/** A crossing from at or under the quota to over it, with the samples that led up to it. */
export interface QuotaEpisode {
  time: number
  lead: number[]
}

export interface DynoAccumulator {
  name: string
  type: string
  lineQuota?: number
  rss: QuantileSketch
  samples: number
  /** First and last sample. */
  from: number
  to: number
  /** First and last event of any kind (a dyno without samples still has a span). */
  eventsFrom: number
  eventsTo: number
  memoryMaxMb: number
  swapMaxMb: number
  totalMaxMb: number
  overQuotaMs: number
  swappingMs: number
  r14: number
  r15: number
  restarts: {crash: number; cycling: number; restart: number}
  instances: Set<string>
  timeline: DownsampledSeries
  series: SeriesAccumulator[]
  episodes: QuotaEpisode[]
  episodeCount: number
  /** Bumped by lifecycle events: splits the history when lines carry no instance id. */
  epoch: number
  open: Map<string, SeriesAccumulator>
  /** The series of the dyno's previous sample. */
  current?: SeriesAccumulator
  /** `Process running mem=...` lines: the platform's own readings, logged only while over the quota (with or without log-runtime-metrics). */
  readings: ReadingsAccumulator
}

/** What a dyno's `Process running` readings show: the report's only memory figures when log-runtime-metrics is off. */
export interface ReadingsAccumulator {
  count: number
  from: number
  to: number
  maxMb: number
  /** The quota the readings imply (mem / percent). */
  quotaMb?: number
  /** ~20 s a reading, as samples: consecutive readings at most a minute apart make one stretch over the quota. */
  overQuotaMs: number
  /** Stretches over the quota: a reading after a gap of over a minute, or after a restart, starts one. */
  episodes: number
  /** The dyno's epoch at the last reading (a restart between readings ends a stretch). */
  epoch: number
  /** Created at the first reading. */
  timeline?: DownsampledSeries
}

/**
 * Consumes events one at a time and keeps only bounded summaries per dyno (sketches,
 * downsampled series, counters), so memory does not grow with the number of samples.
 * Judging the series happens later, once, in `buildReport`.
 */
export class ReportAccumulator {
  readonly releases = new ReleaseTimeline()
  readonly dynos = new Map<string, DynoAccumulator>()
  /** Dyno names seen in the input before the dyno/type filters: to name them when a filter matches none. */
  readonly seenDynos = new Set<string>()
  events = 0
  samples = 0
  /** `Process running` readings taken. */
  readings = 0
  from = Number.POSITIVE_INFINITY
  to = Number.NEGATIVE_INFINITY
  /** Events seen before (overlapping or repeated logs): dropped, counted here. */
  readonly duplicates = new DuplicateEvents()
  /** Events dated far from the rest of the log: set aside, counted here. */
  readonly strays: StrayTimes<Exclude<LogEvent, {kind: 'release'}>>

  constructor(readonly options: AccumulatorOptions = {}) {
    this.strays = new StrayTimes(event => this.take(event))
  }

  add(event: LogEvent): void {
    if (this.options.since !== undefined && event.time < this.options.since) return
    if (this.options.until !== undefined && event.time > this.options.until) return
    if (event.kind === 'release') {
      this.releases.add(event)
      return
    }

    if (this.duplicates.isRepeat(event)) return
    this.strays.admit(event)
  }

  /** Takes what is still held back (the first events, until the log's time is known). Call before reading the totals; idempotent. */
  finish(): void {
    this.strays.finish()
  }

  private take(event: Exclude<LogEvent, {kind: 'release'}>): void {
    const known = this.dynos.get(event.dyno)
    // A dyno accumulated is one seen: one hash lookup a sample instead of two.
    if (known === undefined) this.seenDynos.add(event.dyno)
    if (this.options.dyno !== undefined && event.dyno !== this.options.dyno) return
    if (this.options.type !== undefined && event.type !== this.options.type) return
    this.events++
    if (event.time < this.from) this.from = event.time
    if (event.time > this.to) this.to = event.time
    const dyno = known ?? this.dynoOf(event.dyno, event.type)
    if (event.time < dyno.eventsFrom) dyno.eventsFrom = event.time
    if (event.time > dyno.eventsTo) dyno.eventsTo = event.time
    switch (event.kind) {
    case 'memory': {
      this.addSample(dyno, event)
      break
    }

    case 'reading': {
      this.addReading(dyno, event)
      break
    }

    case 'error': {
      if (event.code === 'R14') dyno.r14++
      else dyno.r15++
      dyno.timeline.mark(event.time, event.code === 'R14' ? 'r14' : 'r15')
      break
    }

    case 'dyno': {
      const cause = restartCause(event)
      if (cause) {
        dyno.restarts[cause]++
        dyno.timeline.mark(event.time, 'restarts')
      }

      if (cause || event.action === 'starting') dyno.epoch++
      break
    }

    default: {
      break
    }
    }
  }

  /** The quota and R15 kill factor a dyno is judged by: its lines' `memory_quota`, else its size's. */
  limitsOf(dyno: DynoAccumulator): {killFactor: number; quota: number; size?: string} {
    const size = this.options.sizes?.[dyno.type]
    const sized = limitsForSize(size)
    const quota = dyno.lineQuota ?? dyno.readings.quotaMb ?? sized?.quota ?? 512
    const killFactor = sized && sized.quota === quota ? sized.killFactor : killFactorForQuota(quota)
    return {killFactor, quota, size}
  }

  private addSample(dyno: DynoAccumulator, sample: MemorySample): void {
    this.samples++
    const memory = usedMemory(sample)
    if (sample.quota !== undefined && sample.quota > 0) dyno.lineQuota = sample.quota
    const quota = dyno.lineQuota ?? this.limitsOf(dyno).quota
    const series = this.seriesOf(dyno, sample, quota)
    const interval = sample.spanMs ?? (series.samples === 0 ? NOMINAL_SAMPLE_INTERVAL_MS : Math.min(MAX_SAMPLE_INTERVAL_MS, Math.max(0, sample.time - series.to)))

    dyno.samples++
    if (sample.time < dyno.from) dyno.from = sample.time
    if (sample.time > dyno.to) dyno.to = sample.time
    dyno.rss.add(sample.rss)
    if (memory > dyno.memoryMaxMb) dyno.memoryMaxMb = memory
    if (sample.swap > dyno.swapMaxMb) dyno.swapMaxMb = sample.swap
    if (sample.total > dyno.totalMaxMb) dyno.totalMaxMb = sample.total
    if (memory > quota) dyno.overQuotaMs += interval
    if (sample.swap >= SWAPPING_MB) dyno.swappingMs += interval
    dyno.timeline.add(sample.time, memory)
    // A series holds one instance: its first sample is the first sight of it (saves hashing a long id per sample).
    if (sample.instance && series.samples === 0) dyno.instances.add(sample.instance)

    if (memory > quota && series.lastMb <= quota) {
      dyno.episodeCount++
      if (dyno.episodes.length < MAX_EPISODES) dyno.episodes.push({lead: recentOf(series), time: sample.time})
    }

    series.samples++
    if (sample.time < series.from) series.from = sample.time
    if (sample.time > series.to) series.to = sample.time
    if (memory > series.peakMb) series.peakMb = memory
    series.quota = quota
    series.points.add(sample.time, memory)
    series.lastMb = memory
    series.recent[series.recentNext] = memory
    series.recentNext = (series.recentNext + 1) % EPISODE_LEAD_SAMPLES
    if (series.recentCount < EPISODE_LEAD_SAMPLES) series.recentCount++
  }

  private addReading(dyno: DynoAccumulator, reading: MemoryReading): void {
    this.readings++
    const {readings} = dyno
    const continues = readings.count > 0 && readings.epoch === dyno.epoch && reading.time - readings.to <= MAX_SAMPLE_INTERVAL_MS && reading.time >= readings.to
    readings.overQuotaMs += continues ? reading.time - readings.to : NOMINAL_SAMPLE_INTERVAL_MS
    if (!continues) readings.episodes++
    readings.count++
    readings.epoch = dyno.epoch
    if (reading.time < readings.from) readings.from = reading.time
    if (reading.time > readings.to) readings.to = reading.time
    if (reading.mem > readings.maxMb) readings.maxMb = reading.mem
    readings.quotaMb = quotaFromReading(reading.mem, reading.percent) ?? readings.quotaMb
    readings.timeline ??= new DownsampledSeries(480)
    readings.timeline.add(reading.time, reading.mem)
  }

  private dynoOf(name: string, type: string): DynoAccumulator {
    let dyno = this.dynos.get(name)
    if (!dyno) {
      dyno = {
        episodeCount: 0,
        eventsFrom: Number.POSITIVE_INFINITY,
        eventsTo: Number.NEGATIVE_INFINITY,
        episodes: [],
        epoch: 0,
        from: Number.POSITIVE_INFINITY,
        instances: new Set(),
        memoryMaxMb: 0,
        name,
        open: new Map(),
        overQuotaMs: 0,
        r14: 0,
        r15: 0,
        readings: {
          count: 0, episodes: 0, epoch: 0, from: Number.POSITIVE_INFINITY, maxMb: 0, overQuotaMs: 0, to: Number.NEGATIVE_INFINITY,
        },
        restarts: {crash: 0, cycling: 0, restart: 0},
        rss: new QuantileSketch(),
        samples: 0,
        series: [],
        swapMaxMb: 0,
        swappingMs: 0,
        timeline: new DownsampledSeries(480),
        to: Number.NEGATIVE_INFINITY,
        totalMaxMb: 0,
        type,
      }
      this.dynos.set(name, dyno)
    }

    return dyno
  }

  /**
   * The series a sample belongs to: its instance when the line names one (preboot runs two
   * instances of `web.1` at once; each keeps its own series), else the stretch since the last
   * lifecycle event within the current release.
   */
  private seriesOf(dyno: DynoAccumulator, sample: MemorySample, quota: number): SeriesAccumulator {
    // Fast path: the same instance as the dyno's previous sample.
    const {current} = dyno
    if (current && sample.instance !== undefined && current.instance === sample.instance) return current
    const release = this.releases.at(sample.time)
    const key = sample.instance ?? `#${dyno.epoch}@${release?.time ?? ''}`
    let series = dyno.open.get(key)
    if (!series) {
      series = {
        dyno: dyno.name,
        from: sample.time,
        instance: sample.instance,
        lastMb: 0,
        peakMb: 0,
        points: new DownsampledSeries(256),
        quota,
        recent: new Float64Array(EPISODE_LEAD_SAMPLES),
        recentCount: 0,
        recentNext: 0,
        release,
        samples: 0,
        to: sample.time,
      }
      dyno.open.set(key, series)
      dyno.series.push(series)
    }

    dyno.current = series
    return series
  }
}

/** A series' remembered samples, oldest first. */
function recentOf(series: SeriesAccumulator): number[] {
  const out: number[] = []
  const start = series.recentCount < EPISODE_LEAD_SAMPLES ? 0 : series.recentNext
  for (let i = 0; i < series.recentCount; i++) out.push(series.recent[(start + i) % EPISODE_LEAD_SAMPLES])
  return out
}

/** Where lines give the quota but nothing gives the size: the R15 factor of the Cedar size with that quota. */
export function killFactorForQuota(quota: number): number {
  return quota >= 30 * 1024 ? 1.2 : 2
}
