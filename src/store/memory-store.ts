/**
 * The recorder's store: memory samples and platform events per app, the spans of the log the
 * recorders saw, and 5-minute rollups once raw samples age out. The same statements run on the
 * embedded SQLite file and on Postgres (sql-driver.ts); every write is one transaction and
 * idempotent, so a batch written twice (a retry, a reconnect's replay, two recorders) is harmless.
 */
import type {LogEvent, MemorySample} from '../core/events.js'
import type {StoreStatus} from '../core/ports/recorder-status.js'
import type {SqlDriver, SqlRow, SqlValue} from './sql-driver.js'

import {processTypeOf} from '../core/events.js'
import {mergeSpans, type Span} from './coverage.js'
import {
  EVENT_COLUMNS, eventOf, eventRow, SAMPLE_COLUMNS, sampleOf, sampleRow,
} from './event-rows.js'
import {migrate} from './migrations.js'

/** Rollup bucket: 5 minutes (15 samples of a dyno). */
export const ROLLUP_BUCKET_MS = 300_000
/** Rows per INSERT: well under SQLite's 32,766 bound parameters, few round trips to Postgres. */
const ROWS_PER_STATEMENT = 500
/** A report reads an hour at a time: bounded memory, and the SQLite lock is never held long. */
const READ_PAGE_MS = 3_600_000
/** Pruning works a day at a time, each day its own transaction, for the same reason. */
const PRUNE_STEP_MS = 86_400_000
/** What a restart is, as the report counts them (core/report/accumulator.ts). */
const RESTART_ACTIONS = ['restarting', 'cycling', 'crashed']

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
}

export interface ReadWindow {
  since?: number
  until?: number
}

export interface ReadResult {
  samples: number
  events: number
  /** Span of the window read from 5-minute rollups (the raw samples had aged out), if any. */
  rollups?: Span
}

export interface Retention {
  /** Raw samples and events are kept this long (default 14 days)... */
  rawMs: number
  /** ...then rolled up into 5-minute buckets kept this long (default a year). */
  rollupMs: number
}

export const DEFAULT_RETENTION: Retention = {rawMs: 14 * 86_400_000, rollupMs: 365 * 86_400_000}

