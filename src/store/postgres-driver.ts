/**
 * The store for unattended use: Postgres through `pg`, one connection. The URL carries the
 * password: it is kept here and never shown (`label` has neither user nor password).
 */
import type {
  SqlDialect, SqlDriver, SqlRow, SqlValue,
} from './sql-driver.js'

import {UserError} from '../errors.js'
import {numberPlaceholders} from './sql-driver.js'

type Client = import('pg').Client

const POSTGRES: SqlDialect = {greatest: 'GREATEST', least: 'LEAST', name: 'postgres'}
/** int8 (bigint) and numeric come back as strings by default; epoch ms and counts fit a double. */
const INT8_OID = 20
const NUMERIC_OID = 1700

export class PostgresDriver implements SqlDriver {
  readonly dialect = POSTGRES
  private client?: Client

  private constructor(readonly label: string, private readonly url: string) {}

  static async open(url: string): Promise<PostgresDriver> {
    const driver = new PostgresDriver(postgresLabel(url), url)
    await driver.connected()
    return driver
  }

  async all(sql: string, params: SqlValue[] = []): Promise<SqlRow[]> {
    return (await this.query(sql, params)).rows as SqlRow[]
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {})
    this.client = undefined
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.query(sql, params)
  }

  async sizeBytes(): Promise<number> {
    const rows = await this.all(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE 'mem\\_%'`)
    return Number(rows[0]?.bytes ?? 0)
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.within('BEGIN', work)
  }

  /** A consistent snapshot for a report's reads: one transaction, repeatable read. */
  async readTransaction<T>(work: () => Promise<T>): Promise<T> {
    return this.within('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work)
  }

  private async within<T>(begin: string, work: () => Promise<T>): Promise<T> {
    await this.run(begin)
    try {
      const result = await work()
      await this.run('COMMIT')
      return result
    } catch (error) {
      await this.client?.query('ROLLBACK').catch(() => {})
      throw error
    }
  }

  /** The connection, opened again after the server went away (a restart, a failover). */
  private async connected(): Promise<Client> {
    if (this.client) return this.client
    const pg = (await import('pg')).default
    const parseNumber = Number
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 10_000,
      types: {getTypeParser: (oid: number, format?: unknown) => (oid === INT8_OID || oid === NUMERIC_OID ? parseNumber : pg.types.getTypeParser(oid, format as 'text'))},
    })
    // A connection that breaks between queries must not crash the process: drop it, the next query reconnects.
    client.on('error', () => {
      if (this.client === client) this.client = undefined
    })
    try {
      await client.connect()
      await client.query('SET client_min_messages = warning')
    } catch (error) {
      await client.end().catch(() => {})
      throw new UserError(`Cannot reach the store ${this.label}: ${describe(error)}`)
    }

    this.client = client
    return client
  }

  private async query(sql: string, params: SqlValue[]): Promise<{rows: unknown[]}> {
    const client = await this.connected()
    try {
      return await client.query(numberPlaceholders(sql), params)
    } catch (error) {
      if (isConnectionLost(error)) {
        if (this.client === client) this.client = undefined
        await client.end().catch(() => {})
        throw new UserError(`Lost the store ${this.label}: ${describe(error)}`)
      }

      if ((error as {code?: string}).code === DISK_FULL) throw new UserError(`The store ${this.label} is out of disk space: free some space or prune it (heroku mem:record --prune)`)
      throw error
    }
  }
}

/** SQLSTATE 53100 disk_full. */
const DISK_FULL = '53100'

/** Errors that mean the connection is gone (no SQLSTATE, or class 08 connection / 57P shutdown). */
function isConnectionLost(error: unknown): boolean {
  const {code} = error as {code?: string}
  if (!code || !/^[\dA-Z]{5}$/.test(code)) return true
  return code.startsWith('08') || code.startsWith('57P')
}

/** `postgres://user:secret@db.example.com:5432/mem?sslmode=require` -> `postgres://db.example.com:5432/mem`. */
export function postgresLabel(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return 'postgres (unparsable URL)'
  }
}

/** pg's connection errors ("connect ECONNREFUSED 127.0.0.1:5432", "terminating connection ..."): they never carry the password. */
function describe(error: unknown): string {
  const {message} = error as {message?: string}
  return message ?? String(error)
}
