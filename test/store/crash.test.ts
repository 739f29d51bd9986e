import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {
  existsSync, mkdtempSync, rmSync, utimesSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {MemoryStore} from '../../src/store/memory-store.js'
import {SqliteDriver, STALE_LOCK_MS} from '../../src/store/sqlite-driver.js'
import {sample, T0} from '../fixtures/recorded-events.js'
import {ROOT} from '../helpers/run-command.js'

const BATCH = 1000

/** Starts the writer, waits for its first committed batch and then `ms` more, kills it with SIGKILL (no chance to finish anything). */
async function killWhileWriting(path: string, start: number, ms: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/store/write-forever.ts'), path, String(start)], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', chunk => {
    stderr += chunk
  })
  const exited = new Promise<null | number>(resolve => {
    child.once('exit', resolve)
  })
  try {
    const wrote = new Promise<void>(resolve => {
      child.stdout.on('data', chunk => String(chunk).includes('batch') && resolve())
    })
    if (await Promise.race([wrote.then(() => 'wrote'), exited.then(() => 'exited')]) === 'exited') throw new Error(`the writer exited before writing: ${stderr.slice(-300)}`)
    await sleep(ms)
    if (child.exitCode !== null) throw new Error(`the writer failed while writing: ${stderr.slice(-300)}`)
  } finally {
    child.kill('SIGKILL')
    await exited
  }
}

describe('the embedded store survives kill -9 mid-write', function () {
  this.timeout(120_000)
  let dir: string
  let path: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heroku-mem-crash-'))
    path = join(dir, 'store.sqlite')
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('after each kill the file passes integrity_check and holds whole batches only', async () => {
    let previous = 0
    for (let round = 0; round < 4; round++) {
      // Kill at a different point of the write cycle each round.
      await killWhileWriting(path, T0 + round * 1e9, 400 + round * 170)
      // What the killed writer's VFS left (its lock directory) looks, to the next process, like a live lock until it is old.
      if (existsSync(`${path}.lock`)) {
        const old = (Date.now() - STALE_LOCK_MS - 1000) / 1000
        utimesSync(`${path}.lock`, old, old)
      }

      const driver = await SqliteDriver.open(path)
      try {
        expect(await driver.all('PRAGMA integrity_check')).to.deep.equal([{integrity_check: 'ok'}])
        const samples = Number((await driver.all('SELECT COUNT(*) AS n FROM mem_samples'))[0].n)
        // All or nothing per batch: a multiple of the batch size, and more than before (each writer got some batches in).
        expect(samples % BATCH, `${samples} samples`).to.equal(0)
        expect(samples).to.be.above(previous)
        previous = samples
      } finally {
        await driver.close()
      }
    }
  })

  it('a batch cut short by kill -9 after its pages reached the file is rolled back by the next open (its hot journal)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/store/die-mid-transaction.ts'), path], {cwd: ROOT, stdio: 'ignore'})
    const signal = await new Promise<null | string>(resolve => {
      child.once('exit', (_code, killedBy) => resolve(killedBy))
    })
    expect(signal, 'the writer killed itself mid-transaction').to.equal('SIGKILL')
    expect(existsSync(`${path}-journal`), 'the killed batch left its journal').to.equal(true)
    const old = (Date.now() - STALE_LOCK_MS - 1000) / 1000
    utimesSync(`${path}.lock`, old, old)

    const driver = await SqliteDriver.open(path)
    try {
      expect(await driver.all('PRAGMA integrity_check')).to.deep.equal([{integrity_check: 'ok'}])
      // The committed batch whole, nothing of the killed one (the unfixed library read 1,003 rows here).
      expect(await driver.all('SELECT COUNT(*) AS n, MAX(length(b)) AS longest FROM t')).to.deep.equal([{longest: 500, n: 1000}])
      expect(existsSync(`${path}-journal`), 'the journal was played back and removed').to.equal(false)
    } finally {
      await driver.close()
    }
  })

  it('a full disk is a one-line error naming the store and --prune', async () => {
    const driver = await SqliteDriver.open(path)
    const store = await MemoryStore.open(driver)
    // The file may not grow past its current size plus a few pages: what a full disk looks like to SQLite.
    const pages = Number((await driver.all('PRAGMA page_count'))[0].page_count)
    await driver.run(`PRAGMA max_page_count = ${pages + 2}`)
    const events = Array.from({length: 5000}, (_, index) => sample(`web.${index}`, T0, 100))
    try {
      await store.write({app: 'full-app', coverage: [], events})
      expect.fail('the write should have failed')
    } catch (error) {
      expect((error as Error).message).to.equal(`The store ${path} is out of disk space: free some space or prune it (heroku mem:record --prune)`)
    } finally {
      await store.close()
    }
  })

  it('a lock left by a dead process is cleared once it is older than any statement holds it', async () => {
    const driver = await SqliteDriver.open(path)
    await driver.run('CREATE TABLE t (a INTEGER)')
    await driver.close()
    const {mkdirSync} = await import('node:fs')
    mkdirSync(`${path}.lock`)
    const old = (Date.now() - STALE_LOCK_MS - 1000) / 1000
    utimesSync(`${path}.lock`, old, old)
    const reopened = await SqliteDriver.open(path)
    await reopened.run('INSERT INTO t VALUES (1)')
    expect(await reopened.all('SELECT a FROM t')).to.deep.equal([{a: 1}])
    await reopened.close()
  })
})
