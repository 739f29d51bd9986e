import type {LogEvent, MemorySample} from './events.js'

import {restartCause, usedMemory} from './events.js'
import {effectiveQuota} from './quotas.js'

/** What is known about one dyno right now, as the tail shows it. */
export interface DynoStatus {
  /** Instance id (`dyno=` value) of the series now being followed. */
  instance?: string
  lastEventTime: number
  latest?: MemorySample
  name: string
  /** Highest `rss + swap` seen since the board started, MiB. */
  peakUsed: number
  quota: number
  r14: number
  r15: number
  /** Restarts seen: API restarts, crashes and daily cycling. */
  restarts: number
  /** Recent `rss + swap` values, oldest first, at most `historySize`. */
  recent: number[]
  size?: string
  samples: number
  /** Samples dropped because they came from an instance that had been replaced (preboot overlap). */
  staleSamples: number
  state?: string
  type: string
}

/**
 * Per-dyno state for a live view: the latest sample, a short bounded history, counts of
 * memory errors and restarts. Keyed by dyno name, but each name follows one instance at a
 * time: when a new `dyno=` id appears the old one is retired, and its late samples (preboot
 * keeps the old instance running for minutes) are not mixed into the new series.
 */
export class DynoBoard {
  private readonly dynos = new Map<string, DynoStatus>()
  private readonly retired = new Map<string, Set<string>>()
  /** Per dyno, the first live sample's time of the instance followed: seeded samples go before it. */
  private readonly liveSince = new Map<string, number>()
  /** Per dyno, the newest seeded sample's time: live samples up to it are already in the trend. */
  private readonly seededThrough = new Map<string, number>()
  /** Trends from earlier samples (see `seed`) of dynos not yet seen live: taken up when they show. */
  private readonly seeds = new Map<string, TrendSeed>()

  constructor(private readonly historySize = 60, private readonly sizes: Map<string, string> = new Map()) {}

  /** Applies one event; returns the dyno it changed, or undefined when it changed nothing. */
  apply(event: LogEvent): DynoStatus | undefined {
    if (event.kind === 'release') return undefined
    const status = this.statusOf(event.dyno, event.type)
    if (event.time > status.lastEventTime) status.lastEventTime = event.time
    switch (event.kind) {
    case 'memory': {
      return this.applySample(status, event) ? status : undefined
    }

    case 'error': {
      if (event.code === 'R14') status.r14++
      else status.r15++
      return status
    }

    // `Process running mem=`: the platform's reading over the quota, all an app without log-runtime-metrics has.
    case 'reading': {
      return status
    }

    case 'dyno': {
      if (restartCause(event)) status.restarts++
      if (event.action === 'state' || event.action === 'crashed') status.state = event.to
      return status
    }

    default: {
      return undefined
    }
    }
  }

  /**
   * Starts trends from earlier samples (mem:record's store), oldest first, whether they come
   * before the live log or after its first lines. They only go in front of `recent` (of the
   * newest instance each dyno had, if it is the one followed), and only for dynos that show in
   * the live log: a dyno gone since is not listed, and nothing is counted as seen (samples, peak).
   */
  seed(samples: MemorySample[]): void {
    const seeds = new Map<string, TrendSeed>()
    for (const sample of samples) {
      let seed = seeds.get(sample.dyno)
      if (!seed || (sample.instance !== undefined && sample.instance !== seed.instance)) {
        seed = {instance: sample.instance, points: []}
        seeds.set(sample.dyno, seed)
      }

      if (seed.points.length > 0 && sample.time <= seed.points.at(-1)!.time) continue
      if (seed.points.length >= this.historySize) seed.points.shift()
      seed.points.push({time: sample.time, used: usedMemory(sample)})
    }

    for (const [name, seed] of seeds) {
      const status = this.dynos.get(name)
      if (status) this.takeSeed(status, seed)
      else this.seeds.set(name, seed)
    }
  }

