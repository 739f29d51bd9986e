/**
 * Per-dyno rollups of the raw rows, at two levels: 5 minutes (mem_rollups) and an hour
 * (mem_rollups_hourly). They are kept current as batches are written, so a long window is read
 * from ~100 rows a dyno-day instead of 4,320 samples, and they are what is left once raw samples
 * age out. Every refresh recomputes the touched buckets from the level below, never adds to them:
 * a batch written twice (a reconnect's replay, two recorders) leaves them as they were.
 * Migration version 2 runs these builders over a whole store: a later column comes with its own
 * migration step, and these keep to the columns version 2 made (or version 2 takes a copy).
 */
import type {LogEvent, MemorySample} from '../core/events.js'
import type {SqlDialect, SqlRow} from './sql-driver.js'

import {processTypeOf} from '../core/events.js'

export const FIVE_MINUTES_MS = 300_000
export const HOUR_MS = 3_600_000
/** What the platform logs: a sample every 20 s per dyno. */
const SAMPLE_MS = 20_000

export interface RollupLevel {
  name: '5-minute' | 'hourly'
  table: string
  bucketMs: number
}

export const FIVE_MINUTE_ROLLUPS: RollupLevel = {bucketMs: FIVE_MINUTES_MS, name: '5-minute', table: 'mem_rollups'}
export const HOURLY_ROLLUPS: RollupLevel = {bucketMs: HOUR_MS, name: 'hourly', table: 'mem_rollups_hourly'}

/** Both levels' columns. Memory is RSS + swap, as R14 measures it; `restarts` counts restarts, cyclings and crashes, the last two also alone. */
export const ROLLUP_COLUMNS = ['app', 'dyno', 'bucket', 'samples', 'mem_min', 'mem_sum', 'mem_max', 'swap_max', 'total_max', 'quota', 'r14', 'r15', 'restarts', 'crashes', 'cyclings'] as const

/** What the report counts as a restart (core/events.ts restartCause), as stored in mem_events.detail. */
const RESTART_ACTIONS = "'restarting', 'cycling', 'crashed'"

/**
 * Recomputes the 5-minute rollups' memory figures from the raw samples, for one app and a
 * bucket-aligned time range (`scoped`) or for everything (a migration). A bucket whose raw
 * samples have partly aged out recomputes to fewer samples than it holds: it is left alone.
 */
export function refreshSamplesSql(scoped: boolean): string {
  const bucket = `(time / ${FIVE_MINUTES_MS}) * ${FIVE_MINUTES_MS}`
  return `INSERT INTO mem_rollups (${ROLLUP_COLUMNS.join(', ')})
    SELECT app, dyno, ${bucket}, COUNT(*), MIN(rss + swap), SUM(rss + swap), MAX(rss + swap), MAX(swap), MAX(total), MAX(quota), 0, 0, 0, 0, 0
    FROM mem_samples WHERE ${scoped ? 'app = ? AND time >= ? AND time < ?' : '1 = 1'} GROUP BY app, dyno, ${bucket}
    ON CONFLICT (app, bucket, dyno) DO UPDATE SET samples = excluded.samples, mem_min = excluded.mem_min, mem_sum = excluded.mem_sum,
      mem_max = excluded.mem_max, swap_max = excluded.swap_max, total_max = excluded.total_max, quota = excluded.quota
    WHERE excluded.samples >= mem_rollups.samples`
}

/** The same for the 5-minute rollups' R14/R15 and restart counts, from the raw events; a count never goes down (aged-out events). */
export function refreshEventsSql(dialect: SqlDialect, scoped: boolean): string {
  const bucket = `(time / ${FIVE_MINUTES_MS}) * ${FIVE_MINUTES_MS}`
  const keep = (column: string) => `${column} = ${dialect.greatest}(mem_rollups.${column}, excluded.${column})`
  return `INSERT INTO mem_rollups (${ROLLUP_COLUMNS.join(', ')})
    SELECT app, dyno, ${bucket}, 0, 0, 0, 0, 0, 0, NULL, ${countOf("kind = 'error' AND detail = 'R14'")}, ${countOf("kind = 'error' AND detail = 'R15'")},
      ${countOf(`kind = 'dyno' AND detail IN (${RESTART_ACTIONS})`)}, ${countOf("kind = 'dyno' AND detail = 'crashed'")}, ${countOf("kind = 'dyno' AND detail = 'cycling'")}
    FROM mem_events WHERE ${scoped ? 'app = ? AND time >= ? AND time < ? AND ' : ''}(kind = 'error' OR (kind = 'dyno' AND detail IN (${RESTART_ACTIONS})))
    GROUP BY app, dyno, ${bucket}
    ON CONFLICT (app, bucket, dyno) DO UPDATE SET ${['r14', 'r15', 'restarts', 'crashes', 'cyclings'].map(column => keep(column)).join(', ')}`
}

