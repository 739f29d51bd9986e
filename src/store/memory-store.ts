/**
 * The recorder's store: memory samples and platform events per app, the spans of the log the
 * recorders saw, and per-dyno rollups (5-minute and hourly, rollups.ts) kept current as batches
 * are written and kept on once raw samples age out. The same statements run on the embedded
 * SQLite file and on Postgres (sql-driver.ts); every write is one transaction and idempotent, so
 * a batch written twice (a retry, a reconnect's replay, two recorders) is harmless.
 */
import type {StoredInterval} from '../core/blame/stored-intervals.js'
import type {LogEvent} from '../core/events.js'
import type {StoreStatus} from '../core/ports/recorder-status.js'
import type {SqlDriver, SqlValue} from './sql-driver.js'

import {restartCause} from '../core/events.js'
import {mergeSpans, type Span} from './coverage.js'
import {
  EVENT_COLUMNS, eventRow, SAMPLE_COLUMNS, sampleRow,
} from './event-rows.js'
import {
  INTERVAL_COLUMNS, INTERVAL_ROUTE_COLUMNS, intervalRows, readIntervals,
} from './interval-rows.js'
import {migrate} from './migrations.js'
import {readHistory, type ReadResult, type ReadWindow} from './read-history.js'
import {
  FIVE_MINUTES_MS, HOUR_MS, refreshEventsSql, refreshHourlySql, refreshSamplesSql, touchedRanges,
} from './rollups.js'

export type {ReadResult, ReadWindow} from './read-history.js'

/** Rows per INSERT: well under SQLite's 32,766 bound parameters, few round trips to Postgres. */
const ROWS_PER_STATEMENT = 500
/** Pruning works a day at a time, each day its own transaction: the SQLite lock is never held long. */
const PRUNE_STEP_MS = 86_400_000

/** One segment of a recorder run: the log time it saw without a gap. */
export interface CoverageSegment {
  recorder: string
  segment: number
  from: number
  to: number
}

export interface RecordBatch {
  app: string
  events: LogEvent[]
  coverage: CoverageSegment[]
  /** mem:blame's finished intervals (per dyno, between two samples) with their requests per route. */
  intervals?: StoredInterval[]
}

export interface Retention {
  /** Raw samples and events are kept this long (default 14 days)... */
  rawMs: number
  /** ...their rollups this long (default a year). */
  rollupMs: number
}

export const DEFAULT_RETENTION: Retention = {rawMs: 14 * 86_400_000, rollupMs: 365 * 86_400_000}

export interface PruneResult {
  /** Raw samples deleted (their rollups stay). */
  rolledUpSamples: number
  deletedRollups: number
}

export class MemoryStore {
  /** One operation at a time on the one connection: a prune's transaction must not take in a recorder's write. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly driver: SqlDriver) {}

  get label(): string {
    return this.driver.label
  }

  static async open(driver: SqlDriver): Promise<MemoryStore> {
    try {
      await migrate(driver)
    } catch (error) {
      await driver.close()
      throw error
    }

    return new MemoryStore(driver)
  }

  /** The store as it is, for reading: undefined when the recorder never created its tables there. */
  static async openExisting(driver: SqlDriver): Promise<MemoryStore | undefined> {
    const tables = await driver.all(driver.dialect.name === 'sqlite'
      ? 'SELECT name FROM sqlite_master WHERE type = \'table\' AND name = \'mem_schema_version\''
      : 'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename = \'mem_schema_version\'')
    if (tables.length === 0) {
      await driver.close()
      return undefined
    }

    return MemoryStore.open(driver)
  }

  async close(): Promise<void> {
    await this.driver.close()
  }

  /** Merged spans of the app's log the recorders saw (see coverage.ts for the gaps between them). */
  async coverage(app: string): Promise<Span[]> {
    return this.exclusive(() => this.coverageNow(app))
  }

  private async coverageNow(app: string): Promise<Span[]> {
    const rows = await this.driver.all('SELECT start_time, end_time FROM mem_coverage WHERE app = ?', [app])
    return mergeSpans(rows.map(row => ({from: Number(row.start_time), to: Number(row.end_time)})))
  }

  async prune(retention: Retention, now: number): Promise<PruneResult> {
    return this.exclusive(() => this.pruneNow(retention, now))
  }

