import {expect} from 'chai'

import type {LogEvent} from '../../src/core/events.js'
import type {SqlRow} from '../../src/store/sql-driver.js'

import {ReportAccumulator} from '../../src/core/report/accumulator.js'
import {buildReport} from '../../src/core/report/report.js'
import {DEFAULT_RETENTION, type MemoryStore, type ReadWindow} from '../../src/store/memory-store.js'
import {MIGRATIONS, SCHEMA_VERSION} from '../../src/store/migrations.js'
import {openStore} from '../../src/store/open-store.js'
import {recordedEvents, sample, T0} from '../fixtures/recorded-events.js'
import {HISTORY_HOURS, recordedHistory} from '../fixtures/recorded-history.js'
import {onBothStores, openDriver} from './both-stores.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Both rollup tables, in key order. */
async function rollupRows(target: string): Promise<{fiveMinute: SqlRow[]; hourly: SqlRow[]}> {
  const driver = await openDriver(target)
  try {
    return {
      fiveMinute: await driver.all('SELECT * FROM mem_rollups ORDER BY app, dyno, bucket'),
      hourly: await driver.all('SELECT * FROM mem_rollups_hourly ORDER BY app, dyno, bucket'),
    }
  } finally {
    await driver.close()
  }
}

/** Writes in the recorder's batches (2000 events). */
async function writeAll(store: MemoryStore, events: LogEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2000) await store.write({app: 'demo-app', coverage: [], events: events.slice(i, i + 2000)})
}

/** What mem:report makes of the store's history read at a resolution: per dyno, the figures rollups must keep exact, and the verdict. */
async function reportOf(store: MemoryStore, window: ReadWindow) {
  const accumulator = new ReportAccumulator({since: window.since, until: window.until})
  const result = await store.read('demo-app', window, event => accumulator.add(event))
  const report = buildReport(accumulator, {source: {app: 'demo-app', kind: 'store'}})
  return {
    dynos: Object.fromEntries(report.dynos.map(dyno => [dyno.name, {
      memoryMaxMb: dyno.memoryMaxMb, r14: dyno.r14, r15: dyno.r15, restarts: dyno.restarts, swapMaxMb: dyno.swapMaxMb, totalMaxMb: dyno.totalMaxMb,
    }])),
    result,
    verdicts: Object.fromEntries(report.dynos.map(dyno => [dyno.name, dyno.verdict])),
  }
}

