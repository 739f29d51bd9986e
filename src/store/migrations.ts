/**
 * The store's schema, as numbered steps: a store records the steps it has taken in
 * mem_schema_version and takes the missing ones in order, each in a transaction. Never edit a
 * released step: add the next one. Types are those both SQLite and Postgres accept (BIGINT for
 * epoch ms, DOUBLE PRECISION for MiB); tables are prefixed `mem_` to share a database safely.
 */
import type {SqlDialect, SqlDriver} from './sql-driver.js'

import {UserError} from '../errors.js'
import {refreshEventsSql, refreshHourlySql, refreshSamplesSql} from './rollups.js'

export interface Migration {
  version: number
  /** The statements for a dialect (`rowless`: SQLite's `WITHOUT ROWID`, Postgres's nothing). */
  statements: (rowless: string, dialect: SqlDialect) => string[]
}

export const MIGRATIONS: Migration[] = [
  {
    statements: rowless => [
      // One row a memory sample. The key makes writing a sample twice (a reconnect's replay, two recorders) a no-op.
      `CREATE TABLE mem_samples (
        app TEXT NOT NULL, dyno TEXT NOT NULL, time BIGINT NOT NULL, instance TEXT NOT NULL,
        rss DOUBLE PRECISION NOT NULL, swap DOUBLE PRECISION NOT NULL, cache DOUBLE PRECISION NOT NULL,
        total DOUBLE PRECISION NOT NULL, quota DOUBLE PRECISION,
        PRIMARY KEY (app, time, dyno, instance))${rowless}`,
      // R14/R15, Process running readings, lifecycle (restart, crash, cycling) and release lines. `detail` is what
      // rollups count by (the error code, the lifecycle or release action); `body` the rest of the event as JSON.
      `CREATE TABLE mem_events (
        app TEXT NOT NULL, time BIGINT NOT NULL, dyno TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (app, time, dyno, kind, body))${rowless}`,
      // The spans of each app's log a recorder saw: what is outside them (between runs, stream gaps) is unknown.
      // One row per uninterrupted segment of a recorder run (a stream gap starts the next segment).
      `CREATE TABLE mem_coverage (
        app TEXT NOT NULL, recorder TEXT NOT NULL, segment BIGINT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT NOT NULL,
        PRIMARY KEY (app, recorder, segment))`,
      // Per dyno, 5 minutes of samples once the raw samples have aged out. Memory is RSS + swap.
      `CREATE TABLE mem_rollups (
        app TEXT NOT NULL, dyno TEXT NOT NULL, bucket BIGINT NOT NULL, samples BIGINT NOT NULL,
        mem_min DOUBLE PRECISION NOT NULL, mem_sum DOUBLE PRECISION NOT NULL, mem_max DOUBLE PRECISION NOT NULL,
        quota DOUBLE PRECISION, r14 BIGINT NOT NULL, r15 BIGINT NOT NULL, restarts BIGINT NOT NULL,
        PRIMARY KEY (app, dyno, bucket))`,
    ],
    version: 1,
  },
  {
    statements: (rowless, dialect) => [
      // The 5-minute rollups again, keyed by time first and stored in their key's b-tree: a report reads an app's
      // buckets across its dynos by time, and rows read in key order cost a third of rows looked up through an index.
      rollupTable('mem_rollups_v2', rowless),
      `INSERT INTO mem_rollups_v2 (app, dyno, bucket, samples, mem_min, mem_sum, mem_max, swap_max, total_max, quota, r14, r15, restarts, crashes, cyclings)
        SELECT app, dyno, bucket, samples, mem_min, mem_sum, mem_max, 0, 0, quota, r14, r15, restarts, 0, 0 FROM mem_rollups`,
      'DROP TABLE mem_rollups',
      'ALTER TABLE mem_rollups_v2 RENAME TO mem_rollups',
      // An hour per dyno: a 30-day report of 100 dynos reads 72,000 of these.
      rollupTable('mem_rollups_hourly', rowless),
      // Rollups are now kept current at every write (rollups.ts). What version 1 held raw gets its rollups here; what it had
      // rolled up keeps them (its restarts then all count as restarts, its totals as unknown).
      refreshSamplesSql(false),
      refreshEventsSql(dialect, false),
      refreshHourlySql(false),
    ],
    version: 2,
  },
  {
    statements: rowless => [
      // mem:blame's intervals (between two memory samples of a dyno: core/blame/intervals.ts), so that blame works on past
      // days without keeping router lines. Keyed like the samples: the same interval written twice is a no-op.
      `CREATE TABLE mem_intervals (
        app TEXT NOT NULL, dyno TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT NOT NULL, instance TEXT NOT NULL,
        type TEXT NOT NULL, start_mb DOUBLE PRECISION NOT NULL, end_mb DOUBLE PRECISION NOT NULL, requests BIGINT NOT NULL,
        service_ms DOUBLE PRECISION NOT NULL, bytes BIGINT NOT NULL, errors BIGINT NOT NULL,
        PRIMARY KEY (app, start_time, dyno))${rowless}`,
      // Requests per route template started in an interval (routes bounded as blame bounds them: route-template.ts).
      `CREATE TABLE mem_interval_routes (
        app TEXT NOT NULL, dyno TEXT NOT NULL, start_time BIGINT NOT NULL, route TEXT NOT NULL, requests BIGINT NOT NULL,
        PRIMARY KEY (app, start_time, dyno, route))${rowless}`,
    ],
    version: 3,
  },
]

