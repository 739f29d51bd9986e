/**
 * Reads an app's stored history into a report's onEvent, in time order, a page at a time (memory
 * stays bounded by a page, and the embedded file's lock is never held long). A window short
 * enough to read sample by sample is read raw; a longer one is read from rollups: one point per
 * dyno and bucket (rollups.ts), the raw samples only at its two ragged ends.
 */
import type {LogEvent} from '../core/events.js'
import type {SqlDriver, SqlRow} from './sql-driver.js'

import {type Span} from './coverage.js'
import {
  EVENT_COLUMNS, eventOf, SAMPLE_COLUMNS, sampleOf,
} from './event-rows.js'
import {
  FIVE_MINUTE_ROLLUPS, HOUR_MS, HOURLY_ROLLUPS, rollupEvents, type RollupLevel,
} from './rollups.js'

/**
 * Rows a report reads at most, where it can choose: reading raw samples through the WebAssembly
 * SQLite runs at ~350,000 rows/s and the report takes each one, so this keeps the store's part of
 * a report well under a second. 100 dynos: raw up to ~8 h, 5-minute rollups up to ~5 days, then hourly.
 */
export const ROW_BUDGET = 150_000
/** Pages of a few thousand rows for 100 dynos: an hour of raw samples, 2 hours of 5-minute rollups, a day of hourly ones (peak RSS ~8 MB under 5 days' pages). */
const RAW_PAGE_MS = 3_600_000
const ROLLUP_PAGE_BUCKETS = 24
const LEVELS = [FIVE_MINUTE_ROLLUPS, HOURLY_ROLLUPS]
/** What rollupEvents takes: each column read costs, through the WebAssembly SQLite. */
const POINT_COLUMNS = 'dyno, bucket, samples, mem_max, swap_max, total_max, quota, r14, r15, restarts, crashes, cyclings'

export interface ReadWindow {
  since?: number
  until?: number
  /** `auto` (mem:report): the finest resolution the window's length allows within `rowBudget`; by default raw samples. */
  resolution?: 'auto' | 'raw' | RollupLevel['name']
  /** For `auto` (default ROW_BUDGET). */
  rowBudget?: number
}

export interface ReadResult {
  /** Raw samples read, or stood for by the rollups read. */
  samples: number
  events: number
  /** Span of the window read from 5-minute rollups because its raw samples had aged out, if any. */
  rollups?: Span
  /** Span read at a coarser resolution than raw by choice (a long window), and at which. */
  coarse?: Span & {level: RollupLevel['name']}
}

type OnEvent = (event: LogEvent) => void

export async function readHistory(driver: SqlDriver, app: string, window: ReadWindow, onEvent: OnEvent): Promise<ReadResult> {
  const bounds = (await driver.all(`SELECT MIN(t) AS first, MAX(t) AS last FROM (
    SELECT MIN(time) AS t FROM mem_samples WHERE app = ? UNION ALL SELECT MAX(time) FROM mem_samples WHERE app = ?
    UNION ALL SELECT MIN(bucket) FROM mem_rollups WHERE app = ? UNION ALL SELECT MAX(time) FROM mem_events WHERE app = ?) AS bounds`, [app, app, app, app]))[0]
  const result: ReadResult = {events: 0, samples: 0}
  if (bounds?.first === null || bounds?.first === undefined) return result
  const from = Math.max(window.since ?? -Infinity, Number(bounds.first))
  const to = Math.min(window.until ?? Infinity, Number(bounds.last))
  if (from > to) return result
  const reader = new HistoryReader(driver, app, result, onEvent, await rawStartOf(driver, app))
  const level = window.resolution === 'auto'
    ? await levelFor(driver, app, from, to, window.rowBudget ?? ROW_BUDGET)
    : LEVELS.find(known => known.name === window.resolution)
  await reader.at(level, from, to, false)
  return result
}

/** The coarsest resolution needed: raw while the window's samples fit the budget, else the finer rollups that do. */
async function levelFor(driver: SqlDriver, app: string, from: number, to: number, budget: number): Promise<RollupLevel | undefined> {
  const hourOfFrom = Math.floor(from / HOUR_MS) * HOUR_MS
  const rows = await driver.all('SELECT COUNT(*) AS hours, SUM(samples) AS samples FROM mem_rollups_hourly WHERE app = ? AND bucket >= ? AND bucket <= ?', [app, hourOfFrom, to])
  const dynoHours = Number(rows[0]?.hours ?? 0)
  if (Number(rows[0]?.samples ?? 0) <= budget) return undefined
  return dynoHours * (HOUR_MS / FIVE_MINUTE_ROLLUPS.bucketMs) <= budget ? FIVE_MINUTE_ROLLUPS : HOURLY_ROLLUPS
}

/** Where the app's raw samples start (older ones aged out): a 5-minute bucket boundary, as pruning cuts at hours. */
async function rawStartOf(driver: SqlDriver, app: string): Promise<number> {
  const rows = await driver.all('SELECT MIN(time) AS t FROM mem_samples WHERE app = ?', [app])
  const time = rows[0]?.t
  if (time === null || time === undefined) return Number.POSITIVE_INFINITY
  return Math.floor(Number(time) / FIVE_MINUTE_ROLLUPS.bucketMs) * FIVE_MINUTE_ROLLUPS.bucketMs
}