export interface PruneResult {
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
    const {greatest, least} = this.driver.dialect
    // Bucket-aligned, so a bucket is rolled up whole, once.
    const cutoff = Math.floor((now - retention.rawMs) / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS
    let rolledUpSamples = 0
    for (;;) {
      const oldest = await this.oldestRaw()
      if (oldest === undefined || oldest >= cutoff) break
      const stepEnd = Math.min(cutoff, oldest + PRUNE_STEP_MS)
      rolledUpSamples += await this.driver.transaction(async () => {
        const counted = await this.driver.all('SELECT COUNT(*) AS n FROM mem_samples WHERE time < ?', [stepEnd])
        await this.driver.run(`INSERT INTO mem_rollups (app, dyno, bucket, samples, mem_min, mem_sum, mem_max, quota, r14, r15, restarts)
          SELECT app, dyno, (time / ${ROLLUP_BUCKET_MS}) * ${ROLLUP_BUCKET_MS}, COUNT(*), MIN(rss + swap), SUM(rss + swap), MAX(rss + swap), MAX(quota), 0, 0, 0
          FROM mem_samples WHERE time < ? GROUP BY app, dyno, (time / ${ROLLUP_BUCKET_MS}) * ${ROLLUP_BUCKET_MS}
          ON CONFLICT (app, dyno, bucket) DO UPDATE SET samples = mem_rollups.samples + excluded.samples,
            mem_min = ${least}(mem_rollups.mem_min, excluded.mem_min), mem_sum = mem_rollups.mem_sum + excluded.mem_sum,
            mem_max = ${greatest}(mem_rollups.mem_max, excluded.mem_max), quota = COALESCE(excluded.quota, mem_rollups.quota)`, [stepEnd])
        const restarts = RESTART_ACTIONS.map(action => `'${action}'`).join(', ')
        await this.driver.run(`INSERT INTO mem_rollups (app, dyno, bucket, samples, mem_min, mem_sum, mem_max, quota, r14, r15, restarts)
          SELECT app, dyno, (time / ${ROLLUP_BUCKET_MS}) * ${ROLLUP_BUCKET_MS}, 0, 0, 0, 0, NULL,
            SUM(CASE WHEN detail = 'R14' THEN 1 ELSE 0 END), SUM(CASE WHEN detail = 'R15' THEN 1 ELSE 0 END),
            SUM(CASE WHEN kind = 'dyno' AND detail IN (${restarts}) THEN 1 ELSE 0 END)
          FROM mem_events WHERE time < ? AND kind IN ('error', 'dyno') GROUP BY app, dyno, (time / ${ROLLUP_BUCKET_MS}) * ${ROLLUP_BUCKET_MS}
          ON CONFLICT (app, dyno, bucket) DO UPDATE SET r14 = mem_rollups.r14 + excluded.r14, r15 = mem_rollups.r15 + excluded.r15,
            restarts = mem_rollups.restarts + excluded.restarts`, [stepEnd])
        await this.driver.run('DELETE FROM mem_samples WHERE time < ?', [stepEnd])
        // Releases stay as long as rollups do: they explain the older chapters too.
        await this.driver.run('DELETE FROM mem_events WHERE time < ? AND kind <> \'release\'', [stepEnd])
        return Number(counted[0]?.n ?? 0)
      })
    }

    const oldCutoff = now - retention.rollupMs
    const deleted = await this.driver.all('SELECT COUNT(*) AS n FROM mem_rollups WHERE bucket < ?', [oldCutoff])
    await this.driver.transaction(async () => {
      await this.driver.run('DELETE FROM mem_rollups WHERE bucket < ?', [oldCutoff])
      await this.driver.run('DELETE FROM mem_events WHERE time < ?', [oldCutoff])
      await this.driver.run('DELETE FROM mem_coverage WHERE end_time < ?', [oldCutoff])
    })
    return {deletedRollups: Number(deleted[0]?.n ?? 0), rolledUpSamples}
  }

  /**
   * Feeds the app's stored events in [since, until] to `onEvent` in time order, an hour at a time:
   * raw samples and events, and for spans whose samples have aged out one sample per 5-minute
   * bucket (its mean memory) with the bucket's R14/R15 and restarts.
   */
  async read(app: string, window: ReadWindow, onEvent: (event: LogEvent) => void): Promise<ReadResult> {
    return this.exclusive(() => this.readNow(app, window, onEvent))
  }

