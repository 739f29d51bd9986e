import {expect} from 'chai'

import type {StoredInterval} from '../../src/core/blame/stored-intervals.js'
import type {SqlRow} from '../../src/store/sql-driver.js'

import {DEFAULT_RETENTION, type MemoryStore} from '../../src/store/memory-store.js'
import {MIGRATIONS, SCHEMA_VERSION} from '../../src/store/migrations.js'
import {openStore} from '../../src/store/open-store.js'
import {sample, T0} from '../fixtures/recorded-events.js'
import {onBothStores, openDriver} from './both-stores.js'

const DAY = 86_400_000

/** web.1's intervals every 20 s from `start`: two routes, the export one every third interval. */
function intervals(count: number, start = T0): StoredInterval[] {
  return Array.from({length: count}, (_, index) => {
    const routes = [{requests: 4, route: 'GET /items'}]
    if (index % 3 === 0) routes.push({requests: 1, route: 'GET /reports/:id/export'})
    return {
      bytes: 1000 * index,
      dyno: 'web.1',
      end: start + ((index + 1) * 20_000),
      endMb: 200 + index + 1,
      errors: index % 7 === 0 ? 1 : 0,
      instance: 'aaaa',
      requests: routes.reduce((sum, route) => sum + route.requests, 0),
      routes,
      serviceMs: 120.5 * index,
      start: start + (index * 20_000),
      startMb: 200 + index,
      type: 'web',
    }
  })
}

const EVERYTHING = {from: 0, to: Number.MAX_SAFE_INTEGER}

async function readBack(store: MemoryStore, window = EVERYTHING): Promise<StoredInterval[]> {
  const read: StoredInterval[] = []
  await store.readIntervals('demo-app', window, interval => read.push(interval))
  return read.map(interval => ({...interval, routes: [...interval.routes].sort((x, y) => x.route.localeCompare(y.route))}))
}

async function tableRows(target: string): Promise<{intervals: SqlRow[]; routes: SqlRow[]}> {
  const driver = await openDriver(target)
  try {
    return {
      intervals: await driver.all('SELECT * FROM mem_intervals ORDER BY app, start_time, dyno'),
      routes: await driver.all('SELECT * FROM mem_interval_routes ORDER BY app, start_time, dyno, route'),
    }
  } finally {
    await driver.close()
  }
}

onBothStores('Blame intervals in the store', target => {
  it('gives back the intervals written, in time order, with their routes and figures', async () => {
    const store = await openStore(await target())
    const written = intervals(9)
    await store.write({
      app: 'demo-app', coverage: [], events: [], intervals: written,
    })
    const read = await readBack(store)
    await store.close()
    expect(read).to.deep.equal(written.map(interval => ({...interval, routes: [...interval.routes].sort((x, y) => x.route.localeCompare(y.route))})))
  })

  it('writing the same batch twice (a retry, a replay, a second recorder) changes nothing', async () => {
    const location = await target()
    const store = await openStore(location)
    const batch = {
      app: 'demo-app', coverage: [], events: [sample('web.1', T0, 200)], intervals: intervals(12),
    }
    await store.write(batch)
    const once = await tableRows(location)
    await store.write(batch)
    // A second recorder's batch overlapping the first: the intervals it shares are not counted twice.
    await store.write({...batch, intervals: intervals(15).slice(6)})
    const read = await readBack(store)
    await store.close()
    const twice = await tableRows(location)
    expect(once.intervals).to.have.length(12)
    expect(once.routes).to.have.length(16)
    expect(twice.intervals.slice(0, 12)).to.deep.equal(once.intervals)
    expect(twice.intervals).to.have.length(15)
    expect(twice.routes).to.have.length(20)
    expect(read.reduce((sum, interval) => sum + interval.requests, 0)).to.equal(intervals(15).reduce((sum, interval) => sum + interval.requests, 0))
  })

  it('reads only the intervals inside the window, and a prune takes them with the raw samples', async () => {
    const store = await openStore(await target())
    await store.write({
      app: 'demo-app', coverage: [], events: [], intervals: [...intervals(3, T0 - (20 * DAY)), ...intervals(6)],
    })
    const window = await readBack(store, {from: T0 + 20_000, to: T0 + 80_000})
    expect(window.map(interval => interval.start)).to.deep.equal([T0 + 20_000, T0 + 40_000, T0 + 60_000])
    await store.prune(DEFAULT_RETENTION, T0)
    const left = await readBack(store)
    await store.close()
    expect(left).to.have.length(6)
    expect(left[0].start).to.equal(T0)
  })

  it('a version-2 store migrates to version 3: its samples stay and it takes intervals', async () => {
    const old = await target()
    const driver = await openDriver(old)
    await driver.run('CREATE TABLE mem_schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)')
    for (const migration of MIGRATIONS.filter(step => step.version <= 2)) {
      for (const statement of migration.statements(driver.dialect.name === 'sqlite' ? ' WITHOUT ROWID' : '', driver.dialect)) await driver.run(statement)
      await driver.run('INSERT INTO mem_schema_version (version, applied_at) VALUES (?, 0)', [migration.version])
    }

    await driver.run('INSERT INTO mem_samples (app, dyno, time, instance, rss, swap, cache, total, quota) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', ['demo-app', 'web.1', T0, 'aaaa', 210, 0, 0, 210, 512])
    await driver.close()

    const store = await openStore(old)
    const before = await readBack(store)
    await store.write({
      app: 'demo-app', coverage: [], events: [], intervals: intervals(2),
    })
    const samples: number[] = []
    await store.read('demo-app', {}, event => event.kind === 'memory' && samples.push(event.time))
    const after = await readBack(store)
    await store.close()
    expect(before).to.deep.equal([])
    expect(after).to.have.length(2)
    expect(samples).to.deep.equal([T0])
    const versions = await openDriver(old)
    expect(Number((await versions.all('SELECT MAX(version) AS v FROM mem_schema_version'))[0].v)).to.equal(SCHEMA_VERSION).and.to.equal(3)
    await versions.close()
  })
})