class HistoryReader {
  constructor(
    private readonly driver: SqlDriver,
    private readonly app: string,
    private readonly result: ReadResult,
    private readonly onEvent: OnEvent,
    private readonly rawStart: number,
  ) {}

  /**
   * [from, to] at `level`: its whole buckets inside, the ragged ends at the next finer level down to raw
   * samples, so the window's edges stay where asked at the cost of a few rows a dyno.
   */
  async at(level: RollupLevel | undefined, from: number, to: number, instanceless: boolean): Promise<void> {
    if (from > to) return
    if (!level) {
      await this.fine(from, to, instanceless)
      return
    }

    const finer = LEVELS[LEVELS.indexOf(level) - 1]
    const inner = {from: Math.ceil(from / level.bucketMs) * level.bucketMs, to: Math.floor((to + 1) / level.bucketMs) * level.bucketMs - 1}
    if (inner.to < inner.from) {
      await this.at(finer, from, to, instanceless)
      return
    }

    await this.at(finer, from, inner.from - 1, true)
    await this.rollups(level, inner.from, inner.to)
    const {coarse} = this.result
    // The coarsest level read names the span; its finer ends widen it.
    const coarsest = coarse && LEVELS.findIndex(known => known.name === coarse.level) > LEVELS.indexOf(level) ? coarse.level : level.name
    this.result.coarse = {from: Math.min(coarse?.from ?? inner.from, inner.from), level: coarsest, to: Math.max(coarse?.to ?? 0, inner.to + 1)}
    await this.at(finer, inner.to + 1, to, true)
  }

  /** [from, to] at the finest resolution kept: raw samples, 5-minute rollups where they aged out. `instanceless`: next to coarse points, which know no instance. */
  async fine(from: number, to: number, instanceless: boolean): Promise<void> {
    if (from > to) return
    if (from < this.rawStart) {
      const end = Math.min(to, this.rawStart - 1)
      await this.rollups(FIVE_MINUTE_ROLLUPS, from, end)
      const {rollups} = this.result
      this.result.rollups = {from: Math.min(rollups?.from ?? from, from), to: Math.max(rollups?.to ?? end, end + 1)}
    }

    if (to >= this.rawStart) await this.raw(Math.max(from, this.rawStart), to, instanceless)
  }

  async raw(from: number, to: number, instanceless: boolean): Promise<void> {
    const {app, driver} = this
    for (let pageStart = from; pageStart <= to; pageStart += RAW_PAGE_MS) {
      // Skip stretches with nothing stored (between recorder runs) in one query.
      const next = await this.nextRawTime(pageStart)
      if (next === undefined || next > to) break
      pageStart = Math.max(pageStart, next)
      const params = [app, pageStart, Math.min(to, pageStart + RAW_PAGE_MS - 1)]
      // Not the app (known): text columns are what reading costs most on the embedded store.
      const samples = await driver.all(`SELECT ${SAMPLE_COLUMNS.filter(column => column !== 'app').join(', ')} FROM mem_samples WHERE app = ? AND time >= ? AND time <= ?`, params)
      const events = await driver.all(`SELECT ${EVENT_COLUMNS.join(', ')} FROM mem_events WHERE app = ? AND time >= ? AND time <= ?`, params)
      const page: LogEvent[] = samples.map(row => sampleOf(row))
      if (instanceless) for (const sample of page) delete (sample as {instance?: string}).instance
      this.result.samples += page.length
      for (const row of events) page.push(eventOf(row))
      this.emit(page)
    }
  }

  /** [from, to] from a rollup level: each bucket that starts in it, with the releases (kept as long as rollups). */
  async rollups(level: RollupLevel, from: number, to: number): Promise<void> {
    const {app, driver} = this
    const step = level.bucketMs * ROLLUP_PAGE_BUCKETS
    for (let pageStart = Math.floor(from / level.bucketMs) * level.bucketMs; pageStart <= to; pageStart += step) {
      const pageEnd = Math.min(to, pageStart + step - 1)
      const rows = await driver.all(`SELECT ${POINT_COLUMNS} FROM ${level.table} WHERE app = ? AND bucket >= ? AND bucket <= ?`, [app, pageStart, pageEnd])
      const releases = await driver.all(`SELECT ${EVENT_COLUMNS.join(', ')} FROM mem_events WHERE app = ? AND time >= ? AND time <= ? AND kind = 'release'`, [app, Math.max(from, pageStart), pageEnd])
      const page: LogEvent[] = releases.map(row => eventOf(row))
      for (const row of rows) {
        this.result.samples += Number(row.samples)
        page.push(...rollupEvents(row as SqlRow, level.bucketMs, from, to))
      }

      this.emit(page)
    }
  }

  private emit(page: LogEvent[]): void {
    page.sort((a, b) => a.time - b.time)
    for (const event of page) {
      if (event.kind !== 'memory') this.result.events++
      this.onEvent(event)
    }
  }

  private async nextRawTime(from: number): Promise<number | undefined> {
    const rows = await this.driver.all(`SELECT MIN(t) AS t FROM (
      SELECT MIN(time) AS t FROM mem_samples WHERE app = ? AND time >= ? UNION ALL SELECT MIN(time) FROM mem_events WHERE app = ? AND time >= ?) AS next`, [this.app, from, this.app, from])
    const time = rows[0]?.t
    return time === null || time === undefined ? undefined : Number(time)
  }
}
