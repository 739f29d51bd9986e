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

  private constructor(readonly label: string, private readonly client: Client) {}

  static async open(url: string): Promise<PostgresDriver> {
    const pg = (await import('pg')).default
    const parseNumber = Number
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 10_000,
      types: {getTypeParser: (oid: number, format?: unknown) => (oid === INT8_OID || oid === NUMERIC_OID ? parseNumber : pg.types.getTypeParser(oid, format as 'text'))},
    })
    // A connection that breaks later (server restart) must not crash the process: the next query fails and the caller retries.
    client.on('error', () => {})
    const label = postgresLabel(url)
    try {
      await client.connect()
    } catch (error) {
      throw new UserError(`Cannot reach the store ${label}: ${describe(error)}`)
    }

    await client.query('SET client_min_messages = warning')
    return new PostgresDriver(label, client)
  }

  async all(sql: string, params: SqlValue[] = []): Promise<SqlRow[]> {
    const result = await this.client.query(numberPlaceholders(sql), params)
    return result.rows as SqlRow[]
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {})
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.client.query(numberPlaceholders(sql), params)
  }

  async sizeBytes(): Promise<number> {
    const rows = await this.all(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE 'mem\\_%'`)
    return Number(rows[0]?.bytes ?? 0)
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN')
    try {
      const result = await work()
      await this.client.query('COMMIT')
      return result
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {})
      throw error
    }
  }
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

/** pg's connection errors, without anything from the URL. */
function describe(error: unknown): string {
  const {code, message} = error as {code?: string; message?: string}
  return code ?? message ?? String(error)
}
