/**
 * The join of the two log streams: per dyno, memory between consecutive samples (~20 s apart)
 * against the requests that dyno started in that interval. Only counts are kept per interval
 * (sparse route -> count), never the requests themselves: router lines are most of a log's bytes.
 * Finished intervals go into per-type tables (interval-table.ts), or one by one to a caller that
 * stores them as they close (the recorder).
 */
import type {MemorySample, RouterRequest} from '../events.js'

import {processTypeOf, usedMemory} from '../events.js'
import {
  type IntervalRow, type IntervalTable, IntervalTables, type MemoryInterval,
} from './interval-table.js'
import {RouteCatalog} from './route-template.js'

export type {MemoryInterval} from './interval-table.js'

/** Per route over the whole log. */
export interface RouteTotals {
  bytes: number
  errors: number
  requests: number
  serviceMs: number
}

export interface IntervalData {
  /** Finished intervals, a table per process type (in the order each was first seen). */
  tables: IntervalTable[]
  /** Requests that fell in no interval: before a dyno's first sample, across a restart, or too late. */
  unplaced: number
  requests: number
  routes: string[]
  routeTotals: RouteTotals[]
  samples: number
}

/** Samples further apart than this (missed samples, a log gap) make no interval: too long to attribute. */
export const MAX_INTERVAL_MS = 90_000
/**
 * An interval is closed once its dyno has moved this far past it. Router lines are logged when a
 * response ends, so a slow request (H12 at 30 s, streaming longer) arrives well after its start.
 */
const LATE_REQUEST_GRACE_MS = 120_000
/** Distinct route templates kept; the rest are `other`. */
export const ROUTE_LIMIT = 300

interface OpenInterval {
  counts: Map<number, number>
  interval: IntervalRow
}

interface DynoTrack {
  /** The last sample: the start of the interval now filling. */
  last?: MemorySample
  /** Requests started after `last`: they belong to the interval the next sample closes. */
  pending: OpenInterval
  /** Closed intervals that late router lines may still land in, oldest first. */
  recent: OpenInterval[]
}

export class IntervalBuilder {
  private readonly catalog = new RouteCatalog(ROUTE_LIMIT)
  private readonly dynos = new Map<string, DynoTrack>()
  private readonly routeTotals: RouteTotals[] = []
  private requests = 0
  private samples = 0
  private readonly tables = new IntervalTables()
  private unplaced = 0

  /** `onFinished`: each interval as it closes, instead of the tables (the recorder stores them as they close). */
  constructor(private readonly onFinished?: (interval: MemoryInterval) => void) {}

  addRequest(request: RouterRequest): void {
    this.requests++
    const route = this.catalog.idOf(request.method, request.path)
    const totals = this.routeTotals[route] ?? (this.routeTotals[route] = {
      bytes: 0, errors: 0, requests: 0, serviceMs: 0,
    })
    const error = request.status >= 500 ? 1 : 0
    const serviceMs = Number.isFinite(request.serviceMs) && request.serviceMs > 0 ? request.serviceMs : 0
    const bytes = request.bytes ?? 0
    totals.requests++
    totals.bytes += bytes
    totals.errors += error
    totals.serviceMs += serviceMs
    const track = this.dynos.get(request.dyno)
    const target = track && this.intervalFor(track, request.time - serviceMs)
    if (!target) {
      this.unplaced++
      return
    }

    const {interval} = target
    interval.requests++
    interval.bytes += bytes
    interval.errors += error
    interval.serviceMs += serviceMs
    target.counts.set(route, (target.counts.get(route) ?? 0) + 1)
  }

  addSample(sample: MemorySample): void {
    this.samples++
    let track = this.dynos.get(sample.dyno)
    if (!track) {
      track = {pending: openInterval(sample), recent: []}
      this.dynos.set(sample.dyno, track)
    }

    const {last} = track
    if (last && sample.time <= last.time) return
    if (last && last.instance === sample.instance && sample.time - last.time <= MAX_INTERVAL_MS) {
      const closing = track.pending
      closing.interval.end = sample.time
      closing.interval.endMb = usedMemory(sample)
      track.recent.push(closing)
    } else {
      // A restart, a preboot overlap (two instances alternating) or a gap: memory across it says nothing.
      this.unplaced += track.pending.interval.requests
    }

    track.last = sample
    track.pending = openInterval(sample)
    while (track.recent.length > 0 && track.recent[0].interval.end < sample.time - LATE_REQUEST_GRACE_MS) {
      this.finish(track.recent.shift()!)
    }
  }

  counts(): {requests: number; samples: number} {
    return {requests: this.requests, samples: this.samples}
  }

  /** Route templates by id, as far as seen. */
  get routeNames(): readonly string[] {
    return this.catalog.names
  }

  /** Everything gathered; closes every interval still open to late lines. */
  result(): IntervalData {
    for (const track of this.dynos.values()) {
      for (const open of track.recent) this.finish(open)
      this.unplaced += track.pending.interval.requests
      track.recent = []
    }

    const routes = [...this.catalog.names]
    const routeTotals = routes.map((_, id) => this.routeTotals[id] ?? {
      bytes: 0, errors: 0, requests: 0, serviceMs: 0,
    })
    return {
      requests: this.requests, routes, routeTotals, samples: this.samples, tables: this.tables.list(), unplaced: this.unplaced,
    }
  }

  private finish(open: OpenInterval): void {
    const {counts, interval} = open
    if (this.onFinished) this.onFinished({...interval, counts: Int32Array.from(counts.values()), routes: Int32Array.from(counts.keys())})
    else this.tables.add(interval, counts)
  }

  /** The interval a request that started at `start` belongs to, if it is still open to it. */
  private intervalFor(track: DynoTrack, start: number): OpenInterval | undefined {
    if (!track.last) return undefined
    if (start > track.last.time) return track.pending
    for (let i = track.recent.length - 1; i >= 0; i--) {
      const open = track.recent[i]
      if (start > open.interval.end) return undefined
      if (start > open.interval.start) return open
    }

    return undefined
  }
}

function openInterval(sample: MemorySample): OpenInterval {
  return {
    counts: new Map(),
    interval: {
      bytes: 0,
      dyno: sample.dyno,
      end: Number.NaN,
      endMb: Number.NaN,
      errors: 0,
      instance: sample.instance,
      requests: 0,
      serviceMs: 0,
      start: sample.time,
      startMb: usedMemory(sample),
      type: sample.type ?? processTypeOf(sample.dyno),
    },
  }
}