  private async pruneNow(retention: Retention, now: number): Promise<PruneResult> {
    // Bucket-aligned, so that the raw samples left always fill the 5-minute buckets they start in: readers
    // take the rollups before them and the raw samples from there on (read-history.ts).
    const cutoff = Math.floor((now - retention.rawMs) / FIVE_MINUTES_MS) * FIVE_MINUTES_MS
    let rolledUpSamples = 0
    for (;;) {
      const oldest = await this.oldestRaw()
      if (oldest === undefined || oldest >= cutoff) break
      const stepEnd = Math.min(cutoff, oldest + PRUNE_STEP_MS)
      // The rollups are current (every write refreshes them): what ages out is only deleted.
      rolledUpSamples += await this.driver.transaction(async () => {
        const counted = await this.driver.all('SELECT COUNT(*) AS n FROM mem_samples WHERE time < ?', [stepEnd])
        await this.driver.run('DELETE FROM mem_samples WHERE time < ?', [stepEnd])
        // Releases stay as long as rollups do: they explain the older chapters too.
        await this.driver.run('DELETE FROM mem_events WHERE time < ? AND kind <> \'release\'', [stepEnd])
        // Blame's intervals are as fine as the samples: they go with them.
        await this.driver.run('DELETE FROM mem_interval_routes WHERE start_time < ?', [stepEnd])
        await this.driver.run('DELETE FROM mem_intervals WHERE start_time < ?', [stepEnd])
        return Number(counted[0]?.n ?? 0)
      })
    }

    const oldCutoff = Math.floor((now - retention.rollupMs) / HOUR_MS) * HOUR_MS
    const deleted = await this.driver.all('SELECT COUNT(*) AS n FROM mem_rollups WHERE bucket < ?', [oldCutoff])
    await this.driver.transaction(async () => {
      await this.driver.run('DELETE FROM mem_rollups WHERE bucket < ?', [oldCutoff])
      await this.driver.run('DELETE FROM mem_rollups_hourly WHERE bucket < ?', [oldCutoff])
      await this.driver.run('DELETE FROM mem_events WHERE time < ?', [oldCutoff])
      await this.driver.run('DELETE FROM mem_coverage WHERE end_time < ?', [oldCutoff])
    })
    return {deletedRollups: Number(deleted[0]?.n ?? 0), rolledUpSamples}
  }

  /**
   * Feeds the app's stored events in [since, until] to `onEvent` in time order, a page at a time:
   * raw samples and events, 5-minute rollups where raw samples have aged out, and with
   * `resolution: 'auto'` rollups for a window too long to read sample by sample (read-history.ts).
   */
  async read(app: string, window: ReadWindow, onEvent: (event: LogEvent) => void): Promise<ReadResult> {
    return this.exclusive(() => this.driver.readTransaction(() => readHistory(this.driver, app, window, onEvent)))
  }

  /** Feeds the app's blame intervals that lie in [from, to] to `onInterval`, in time order; resolves with how many. */
  async readIntervals(app: string, window: {from: number; to: number}, onInterval: (interval: StoredInterval) => void): Promise<number> {
    return this.exclusive(() => this.driver.readTransaction(() => readIntervals(this.driver, app, window, onInterval)))
  }

  async status(): Promise<StoreStatus> {
    return this.exclusive(() => this.statusNow())
  }

  private async statusNow(): Promise<StoreStatus> {
    const rows = await this.driver.all(`SELECT app, MIN(first) AS first, MAX(last) AS last, SUM(samples) AS samples, SUM(events) AS events, SUM(rollups) AS rollups FROM (
      SELECT app, MIN(time) AS first, MAX(time) AS last, COUNT(*) AS samples, 0 AS events, 0 AS rollups FROM mem_samples GROUP BY app
      UNION ALL SELECT app, MIN(time), MAX(time), 0, COUNT(*), 0 FROM mem_events GROUP BY app
      UNION ALL SELECT app, MIN(bucket), MAX(bucket), 0, 0, COUNT(*) FROM mem_rollups GROUP BY app) AS counts GROUP BY app ORDER BY app`)
    const dynos = await this.driver.all(`SELECT app, COUNT(DISTINCT dyno) AS dynos FROM (
      SELECT app, dyno FROM mem_samples UNION SELECT app, dyno FROM mem_rollups) AS names GROUP BY app`)
    const dynosOf = new Map(dynos.map(row => [String(row.app), Number(row.dynos)]))
    return {
      apps: rows.map(row => ({
        app: String(row.app),
        dynos: dynosOf.get(String(row.app)) ?? 0,
        events: Number(row.events),
        from: Number(row.first),
        rollups: Number(row.rollups),
        samples: Number(row.samples),
        to: Number(row.last),
      })),
      dialect: this.driver.dialect.name,
      label: this.driver.label,
      sizeBytes: await this.driver.sizeBytes(),
    }
  }

