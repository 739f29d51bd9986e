import {expect} from 'chai'

import {BlameAccumulator, buildBlame} from '../../../src/core/blame/blame.js'
import {ROUTE_LIMIT} from '../../../src/core/blame/intervals.js'
import {type StoredInterval, StoredIntervals, toStoredIntervals} from '../../../src/core/blame/stored-intervals.js'
import {simulateTraffic} from '../../simulator/request-traffic.js'

describe('StoredIntervals (blame from the recorder\'s store)', () => {
  it('blame of a log\'s intervals, stored and read back, names the same suspects with the same estimates', () => {
    const traffic = simulateTraffic({
      hours: 4, leak: {mbPerRequest: 0.1, route: 'GET /reports/:id'}, requestsPerSecond: 2, seed: 7,
    })
    // Two readings of the log: result() closes what is open, once.
    const fromLog = new BlameAccumulator()
    const toStore = new BlameAccumulator()
    for (const event of traffic.events) {
      fromLog.add(event)
      toStore.add(event)
    }

    const data = toStore.result()
    const stored = new StoredIntervals()
    for (const interval of toStoredIntervals(data.tables.flatMap(table => table.intervals()), data.routes)) stored.add(interval)
    const direct = buildBlame(fromLog)
    const again = buildBlame(stored)
    expect(direct.suspects.map(suspect => suspect.route)).to.deep.equal(['GET /reports/:id'])
    expect(again.suspects.map(suspect => suspect.route)).to.deep.equal(['GET /reports/:id'])
    expect(again.suspects[0].leak!.mbPer1000).to.be.closeTo(direct.suspects[0].leak!.mbPer1000, direct.suspects[0].leak!.mbPer1000 * 0.02)
    // Only placed requests are stored: the log's count less those outside every interval.
    expect(again.requests).to.equal(direct.requests - direct.unplaced)
    expect(again.unplaced).to.equal(0)
    expect(again.samples).to.equal(direct.samples)
  })

  it('keeps as many route templates as the builder does: more, from several recorders, are `other`', () => {
    const stored = new StoredIntervals()
    const routes = Array.from({length: ROUTE_LIMIT + 50}, (_, index) => ({requests: 1, route: `GET /r${index}`}))
    const interval: StoredInterval = {
      bytes: 0, dyno: 'web.1', end: 20_000, endMb: 101, errors: 0, instance: 'a', requests: routes.length, routes, serviceMs: 0, start: 0, startMb: 100, type: 'web',
    }
    stored.add(interval)
    const data = stored.result()
    expect(data.routes).to.have.length(ROUTE_LIMIT + 1)
    expect(data.routeTotals[0].requests).to.equal(50)
    expect([...data.tables[0].at(0).counts].reduce((sum, count) => sum + count, 0)).to.equal(routes.length)
  })
})
