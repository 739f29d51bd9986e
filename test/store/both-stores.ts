/**
 * The store's behaviour is the same on the embedded file and on Postgres: a suite written once
 * runs against both (a real Postgres server, test/helpers/postgres.ts).
 */
/* eslint-disable mocha/no-exports, mocha/no-empty-description -- a suite factory for the store's tests: its titles are built from the caller's */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {SqlDriver} from '../../src/store/sql-driver.js'

import {isPostgresUrl} from '../../src/store/open-store.js'
import {startPostgres, type TestPostgres} from '../helpers/postgres.js'

/** `suite(target)`: `target()` gives a new, empty store location each call. */
export function onBothStores(title: string, suite: (target: () => Promise<string>) => void): void {
  describe(`${title} on the embedded SQLite file`, () => {
    const dirs: string[] = []

    after(() => {
      for (const dir of dirs) rmSync(dir, {force: true, recursive: true})
    })
    suite(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'heroku-mem-store-'))
      dirs.push(dir)
      return join(dir, 'store.sqlite')
    })
  })

  describe(`${title} on a real Postgres server`, function () {
    this.timeout(60_000)
    let postgres: TestPostgres
    let databases = 0

    before(async () => {
      postgres = await startPostgres()
    })

    after(() => postgres?.close())
    suite(async () => postgres.createDatabase(`store_${++databases}`))
  })
}

/** A plain connection to a store's database, for what the MemoryStore API does not show (its tables). */
export async function openDriver(target: string): Promise<SqlDriver> {
  if (isPostgresUrl(target)) {
    const {PostgresDriver} = await import('../../src/store/postgres-driver.js')
    return PostgresDriver.open(target)
  }

  const {SqliteDriver} = await import('../../src/store/sqlite-driver.js')
  return SqliteDriver.open(target)
}