  /** Writes the batch in one transaction: all of it or, on any failure or crash, none of it. */
  async write(batch: RecordBatch): Promise<void> {
    return this.exclusive(() => this.writeNow(batch))
  }

  private async writeNow(batch: RecordBatch): Promise<void> {
    const samples: SqlValue[][] = []
    const events: SqlValue[][] = []
    for (const event of batch.events) {
      if (event.kind === 'memory') {
        samples.push(sampleRow(batch.app, event))
        continue
      }

      const row = eventRow(batch.app, event)
      if (row) events.push(row)
    }

    const intervals = intervalRows(batch.app, batch.intervals ?? [])
    const {greatest, least} = this.driver.dialect
    await this.driver.transaction(async () => {
      await this.insertRows('mem_samples', SAMPLE_COLUMNS, samples)
      await this.insertRows('mem_events', EVENT_COLUMNS, events)
      await this.insertRows('mem_intervals', INTERVAL_COLUMNS, intervals.intervals)
      await this.insertRows('mem_interval_routes', INTERVAL_ROUTE_COLUMNS, intervals.routes)
      await this.refreshRollups(batch)
      for (const segment of batch.coverage) {
        await this.driver.run(`INSERT INTO mem_coverage (app, recorder, segment, start_time, end_time) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (app, recorder, segment) DO UPDATE SET start_time = ${least}(mem_coverage.start_time, excluded.start_time),
            end_time = ${greatest}(mem_coverage.end_time, excluded.end_time)`, [batch.app, segment.recorder, segment.segment, segment.from, segment.to])
      }
    })
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation)
    this.queue = result.catch(() => {})
    return result
  }

  private async insertRows(table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
    const tuple = `(${columns.map(() => '?').join(', ')})`
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
      await this.driver.run(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ON CONFLICT DO NOTHING`,
        chunk.flat(),
      )
    }
  }

  /** Recomputes the rollups of the buckets the batch touched, from the raw rows (never incremented: see rollups.ts). */
  private async refreshRollups(batch: RecordBatch): Promise<void> {
    const times: number[] = []
    let counted = false
    for (const event of batch.events) {
      if (event.kind === 'memory') times.push(event.time)
      else if (event.kind === 'error' || (event.kind === 'dyno' && restartCause(event))) {
        times.push(event.time)
        counted = true
      }
    }

    for (const range of touchedRanges(times)) {
      const params = [batch.app, range.from, range.to]
      await this.driver.run(refreshSamplesSql(true), params)
      if (counted) await this.driver.run(refreshEventsSql(this.driver.dialect, true), params)
      await this.driver.run(refreshHourlySql(true), [batch.app, Math.floor(range.from / HOUR_MS) * HOUR_MS, Math.ceil(range.to / HOUR_MS) * HOUR_MS])
    }
  }

  /** The oldest raw sample, event or blame interval a prune deletes (releases stay). */
  private async oldestRaw(): Promise<number | undefined> {
    const rows = await this.driver.all(`SELECT MIN(t) AS t FROM (SELECT MIN(time) AS t FROM mem_samples
      UNION ALL SELECT MIN(time) FROM mem_events WHERE kind <> 'release'
      UNION ALL SELECT MIN(start_time) FROM mem_intervals) AS oldest`)
    const time = rows[0]?.t
    return time === null || time === undefined ? undefined : Number(time)
  }
}

/** The finer rollup bucket: 5 minutes (15 samples of a dyno). */
export {FIVE_MINUTES_MS as ROLLUP_BUCKET_MS} from './rollups.js'
