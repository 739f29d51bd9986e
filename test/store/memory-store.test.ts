import {expect} from 'chai'

import type {LogEvent} from '../../src/core/events.js'

import {DEFAULT_RETENTION, MemoryStore, ROLLUP_BUCKET_MS} from '../../src/store/memory-store.js'
import {openStore} from '../../src/store/open-store.js'
import {recordedEvents, sample, T0} from '../fixtures/recorded-events.js'
import {onBothStores} from './both-stores.js'

const DAY = 86_400_000

async function readAll(store: MemoryStore, app: string, window = {}): Promise<LogEvent[]> {
  const events: LogEvent[] = []
  await store.read(app, window, event => events.push(event))
  return events
}

/** Events at the same time may come back in any order: compare them as sorted JSON. */
function canonical(events: LogEvent[]): string[] {
  return events.map(event => JSON.stringify(event, Object.keys(event).sort())).sort()
}

onBothStores('MemoryStore', target => {
  describe('reading and writing', () => {
    let store: MemoryStore
    let location: string

    beforeEach(async () => {
      location = await target()
      store = await openStore(location)
    })

    afterEach(async () => {
      await store.close()
    })

    it('gives back the events it was given, in time order, for the app and window asked', async () => {
      const events = recordedEvents(10)
      await store.write({app: 'demo-app', coverage: [], events})
      await store.write({app: 'other-app', coverage: [], events: [sample('web.1', T0, 999)]})
      const read = await readAll(store, 'demo-app')
      expect(read.map(event => event.time)).to.deep.equal(events.map(event => event.time))
      expect(canonical(read)).to.deep.equal(canonical(events))
      const window = await readAll(store, 'demo-app', {since: T0 + 60_000, until: T0 + 120_000})
      expect(window.map(event => event.time)).to.deep.equal(events.filter(e => e.time >= T0 + 60_000 && e.time <= T0 + 120_000).map(e => e.time))
    })

    it('writing the same batch twice stores it once (a reconnect replay, two recorders)', async () => {
      const events = recordedEvents(5)
      await store.write({app: 'demo-app', coverage: [], events})
      await store.write({app: 'demo-app', coverage: [], events})
      expect(await readAll(store, 'demo-app')).to.have.length(events.length)
      const status = await store.status()
      expect(status.apps).to.have.length(1)
      expect(status.apps[0]).to.include({
        app: 'demo-app', dynos: 2, events: 5, samples: 30,
      })
    })

    it('keeps the spans recorders saw and merges overlapping segments', async () => {
      await store.write({
        app: 'demo-app', coverage: [{
          from: T0, recorder: 'a', segment: 0, to: T0 + 60_000,
        }], events: [],
      })
      await store.write({
        app: 'demo-app', coverage: [{
          from: T0 + 30_000, recorder: 'a', segment: 0, to: T0 + 600_000,
        }], events: [],
      })
      await store.write({
        app: 'demo-app', coverage: [{
          from: T0 + 3_600_000, recorder: 'b', segment: 0, to: T0 + 7_200_000,
        }], events: [],
      })
      expect(await store.coverage('demo-app')).to.deep.equal([{from: T0, to: T0 + 600_000}, {from: T0 + 3_600_000, to: T0 + 7_200_000}])
    })

    it('prune deletes raw samples older than the retention and reads their 5-minute rollups back as one point each, at the peak', async () => {
      const now = T0 + 20 * DAY
      // 10 minutes of old samples (two buckets), then one recent sample.
      await store.write({app: 'demo-app', coverage: [], events: [...recordedEvents(10), sample('web.1', now - 60_000, 250)]})
      const result = await store.prune(DEFAULT_RETENTION, now)
      expect(result.rolledUpSamples).to.equal(60)
      const events = await readAll(store, 'demo-app')
      const web = events.filter(e => e.kind === 'memory' && e.dyno === 'web.1')
      // Bucket 1: samples at minutes 0..4.67 of rss 200 + minute: its peak is the last one's.
      expect(web).to.have.length(3)
      expect(web[0].kind === 'memory' && web[0]).to.include({rss: 200 + 14 / 3, spanMs: ROLLUP_BUCKET_MS, swap: 0})
      expect(web[0].time).to.equal(T0 + ROLLUP_BUCKET_MS / 2)
      expect(events.filter(e => e.kind === 'error')).to.have.length(1)
      expect(events.filter(e => e.kind === 'dyno')).to.have.length(2)
      expect(events.filter(e => e.kind === 'release')).to.have.length(1)
      expect(events.filter(e => e.kind === 'reading')).to.have.length(0)
      const status = await store.status()
      // Two old buckets of two dynos, and the recent sample's own (rollups are made as samples are written).
      expect(status.apps[0]).to.include({rollups: 5, samples: 1})
      // A year on, the rollups go too.
      await store.prune(DEFAULT_RETENTION, T0 + 400 * DAY)
      expect((await store.status()).apps).to.deep.equal([])
    })

    it('prune twice rolls up once', async () => {
      const now = T0 + 20 * DAY
      await store.write({app: 'demo-app', coverage: [], events: recordedEvents(10)})
      await store.prune(DEFAULT_RETENTION, now)
      const first = await readAll(store, 'demo-app')
      await store.prune(DEFAULT_RETENTION, now + 3_600_000)
      expect(await readAll(store, 'demo-app')).to.deep.equal(first)
    })

    it('reopening an up-to-date store changes nothing', async () => {
      await store.write({app: 'demo-app', coverage: [], events: recordedEvents(1)})
      await store.close()
      store = await openStore(location)
      expect(await readAll(store, 'demo-app')).to.have.length(recordedEvents(1).length)
    })
  })
})
