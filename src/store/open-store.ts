/**
 * Which store a command uses: `--store postgres://...` (or DATABASE_URL) for Postgres, `--store
 * PATH` for another SQLite file, else the embedded file in the CLI's data directory.
 */
import {join} from 'node:path'

import {MemoryStore} from './memory-store.js'

export const EMBEDDED_STORE_FILE = 'memory-history.sqlite'

export function storeTarget(flag: string | undefined, dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.DATABASE_URL ?? join(dataDir, EMBEDDED_STORE_FILE)
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
