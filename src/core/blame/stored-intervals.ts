/**
 * Blame's intervals as the recorder's store keeps them: one row per finished interval (memory at
 * both ends, what its requests added up to) and its requests per route template, named, not by a
 * run's route ids. The recorder turns IntervalBuilder's intervals into these; mem:blame --since
 * turns them back into IntervalData for the same blame core (buildBlame), so there is one blame.
 */
import type {BlameSource} from './blame.js'

import {IntervalTables} from './interval-table.js'
import {
  type IntervalData, type MemoryInterval, ROUTE_LIMIT, type RouteTotals,
} from './intervals.js'
import {OTHER_ROUTE} from './route-template.js'

export interface StoredRouteCount {
  requests: number
  /** `GET /reports/:id/export`, or `other` past the recorder's bound. */
  route: string
}

export interface StoredInterval {
  bytes: number
  dyno: string
  end: number
  endMb: number
  errors: number
  /** Empty when the samples named none. */
  instance: string
  requests: number
  routes: StoredRouteCount[]
  serviceMs: number
  start: number
  startMb: number
  type: string
}

/** IntervalBuilder's finished intervals with their route ids named (`names`: the builder's catalog). */
export function toStoredIntervals(intervals: MemoryInterval[], names: readonly string[]): StoredInterval[] {
  return intervals.map(interval => ({
    bytes: interval.bytes,
    dyno: interval.dyno,
    end: interval.end,
    endMb: interval.endMb,
    errors: interval.errors,
    instance: interval.instance ?? '',
    requests: interval.requests,
    routes: [...interval.routes].map((id, index) => ({requests: interval.counts[index], route: names[id]})),
    serviceMs: interval.serviceMs,
    start: interval.start,
    startMb: interval.startMb,
    type: interval.type,
  }))
}

/**
 * Stored intervals, fed in time order per dyno, as the blame core's input. Route names get ids
 * again, as bounded as when they were recorded (several recorders may have kept different ones).
 * The store keeps only the requests placed in an interval: none are `unplaced` here.
 */
export class StoredIntervals implements BlameSource {
  from = Number.POSITIVE_INFINITY
  to = Number.NEGATIVE_INFINITY
  private readonly ids = new Map<string, number>([[OTHER_ROUTE, 0]])
  private intervals = 0
  /** Per dyno, the end of its last interval: consecutive intervals share a sample. */
  private readonly lastEnd = new Map<string, number>()
  private readonly names: string[] = [OTHER_ROUTE]
  private requests = 0
  private readonly routeTotals: RouteTotals[] = [emptyTotals()]
  private samples = 0
  private readonly tables = new IntervalTables()

  add(stored: StoredInterval): void {
    const counts = new Map<number, number>()
    for (const {requests, route} of stored.routes) {
      const id = this.idOf(route)
      counts.set(id, (counts.get(id) ?? 0) + requests)
      this.routeTotals[id].requests += requests
    }

    this.requests += stored.requests
    this.samples += this.lastEnd.get(stored.dyno) === stored.start ? 1 : 2
    this.lastEnd.set(stored.dyno, stored.end)
    if (stored.start < this.from) this.from = stored.start
    if (stored.end > this.to) this.to = stored.end
    this.intervals++
    this.tables.add({
      bytes: stored.bytes,
      dyno: stored.dyno,
      end: stored.end,
      endMb: stored.endMb,
      errors: stored.errors,
      instance: stored.instance || undefined,
      requests: stored.requests,
      serviceMs: stored.serviceMs,
      start: stored.start,
      startMb: stored.startMb,
      type: stored.type,
    }, counts)
  }

  counts(): {intervals: number; requests: number} {
    return {intervals: this.intervals, requests: this.requests}
  }

  result(): IntervalData {
    return {
      requests: this.requests, routes: [...this.names], routeTotals: this.routeTotals, samples: this.samples, tables: this.tables.list(), unplaced: 0,
    }
  }

  private idOf(route: string): number {
    const known = this.ids.get(route)
    if (known !== undefined) return known
    if (this.names.length > ROUTE_LIMIT) return 0
    const id = this.names.length
    this.names.push(route)
    this.ids.set(route, id)
    this.routeTotals.push(emptyTotals())
    return id
  }
}

function emptyTotals(): RouteTotals {
  return {
    bytes: 0, errors: 0, requests: 0, serviceMs: 0,
  }
}