function countOf(condition: string): string {
  return `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`
}

/** Recomputes the hourly rollups from the 5-minute ones, for one app and an hour-aligned range, or for everything. */
export function refreshHourlySql(scoped: boolean): string {
  const bucket = `(bucket / ${HOUR_MS}) * ${HOUR_MS}`
  const updated = ROLLUP_COLUMNS.filter(column => !['app', 'bucket', 'dyno'].includes(column))
  return `INSERT INTO mem_rollups_hourly (${ROLLUP_COLUMNS.join(', ')})
    SELECT app, dyno, ${bucket}, SUM(samples), COALESCE(MIN(CASE WHEN samples > 0 THEN mem_min END), 0), SUM(mem_sum), MAX(mem_max), MAX(swap_max),
      MAX(total_max), MAX(quota), SUM(r14), SUM(r15), SUM(restarts), SUM(crashes), SUM(cyclings)
    FROM mem_rollups WHERE ${scoped ? 'app = ? AND bucket >= ? AND bucket < ?' : '1 = 1'} GROUP BY app, dyno, ${bucket}
    ON CONFLICT (app, bucket, dyno) DO UPDATE SET ${updated.map(column => `${column} = excluded.${column}`).join(', ')}`
}

/** The 5-minute buckets a batch touches, as bucket-aligned [from, to) runs: contiguous buckets make one run. */
export function touchedRanges(times: Iterable<number>): Array<{from: number; to: number}> {
  const buckets = [...new Set([...times].map(time => Math.floor(time / FIVE_MINUTES_MS) * FIVE_MINUTES_MS))].sort((a, b) => a - b)
  const ranges: Array<{from: number; to: number}> = []
  for (const bucket of buckets) {
    const last = ranges.at(-1)
    if (last && last.to === bucket) last.to = bucket + FIVE_MINUTES_MS
    else ranges.push({from: bucket, to: bucket + FIVE_MINUTES_MS})
  }

  return ranges
}

/**
 * A rollup row as the report's events: one point per dyno and bucket at the bucket's peak (so each
 * dyno's peak stays exact; percentiles and means lean high), standing for the time its samples
 * covered, then one event per R14, R15 and restart, a millisecond apart so none reads as a repeat.
 * Restarts go at the bucket's end: the bucket's peak, most often before the restart, stays with
 * the run it belongs to. Times are kept inside [from, to], the window read.
 */
export function rollupEvents(row: SqlRow, bucketMs: number, from: number, to: number): LogEvent[] {
  const dyno = String(row.dyno)
  const type = processTypeOf(dyno)
  const bucket = Number(row.bucket)
  const within = (time: number) => Math.min(to, Math.max(from, time))
  const events: LogEvent[] = []
  const samples = Number(row.samples)
  if (samples > 0) {
    const memory = Number(row.mem_max)
    const swap = Math.min(memory, Number(row.swap_max))
    // Version 1's rollups kept no total.
    const total = Number(row.total_max) > 0 ? Number(row.total_max) : memory
    const point: MemorySample = {
      cache: Math.max(0, total - memory), dyno, kind: 'memory', rss: memory - swap, spanMs: Math.min(bucketMs, samples * SAMPLE_MS), swap, time: within(bucket + bucketMs / 2), total, type,
    }
    if (row.quota !== null) point.quota = Number(row.quota)
    events.push(point)
  }

  let offset = 0
  const crashes = Number(row.crashes)
  const cyclings = Number(row.cyclings)
  for (const code of ['R14', 'R15'] as const) {
    for (let i = Number(row[code.toLowerCase()]); i > 0; i--) events.push({
      code, dyno, kind: 'error', time: within(bucket + offset++), type,
    })
  }

  const end = bucket + bucketMs - 1 - Number(row.restarts)
  offset = 0
  for (let i = 0; i < crashes; i++) events.push({
    action: 'crashed', dyno, from: 'up', kind: 'dyno', time: within(end + offset++), to: 'crashed', type,
  })
  for (let i = 0; i < cyclings; i++) events.push({
    action: 'cycling', dyno, kind: 'dyno', time: within(end + offset++), type,
  })
  for (let i = Number(row.restarts) - crashes - cyclings; i > 0; i--) events.push({
    action: 'restarting', dyno, kind: 'dyno', time: within(end + offset++), type,
  })
  return events
}