onBothStores('Rollups', target => {
  describe('kept current at every write', () => {
    it('writing the same batch twice leaves both rollup levels as they were', async () => {
      const location = await target()
      const store = await openStore(location)
      const batch = recordedEvents(30)
      await store.write({app: 'demo-app', coverage: [], events: batch})
      const once = await rollupRows(location)
      await store.write({app: 'demo-app', coverage: [], events: batch})
      await store.close()
      expect(once.fiveMinute).to.have.length(12)
      expect(once.hourly).to.have.length(2)
      expect(once.hourly.find(row => row.dyno === 'web.1')).to.include({
        crashes: 0, r14: 1, restarts: 1, samples: 90,
      })
      expect(await rollupRows(location)).to.deep.equal(once)
    })

    it('a sample written again after its raw bucket aged out leaves that bucket\'s rollups as they were', async () => {
      const location = await target()
      const store = await openStore(location)
      const events = recordedEvents(10)
      await store.write({app: 'demo-app', coverage: [], events})
      await store.prune(DEFAULT_RETENTION, T0 + 20 * DAY)
      const pruned = await rollupRows(location)
      // A second recorder's late replay: one sample and the R14 of the first bucket, whose other raw rows are gone.
      await store.write({app: 'demo-app', coverage: [], events: events.filter(event => event.time === T0 + 60_000 || event.kind === 'error')})
      await store.close()
      expect(pruned.fiveMinute.find(row => row.dyno === 'web.1')).to.include({r14: 1, samples: 15})
      expect(await rollupRows(location)).to.deep.equal(pruned)
    })

    it('overlapping batches (a reconnect replaying the last minutes) leave the rollups that one write of their union makes', async () => {
      const events = recordedEvents(30)
      const cut = T0 + 20 * 60_000
      const replay = T0 + 12 * 60_000
      const split = await target()
      const store = await openStore(split)
      await store.write({app: 'demo-app', coverage: [], events: events.filter(event => event.time < cut)})
      await store.write({app: 'demo-app', coverage: [], events: events.filter(event => event.time >= replay)})
      await store.close()
      const whole = await target()
      const reference = await openStore(whole)
      await reference.write({app: 'demo-app', coverage: [], events})
      await reference.close()
      expect(await rollupRows(split)).to.deep.equal(await rollupRows(whole))
    })
  })

  describe('a long window read from rollups', function () {
    this.timeout(120_000)
    let location: string
    let store: MemoryStore

    before(async () => {
      location = await target()
      store = await openStore(location)
      await writeAll(store, recordedHistory())
    })

    after(async () => {
      await store.close()
    })

    it('keeps every dyno\'s peaks and its R14, R15 and restart counts as the raw samples have them, and the leak', async () => {
      const raw = await reportOf(store, {resolution: 'raw'})
      expect(raw.dynos['worker.1']).to.include({r15: 1})
      expect(raw.dynos['worker.1'].r14).to.be.above(300)
      expect(raw.dynos['worker.1'].restarts).to.deep.equal({crash: 1, cycling: 0, restart: 1})
      expect(raw.dynos['web.1'].restarts).to.deep.equal({crash: 0, cycling: 1, restart: 0})
      expect(raw.verdicts['web.1']).to.equal('leak')
      for (const resolution of ['5-minute', 'hourly'] as const) {
        const coarse = await reportOf(store, {resolution})
        expect(coarse.dynos, resolution).to.deep.equal(raw.dynos)
        expect(coarse.verdicts['web.1'], resolution).to.equal('leak')
        expect(coarse.result.coarse).to.deep.include({level: resolution})
        expect(coarse.result.samples).to.equal(raw.result.samples)
      }
    })

    it('reads a window\'s ragged ends sample by sample, so its figures are those of the window', async () => {
      // Both ends inside an hour; the spike on web.2 and the R15 inside, the cycling of web.1 outside.
      const window = {since: T0 + 7 * HOUR + 31 * 60_000 + 10_000, until: T0 + 23 * HOUR + 12 * 60_000}
      const raw = await reportOf(store, {...window, resolution: 'raw'})
      const hourly = await reportOf(store, {...window, resolution: 'hourly'})
      expect(hourly.dynos).to.deep.equal(raw.dynos)
      // Hours inside, 5-minute buckets at the ends, raw samples for the rest.
      expect(hourly.result.coarse).to.deep.equal({from: T0 + 7 * HOUR + 35 * 60_000, level: 'hourly', to: T0 + 23 * HOUR + 10 * 60_000})
    })

    it('chooses raw samples while the window fits the row budget, then 5-minute rollups, then hourly ones', async () => {
      const levels: Array<string | undefined> = []
      for (const rowBudget of [100_000, 10_000, 1000]) levels.push((await store.read('demo-app', {resolution: 'auto', rowBudget}, () => {})).coarse?.level)
      // 3 dynos x 50 h: 27,000 samples, 1800 five-minute and 150 hourly rollups.
      expect(levels).to.deep.equal([undefined, '5-minute', 'hourly'])
      expect(HISTORY_HOURS).to.equal(50)
    })
  })

  describe('migration to version 2', () => {
    it('fills the rollups of a version-1 store\'s raw samples and keeps the 5-minute rollups it had made', async () => {
      const old = await target()
      const driver = await openDriver(old)
      await driver.run('CREATE TABLE mem_schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)')
      for (const statement of MIGRATIONS[0].statements(driver.dialect.name === 'sqlite' ? ' WITHOUT ROWID' : '', driver.dialect)) await driver.run(statement)
      await driver.run('INSERT INTO mem_schema_version (version, applied_at) VALUES (1, 0)')
      // What version 1 wrote: raw rows, and a bucket its prune had rolled up (an hour earlier).
      const events = recordedEvents(30)
      for (const event of events) {
        if (event.kind === 'memory') {
          const row = ['demo-app', event.dyno, event.time, event.instance ?? '', event.rss, event.swap, event.cache, event.total, event.quota ?? null]
          await driver.run('INSERT INTO mem_samples (app, dyno, time, instance, rss, swap, cache, total, quota) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', row)
        } else if (event.kind === 'error' || event.kind === 'dyno') {
          const row = ['demo-app', event.time, event.dyno, event.kind, event.kind === 'error' ? event.code : event.action, JSON.stringify({time: event.time})]
          await driver.run('INSERT INTO mem_events (app, time, dyno, kind, detail, body) VALUES (?, ?, ?, ?, ?, ?)', row)
        }
      }

      await driver.run(`INSERT INTO mem_rollups (app, dyno, bucket, samples, mem_min, mem_sum, mem_max, quota, r14, r15, restarts)
        VALUES ('demo-app', 'web.1', ?, 15, 190, 2900, 201, 512, 2, 0, 1)`, [T0 - HOUR])
      await driver.close()

      const store = await openStore(old)
      await store.close()
      const migrated = await rollupRows(old)
      const fresh = await target()
      const reference = await openStore(fresh)
      await reference.write({app: 'demo-app', coverage: [], events})
      await reference.close()
      const expected = await rollupRows(fresh)
      const olderBucket = (row: SqlRow) => Number(row.bucket) < T0
      expect(migrated.fiveMinute.filter(row => !olderBucket(row))).to.deep.equal(expected.fiveMinute)
      expect(migrated.fiveMinute.filter(row => olderBucket(row))).to.deep.equal([{
        app: 'demo-app', bucket: T0 - HOUR, crashes: 0, cyclings: 0, dyno: 'web.1', mem_max: 201, mem_min: 190, mem_sum: 2900,
        quota: 512, r14: 2, r15: 0, restarts: 1, samples: 15, swap_max: 0, total_max: 0,
      }])
      expect(migrated.hourly.filter(row => !olderBucket(row))).to.deep.equal(expected.hourly)
      expect(migrated.hourly.filter(row => olderBucket(row))).to.have.length(1)
      const versions = await openDriver(old)
      expect(Number((await versions.all('SELECT MAX(version) AS v FROM mem_schema_version'))[0].v)).to.equal(SCHEMA_VERSION)
      await versions.close()
    })
  })

  it('a window of a single sample reads it', async () => {
    const store = await openStore(await target())
    await store.write({app: 'demo-app', coverage: [], events: [sample('web.1', T0, 210)]})
    const events: LogEvent[] = []
    await store.read('demo-app', {resolution: 'auto'}, event => events.push(event))
    await store.close()
    expect(events).to.have.length(1)
  })
})