/** Per dyno and bucket (rollups.ts): memory is RSS + swap; `restarts` counts restarts, cyclings and crashes, the last two also alone. */
function rollupTable(name: string, rowless: string): string {
  return `CREATE TABLE ${name} (
    app TEXT NOT NULL, dyno TEXT NOT NULL, bucket BIGINT NOT NULL, samples BIGINT NOT NULL,
    mem_min DOUBLE PRECISION NOT NULL, mem_sum DOUBLE PRECISION NOT NULL, mem_max DOUBLE PRECISION NOT NULL,
    swap_max DOUBLE PRECISION NOT NULL, total_max DOUBLE PRECISION NOT NULL, quota DOUBLE PRECISION,
    r14 BIGINT NOT NULL, r15 BIGINT NOT NULL, restarts BIGINT NOT NULL, crashes BIGINT NOT NULL, cyclings BIGINT NOT NULL,
    PRIMARY KEY (app, bucket, dyno))${rowless}`
}

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version

/** Brings the store to SCHEMA_VERSION; refuses a store written by a newer plugin. */
export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.run('CREATE TABLE IF NOT EXISTS mem_schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)')
  const current = await versionOf(driver)
  if (current > SCHEMA_VERSION) {
    throw new UserError(`The store ${driver.label} has schema version ${current}, newer than this plugin's ${SCHEMA_VERSION}: update the plugin`)
  }

  for (const migration of MIGRATIONS.filter(step => step.version > current)) {
    try {
      await driver.transaction(async () => {
        // Rows stored in the key's own b-tree: the key is most of a row, so this halves what a row takes.
        const rowless = driver.dialect.name === 'sqlite' ? ' WITHOUT ROWID' : ''
        for (const statement of migration.statements(rowless, driver.dialect)) await driver.run(statement)
        await driver.run('INSERT INTO mem_schema_version (version, applied_at) VALUES (?, ?)', [migration.version, Date.now()])
      })
    } catch (error) {
      // Two processes migrating at once: the loser's transaction rolls back; fine if the winner took this step.
      if (await versionOf(driver) < migration.version) throw error
    }
  }
}

async function versionOf(driver: SqlDriver): Promise<number> {
  const rows = await driver.all('SELECT MAX(version) AS version FROM mem_schema_version')
  return Number(rows[0]?.version ?? 0)
}
