import {expect} from 'chai'

import type {MemoryInterval} from '../../../src/core/blame/intervals.js'

import {IntervalTable, IntervalTables} from '../../../src/core/blame/interval-table.js'

/** Interval i of a made-up log: two dynos (one restarted half way), 0-3 routes in a changing order. */
function interval(i: number): MemoryInterval {
  const routes = Array.from({length: i % 4}, (_, k) => (i + k) % 7)
  return {
    bytes: i * 1000.5,
    counts: Int32Array.from(routes, (_, k) => k + 1 + (i % 3)),
    dyno: i % 2 === 0 ? 'web.1' : 'web.2',
    end: (i + 1) * 20_000,
    endMb: 100 + (i * 0.25),
    errors: i % 5,
    instance: i % 2 === 0 ? 'a' : (i < 1500 ? 'b' : 'c'),
    requests: (i % 4) * 3,
    routes: Int32Array.from(routes),
    serviceMs: i * 1.5,
    start: i * 20_000,
    startMb: 100 + ((i - 1) * 0.25),
    type: 'web',
  }
}

function add(tables: IntervalTables, row: MemoryInterval): void {
  const {counts, routes, ...figures} = row
  tables.add(figures, new Map([...routes].map((route, k) => [route, counts[k]])))
}

describe('IntervalTable (blame\'s intervals column by column)', () => {
  it('gives back every interval as added, past several growths of its arrays, routes in their order', () => {
    const tables = new IntervalTables()
    const added = Array.from({length: 3000}, (_, i) => interval(i))
    for (const row of added) add(tables, row)
    const [table] = tables.list()
    expect(table).to.be.instanceOf(IntervalTable)
    expect(table.length).to.equal(3000)
    expect(table.intervals()).to.deep.equal(added)
  })

  it('keeps a table per process type and one track per dyno instance', () => {
    const tables = new IntervalTables()
    for (let i = 0; i < 3000; i++) add(tables, interval(i))
    add(tables, {...interval(0), dyno: 'worker.1', type: 'worker'})
    expect(tables.list().map(table => [table.type, table.length])).to.deep.equal([['web', 3000], ['worker', 1]])
    expect(tables.list()[0].tracks).to.deep.equal([{dyno: 'web.1', instance: 'a'}, {dyno: 'web.2', instance: 'b'}, {dyno: 'web.2', instance: 'c'}])
  })
})
