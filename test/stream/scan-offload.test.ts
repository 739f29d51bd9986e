import {expect} from 'chai'
import {
  mkdtempSync, rmSync, unlinkSync, writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {LineScannerOptions} from '../../src/stream/line-scanner.js'

import {EVENT_NEEDLES} from '../../src/core/parse/index.js'
import {UserError} from '../../src/errors.js'
import {scanInput} from '../../src/stream/scan-input.js'
import {BATCH_BYTES, MAX_IN_FLIGHT, scanInWorker} from '../../src/stream/scan-offload.js'

const INSTANCE = 'heroku.2808254.d97d0ea7-cf3d-411b-b453-d2943a50b456'
const memoryLine = (i: number): string => `2026-11-20T10:00:${String(i % 60).padStart(2, '0')}.000000+00:00 heroku[web.${i % 7}]: source=web.${i % 7} dyno=${INSTANCE} `
  + `sample#memory_total=${i}.00MB sample#memory_rss=${i}.00MB sample#memory_cache=0.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB`
const appLine = (i: number): string => `2026-11-20T10:00:00.000000+00:00 app[web.1]: GET /items/${i} completed 200 in 12ms`

/** A log of many batches (~60, more than MAX_IN_FLIGHT): memory lines among app lines, and a platform line longer than a batch. */
function bigLog(lines: number): string {
  const text: string[] = []
  for (let i = 0; i < lines; i++) {
    text.push(i % 3 === 0 ? memoryLine(i) : appLine(i))
    if (i === lines / 2) text.push(`2026-11-20T10:00:00.000000+00:00 heroku[web.1]: Error R14 (Memory quota exceeded) ${'x'.repeat(BATCH_BYTES + 1000)}`)
  }

  return text.join('\n') + '\n'
}

const scanning = (onLine: LineScannerOptions['onLine']): LineScannerOptions => ({
  chunkSize: 128 * 1024, countLines: true, maxLineBytes: 16 * 1024 * 1024, needles: EVENT_NEEDLES, onLine,
})

describe('scan-offload', () => {
  let dir: string
  let path: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'scan-offload-'))
    path = join(dir, 'big.log')
    writeFileSync(path, bigLog(180_000))
  })

  after(() => rmSync(dir, {force: true, recursive: true}))

  it('hands on the lines a scan on this thread finds, in order, a line longer than a batch included', async () => {
    const here: string[] = []
    const hereTotals = await scanInput(path, scanning((bytes, start, end) => here.push(bytes.toString('utf8', start, end))))
    const there: string[] = []
    const {mostInFlight, ...thereTotals} = await scanInWorker(path, scanning((bytes, start, end) => there.push(bytes.toString('utf8', start, end))))
    expect(here.length).to.equal(60_001)
    expect(there).to.deep.equal(here)
    expect(thereTotals).to.deep.equal(hereTotals)
    expect(mostInFlight).to.be.within(1, MAX_IN_FLIGHT)
  })

  it('holds at most MAX_IN_FLIGHT batches ahead of a slow parser', async () => {
    let lines = 0
    const totals = await scanInWorker(path, scanning(() => {
      // Every 500th line stalls the parser for 2 ms: the worker, far faster, must wait for it.
      if (++lines % 500 === 0) {
        const until = performance.now() + 2
        while (performance.now() < until);
      }
    }))
    expect(lines).to.equal(60_001)
    expect(totals.mostInFlight).to.equal(MAX_IN_FLIGHT)
  })

  it('stops the worker and rejects with the parser\'s error when onLine throws', async () => {
    let lines = 0
    const error = await scanInWorker(path, scanning(() => {
      if (++lines === 5000) throw new Error('the consumer failed')
    })).then(() => {}, (error_: unknown) => error_)
    expect((error as Error).message).to.equal('the consumer failed')
    expect(lines).to.equal(5000)
  })

  it('says in one line, as a UserError, what the worker could not read', async () => {
    const gone = join(dir, 'gone.log')
    writeFileSync(gone, 'x')
    unlinkSync(gone)
    const error = await scanInWorker(gone, scanning(() => {})).then(() => {}, (error_: unknown) => error_)
    expect(error).to.be.instanceOf(UserError)
    expect((error as Error).message).to.equal(`Can't read ${gone}: no such file`)
  })
})
