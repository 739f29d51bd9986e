/**
 * Which store a command uses: `--store postgres://...` (or DATABASE_URL) for Postgres, `--store
 * PATH` for another SQLite file, else the embedded file in the CLI's data directory.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {MemoryStore} from './memory-store.js'
import {postgresLabel} from './postgres-driver.js'

export const EMBEDDED_STORE_FILE = 'memory-history.sqlite'

export function storeTarget(flag: string | undefined, dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.DATABASE_URL ?? join(dataDir, EMBEDDED_STORE_FILE)
}

/** What to call a store in messages: a path, or a Postgres URL without its credentials. */
export function storeLabel(target: string): string {
  return isPostgresUrl(target) ? postgresLabel(target) : target
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target)
}

export async function openStore(target: string): Promise<MemoryStore> {
  if (isPostgresUrl(target)) {
    const {PostgresDriver} = await import('./postgres-driver.js')
    return MemoryStore.open(await PostgresDriver.open(target))
  }

  const {SqliteDriver} = await import('./sqlite-driver.js')
  return MemoryStore.open(await SqliteDriver.open(target))
}

/**
 * A store to read from, if there is one: a missing file is not created and a database without the
 * recorder's tables is not changed (DATABASE_URL may well be an app's own database).
 */
export async function openStoreForReading(target: string): Promise<MemoryStore | undefined> {
  if (isPostgresUrl(target)) {
    const {PostgresDriver} = await import('./postgres-driver.js')
    return MemoryStore.openExisting(await PostgresDriver.open(target))
  }

  if (!existsSync(target)) return undefined
  const {SqliteDriver} = await import('./sqlite-driver.js')
  return MemoryStore.openExisting(await SqliteDriver.open(target))
}