  private async readNow(app: string, window: ReadWindow, onEvent: (event: LogEvent) => void): Promise<ReadResult> {
    const bounds = (await this.driver.all(`SELECT MIN(t) AS first, MAX(t) AS last FROM (
      SELECT MIN(time) AS t FROM mem_samples WHERE app = ? UNION ALL SELECT MAX(time) FROM mem_samples WHERE app = ?
      UNION ALL SELECT MIN(bucket) FROM mem_rollups WHERE app = ? UNION ALL SELECT MAX(time) FROM mem_events WHERE app = ?) AS bounds`, [app, app, app, app]))[0]
    const result: ReadResult = {events: 0, samples: 0}
    if (bounds?.first === null || bounds?.first === undefined) return result
    const from = Math.max(window.since ?? -Infinity, Number(bounds.first))
    const to = Math.min(window.until ?? Infinity, Number(bounds.last))
    for (let pageStart = from; pageStart <= to; pageStart += READ_PAGE_MS) {
      // Skip stretches with nothing stored (between recorder runs, after pruning) in one query.
      const next = await this.nextTime(app, pageStart)
      if (next === undefined || next > to) break
      pageStart = Math.max(pageStart, next)
      const pageEnd = Math.min(to, pageStart + READ_PAGE_MS - 1)
      const page = await this.readPage(app, pageStart, pageEnd, result)
      page.sort((a, b) => a.time - b.time)
      for (const event of page) {
        if (event.kind === 'memory') result.samples++
        else result.events++
        onEvent(event)
      }
    }

    return result
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

    const {greatest, least} = this.driver.dialect
    await this.driver.transaction(async () => {
      await this.insertRows('mem_samples', SAMPLE_COLUMNS, samples)
      await this.insertRows('mem_events', EVENT_COLUMNS, events)
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

  /** The oldest raw sample or event a prune rolls up (releases stay). */
  private async oldestRaw(): Promise<number | undefined> {
    const rows = await this.driver.all(`SELECT MIN(t) AS t FROM (SELECT MIN(time) AS t FROM mem_samples
      UNION ALL SELECT MIN(time) FROM mem_events WHERE kind <> 'release') AS oldest`)
    const time = rows[0]?.t
    return time === null || time === undefined ? undefined : Number(time)
  }

  private async nextTime(app: string, from: number): Promise<number | undefined> {
    const rows = await this.driver.all(`SELECT MIN(t) AS t FROM (
      SELECT MIN(time) AS t FROM mem_samples WHERE app = ? AND time >= ? UNION ALL SELECT MIN(time) FROM mem_events WHERE app = ? AND time >= ?
      UNION ALL SELECT MIN(bucket) FROM mem_rollups WHERE app = ? AND bucket >= ?) AS next`, [app, from, app, from, app, from])
    const time = rows[0]?.t
    return time === null || time === undefined ? undefined : Number(time)
  }

  private async readPage(app: string, from: number, to: number, result: ReadResult): Promise<LogEvent[]> {
    const params = [app, from, to]
    // Not the app (known): text columns are what reading costs most on the embedded store.
    const samples = await this.driver.all(`SELECT ${SAMPLE_COLUMNS.filter(column => column !== 'app').join(', ')} FROM mem_samples WHERE app = ? AND time >= ? AND time <= ?`, params)
    const events = await this.driver.all(`SELECT ${EVENT_COLUMNS.join(', ')} FROM mem_events WHERE app = ? AND time >= ? AND time <= ?`, params)
    const rollups = await this.driver.all('SELECT * FROM mem_rollups WHERE app = ? AND bucket >= ? AND bucket <= ?', params)
    const page: LogEvent[] = samples.map(row => sampleOf(row))
    for (const row of events) page.push(eventOf(row))
    for (const row of rollups) {
      page.push(...rollupEvents(row))
      const bucket = Number(row.bucket)
      result.rollups = {from: Math.min(result.rollups?.from ?? bucket, bucket), to: Math.max(result.rollups?.to ?? 0, bucket + ROLLUP_BUCKET_MS)}
    }

    return page
  }
}

/** A rollup bucket as events: one sample at its mean memory, its R14/R15, its restarts. */
function rollupEvents(row: SqlRow): LogEvent[] {
  const dyno = String(row.dyno)
  const type = processTypeOf(dyno)
  const time = Number(row.bucket)
  const events: LogEvent[] = []
  const samples = Number(row.samples)
  if (samples > 0) {
    const mean = Number(row.mem_sum) / samples
    const sample: MemorySample = {
      cache: 0, dyno, kind: 'memory', rss: mean, swap: 0, time: time + ROLLUP_BUCKET_MS / 2, total: mean, type,
    }
    if (row.quota !== null) sample.quota = Number(row.quota)
    events.push(sample)
  }

  for (let i = 0; i < Number(row.r14); i++) events.push({
    code: 'R14', dyno, kind: 'error', time, type,
  })
  for (let i = 0; i < Number(row.r15); i++) events.push({
    code: 'R15', dyno, kind: 'error', time, type,
  })
  for (let i = 0; i < Number(row.restarts); i++) events.push({
    action: 'restarting', dyno, kind: 'dyno', time, type,
  })
  return events
}