  /** Drops a dyno that is gone (one-off `run.N` dynos come and go): keeps a long tail bounded. */
  forget(name: string): void {
    this.dynos.delete(name)
    this.retired.delete(name)
    this.liveSince.delete(name)
    this.seededThrough.delete(name)
  }

  get(name: string): DynoStatus | undefined {
    return this.dynos.get(name)
  }

  /** Dynos sorted by process type, then number (`web.2` before `web.10`). */
  list(): DynoStatus[] {
    return [...this.dynos.values()].sort(compareDynoNames)
  }

  /** Records sizes learnt from the API (`GET /apps/{app}/dynos`), for quotas when lines carry none. */
  setSize(name: string, size: string): void {
    this.sizes.set(name, size)
    const status = this.dynos.get(name)
    if (status) {
      status.size = size
      if (status.latest?.quota === undefined) status.quota = effectiveQuota(undefined, size)
    }
  }

  private applySample(status: DynoStatus, sample: MemorySample): boolean {
    const {instance} = sample
    if (instance !== undefined && instance !== status.instance) {
      const retired = this.retired.get(status.name)
      if (retired?.has(instance)) {
        status.staleSamples++
        return false
      }

      if (status.instance !== undefined) {
        const set = retired ?? new Set<string>()
        set.add(status.instance)
        // Only the last few instances can still be emitting: keep the set small.
        if (set.size > 8) set.delete(set.values().next().value as string)
        this.retired.set(status.name, set)
        status.recent.length = 0
        this.liveSince.delete(status.name)
      }

      status.instance = instance
    }

    status.latest = sample
    status.quota = effectiveQuota(sample.quota, status.size)
    status.samples++
    const used = usedMemory(sample)
    if (used > status.peakUsed) status.peakUsed = used
    // The log buffer repeats what the store had: a sample already in the seeded trend is not added twice.
    if (sample.time <= (this.seededThrough.get(status.name) ?? Number.NEGATIVE_INFINITY)) return true
    if (!this.liveSince.has(status.name)) this.liveSince.set(status.name, sample.time)
    if (status.recent.length >= this.historySize) status.recent.shift()
    status.recent.push(used)
    return true
  }

  private statusOf(name: string, type: string): DynoStatus {
    let status = this.dynos.get(name)
    if (!status) {
      const size = this.sizes.get(name)
      status = {
        lastEventTime: 0, name, peakUsed: 0, quota: effectiveQuota(undefined, size), r14: 0, r15: 0, recent: [], restarts: 0, samples: 0, size, staleSamples: 0, type,
      }
      this.dynos.set(name, status)
      const seed = this.seeds.get(name)
      if (seed) {
        this.seeds.delete(name)
        this.takeSeed(status, seed)
      }
    }

    return status
  }

  /** Puts a seed's samples older than the live ones in front of the dyno's trend, if it is of the instance followed. */
  private takeSeed(status: DynoStatus, seed: TrendSeed): void {
    if (status.instance !== undefined && seed.instance !== undefined && status.instance !== seed.instance) return
    const since = this.liveSince.get(status.name) ?? Number.POSITIVE_INFINITY
    const older = seed.points.filter(point => point.time < since)
    if (older.length === 0) return
    status.recent.unshift(...older.map(point => point.used))
    if (status.recent.length > this.historySize) status.recent.splice(0, status.recent.length - this.historySize)
    status.instance ??= seed.instance
    this.seededThrough.set(status.name, older.at(-1)!.time)
  }
}

/** Earlier samples of one dyno instance, oldest first: `rss + swap` with its time. */
interface TrendSeed {
  instance?: string
  points: Array<{time: number; used: number}>
}

export function compareDynoNames(a: {name: string}, b: {name: string}): number {
  const [typeA, numA] = splitName(a.name)
  const [typeB, numB] = splitName(b.name)
  if (typeA !== typeB) return typeA < typeB ? -1 : 1
  return numA - numB
}

function splitName(name: string): [string, number] {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return [name, 0]
  const number = Number(name.slice(dot + 1))
  return [name.slice(0, dot), Number.isFinite(number) ? number : 0]
}
