/**
 * The little a store needs from a SQL database, the same for the embedded file and Postgres.
 * Statements are written once with `?` placeholders in the subset of SQL both speak; the few
 * words that differ come from `dialect`.
 */
export type SqlValue = null | number | string

export type SqlRow = Record<string, SqlValue>

export interface SqlDialect {
  /** `sqlite` or `postgres`. */
  name: 'postgres' | 'sqlite'
  /** The two-argument smaller/larger of two values (`min`/`max` in SQLite, `LEAST`/`GREATEST` in Postgres). */
  least: string
  greatest: string
}

export interface SqlDriver {
  readonly dialect: SqlDialect
  /** What to show for the store: a path, or a Postgres URL without its credentials. */
  readonly label: string
  all(sql: string, params?: SqlValue[]): Promise<SqlRow[]>
  run(sql: string, params?: SqlValue[]): Promise<void>
  /** Runs `work` in one transaction: all of it is stored, or (on an error or a crash) none of it. */
  transaction<T>(work: () => Promise<T>): Promise<T>
  /** Runs `work`'s reads on one snapshot of the store: a report's pages agree with each other while a recorder writes. */
  readTransaction<T>(work: () => Promise<T>): Promise<T>
  /** Bytes the store takes on disk. */
  sizeBytes(): Promise<number>
  close(): Promise<void>
}

/** Postgres numbers `$1, $2, ...` what SQLite and this code write as `?`. */
export function numberPlaceholders(sql: string): string {
  let index = 0
  return sql.replaceAll('?', () => `$${++index}`)
}
