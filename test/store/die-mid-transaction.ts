/**
 * Test helper process: commits ROWS rows into a table of the store named on the command line,
 * then, in a second transaction, writes more than SQLite's page cache holds (so that changed
 * pages reach the file before the commit, the journal holding their old contents) and kills
 * itself with SIGKILL before committing: what a host stop leaves of a batch being written.
 */
import {SqliteDriver} from '../../src/store/sqlite-driver.js'

export const ROWS = 1000

const driver = await SqliteDriver.open(process.argv[2])
await driver.run('CREATE TABLE t (a INTEGER, b TEXT)')
const pad = 'x'.repeat(500)
await driver.transaction(async () => {
  for (let a = 0; a < ROWS; a++) await driver.run('INSERT INTO t VALUES (?, ?)', [a, pad])
})
await driver.run('PRAGMA cache_size = 10')
await driver.transaction(async () => {
  for (let a = 0; a < 5 * ROWS; a++) await driver.run('INSERT INTO t VALUES (?, ?)', [a, pad])
  await driver.run('UPDATE t SET b = ? WHERE a < ?', ['y'.repeat(400), ROWS / 2])
  process.kill(process.pid, 'SIGKILL')
})
