/**
 * Blame's stored intervals (core/blame/stored-intervals.ts) <-> the rows of mem_intervals and
 * mem_interval_routes. Both tables are keyed by (app, start_time, dyno[, route]): a replayed or
 * doubly recorded interval is written once.
 */
import type {StoredInterval} from '../core/blame/stored-intervals.js'
import type {SqlDriver, SqlValue} from './sql-driver.js'

export const INTERVAL_COLUMNS = ['app', 'dyno', 'start_time', 'end_time', 'instance', 'type', 'start_mb', 'end_mb', 'requests', 'service_ms', 'bytes', 'errors'] as const
export const INTERVAL_ROUTE_COLUMNS = ['app', 'dyno', 'start_time', 'route', 'requests'] as const

export function intervalRows(app: string, intervals: StoredInterval[]): {intervals: SqlValue[][]; routes: SqlValue[][]} {
  const routes: SqlValue[][] = []
  for (const interval of intervals) {
    for (const route of interval.routes) routes.push([app, interval.dyno, interval.start, route.route, route.requests])
  }

  return {
    intervals: intervals.map(interval => [
      app,
      interval.dyno,
      interval.start,
      interval.end,
      interval.instance,
      interval.type,
      interval.startMb,
      interval.endMb,
      interval.requests,
      interval.serviceMs,
      interval.bytes,
      interval.errors,
    ]),
    routes,
  }
}

/** A day of intervals per query: a window of weeks is never one result in memory. */
const PAGE_MS = 86_400_000

/** The app's intervals that start and end in [from, to], to `onInterval` in time order. */
export async function readIntervals(driver: SqlDriver, app: string, window: {from: number; to: number}, onInterval: (interval: StoredInterval) => void): Promise<number> {
  let read = 0
  // Pages only over the span the app has intervals in: a window may be wide open.
  const [span] = await driver.all(
    'SELECT MIN(start_time) AS first, MAX(start_time) AS last FROM mem_intervals WHERE app = ? AND start_time >= ? AND start_time <= ?',
    [app, window.from, window.to],
  )
  if (span?.first === null || span?.first === undefined) return 0
  const last = Number(span.last)
  for (let pageStart = Number(span.first); pageStart <= last; pageStart += PAGE_MS) {
    const pageEnd = Math.min(last, pageStart + PAGE_MS - 1)
    const params = [app, pageStart, pageEnd, window.to]
    const rows = await driver.all(`SELECT dyno, start_time, end_time, instance, type, start_mb, end_mb, requests, service_ms, bytes, errors
      FROM mem_intervals WHERE app = ? AND start_time >= ? AND start_time <= ? AND end_time <= ? ORDER BY start_time, dyno`, params)
    const routeRows = await driver.all(
      'SELECT dyno, start_time, route, requests FROM mem_interval_routes WHERE app = ? AND start_time >= ? AND start_time <= ?',
      params.slice(0, 3),
    )
    const routesOf = new Map<string, StoredInterval['routes']>()
    for (const row of routeRows) {
      const key = `${row.dyno}\u0000${row.start_time}`
      const list = routesOf.get(key) ?? []
      list.push({requests: Number(row.requests), route: String(row.route)})
      routesOf.set(key, list)
    }

    for (const row of rows) {
      onInterval({
        bytes: Number(row.bytes),
        dyno: String(row.dyno),
        end: Number(row.end_time),
        endMb: Number(row.end_mb),
        errors: Number(row.errors),
        instance: String(row.instance),
        requests: Number(row.requests),
        routes: routesOf.get(`${row.dyno}\u0000${row.start_time}`) ?? [],
        serviceMs: Number(row.service_ms),
        start: Number(row.start_time),
        startMb: Number(row.start_mb),
        type: String(row.type),
      })
      read++
    }
  }

  return read
}
