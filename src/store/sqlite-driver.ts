/**
 * The embedded store: one SQLite file through node-sqlite3-wasm (WebAssembly: no native build).
 * Its file lock is a directory `<file>.lock` made with mkdir, held for a statement or a
 * transaction; a process killed while holding it leaves it behind, and every later open would
 * answer "database is locked" forever. Statements here are short, so a lock older than
 * STALE_LOCK_MS is taken as left by a dead process and removed; SQLite then rolls the hot
 * journal back, so the interrupted batch is gone and the rest is intact.
 */
import {mkdirSync, rmdirSync, statSync} from 'node:fs'
import {dirname} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {setFlagsFromString} from 'node:v8'

import type {
  SqlDialect, SqlDriver, SqlRow, SqlValue,
} from './sql-driver.js'

import {UserError} from '../errors.js'
import {loadSqlite} from './sqlite-wasm.js'

type Database = import('node-sqlite3-wasm').Database

/** Longer than any statement or batch here holds the lock; shorter than a user's patience. */
export const STALE_LOCK_MS = 30_000
/** How long a statement waits for another process's lock before giving up. */
const LOCK_WAIT_MS = 60_000

const SQLITE: SqlDialect = {greatest: 'max', least: 'min', name: 'sqlite'}

export class SqliteDriver implements SqlDriver {
  readonly dialect = SQLITE
  private readonly db: Database
  private inTransaction = false

  private constructor(readonly label: string, db: Database) {
    this.db = db
  }

  static async open(path: string): Promise<SqliteDriver> {
    mkdirSync(dirname(path), {recursive: true})
    // V8's optimizing tier would recompile SQLite's WebAssembly in the background: ~200 ms of CPU and ~25 MB
    // of peak RSS that a report never earns back (its queries ran as fast or faster on the baseline tier).
    // Read when the module is compiled, so set here, before the first load; the process has no other WebAssembly.
    setFlagsFromString('--liftoff-only')
    // Loaded on demand: the WebAssembly module costs start-up time commands without a store should not pay.
    const {Database} = loadSqlite()
    let db: Database
    try {
      db = new Database(path)
    } catch (error) {
      throw new UserError(`Cannot open the store ${path}: ${(error as Error).message}`)
    }

    const driver = new SqliteDriver(path, db)
    // A full rollback journal, synced: a crash mid-batch loses that batch and nothing else.
    await driver.run('PRAGMA journal_mode = DELETE')
    await driver.run('PRAGMA synchronous = FULL')
    return driver
  }

  async all(sql: string, params: SqlValue[] = []): Promise<SqlRow[]> {
    return this.withLock(() => this.db.all(sql, params) as SqlRow[])
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close()
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.withLock(() => this.db.run(sql, params))
  }

  async sizeBytes(): Promise<number> {
    try {
      return statSync(this.label).size
    } catch {
      return 0
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.run('BEGIN IMMEDIATE')
    this.inTransaction = true
    try {
      const result = await work()
      this.db.exec('COMMIT')
      return result
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw error
    } finally {
      this.inTransaction = false
    }
  }

  /**
   * One lock for all of `work`'s statements instead of one each: each lock is a directory made and
   * removed, and at each release SQLite drops its page cache (another process may write). A
   * report's read holds it well under a second; a writer waits it out (withLock).
   */
  async readTransaction<T>(work: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN')
    try {
      return await work()
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT')
    }
  }

  /** Runs a statement, waiting out another process's lock and clearing one a dead process left. */
  private async withLock<T>(statement: () => T): Promise<T> {
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        return statement()
      } catch (error) {
        const message = (error as Error).message ?? ''
        if (/disk is full|database or disk is full/i.test(message)) throw new UserError(`The store ${this.label} is out of disk space: free some space or prune it (heroku mem:record --prune)`)
        if (!/database is locked|SQLITE_BUSY/i.test(message) || this.inTransaction) throw error
        if (Date.now() - started > LOCK_WAIT_MS) throw new UserError(`The store ${this.label} stayed locked by another process for ${LOCK_WAIT_MS / 1000} s`)
        this.clearStaleLock()
        await sleep(Math.min(200, 5 * 2 ** attempt))
      }
    }
  }

  private clearStaleLock(): void {
    const lock = `${this.label}.lock`
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock)
    } catch {
      // Gone already, or taken again just now: the next attempt finds out.
    }
  }
}
