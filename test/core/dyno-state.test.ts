import {expect} from 'chai'

import type {MemorySample} from '../../src/core/events.js'

import {compareDynoNames, DynoBoard} from '../../src/core/dyno-state.js'

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)

function sample(dyno: string, instance: string, rss: number, tick: number, extra: Partial<MemorySample> = {}): MemorySample {
  return {
    cache: 1, dyno, instance, kind: 'memory', rss, swap: 0, time: T0 + tick * 20_000, total: rss + 1, type: dyno.split('.')[0], ...extra,
  }
}

describe('DynoBoard', () => {
  it('tracks the latest sample, peak and a bounded history of rss + swap', () => {
    const board = new DynoBoard(3)
    for (let tick = 0; tick < 5; tick++) board.apply(sample('web.1', 'a', 100 + tick * 10, tick, {swap: tick}))
    const web = board.get('web.1')!
    expect(web.samples).to.equal(5)
    expect(web.latest?.rss).to.equal(140)
    expect(web.recent).to.deep.equal([122, 133, 144])
    expect(web.peakUsed).to.equal(144)
  })

  it('uses the line quota, else the dyno size quota', () => {
    const board = new DynoBoard(10, new Map([['worker.1', 'Standard-2X']]))
    board.apply(sample('worker.1', 'a', 100, 0))
    expect(board.get('worker.1')!.quota).to.equal(1024)
    board.apply(sample('worker.1', 'a', 100, 1, {quota: 2560}))
    expect(board.get('worker.1')!.quota).to.equal(2560)
    board.apply(sample('web.1', 'b', 100, 0))
    expect(board.get('web.1')!.quota).to.equal(512)
  })

  it('follows the new instance after a restart and ignores the old one during preboot', () => {
    const board = new DynoBoard(10)
    board.apply(sample('web.1', 'old', 500, 0))
    board.apply(sample('web.1', 'new', 150, 1))
    expect(board.apply(sample('web.1', 'old', 510, 2))).to.equal(undefined)
    board.apply(sample('web.1', 'new', 155, 3))
    const web = board.get('web.1')!
    expect(web.instance).to.equal('new')
    expect(web.latest?.rss).to.equal(155)
    expect(web.recent).to.deep.equal([150, 155])
    expect(web.staleSamples).to.equal(1)
  })

  it('counts memory errors and restarts', () => {
    const board = new DynoBoard()
    const base = {dyno: 'web.2', time: T0, type: 'web'}
    board.apply({...base, code: 'R14', kind: 'error'})
    board.apply({...base, code: 'R14', kind: 'error'})
    board.apply({...base, code: 'R15', kind: 'error'})
    board.apply({
      ...base, action: 'crashed', from: 'up', kind: 'dyno', to: 'crashed',
    })
    board.apply({...base, action: 'restarting', kind: 'dyno'})
    board.apply({...base, action: 'cycling', kind: 'dyno'})
    const web = board.get('web.2')!
    expect([web.r14, web.r15, web.restarts, web.state]).to.deep.equal([2, 1, 3, 'crashed'])
  })

  it('orders dynos by type, then number', () => {
    const names = ['web.10', 'worker.1', 'web.2', 'web.1'].map(name => ({name}))
    expect(names.sort(compareDynoNames).map(d => d.name)).to.deep.equal(['web.1', 'web.2', 'web.10', 'worker.1'])
  })

  it('seed: a dyno\'s trend starts from earlier samples of its newest instance, only once the dyno shows live, without counting them as seen', () => {
    const board = new DynoBoard(5)
    board.seed([sample('web.1', 'old', 100, 0), sample('web.1', 'a', 200, 1), sample('web.1', 'a', 210, 2), sample('web.2', 'b', 300, 2)])
    expect(board.list(), 'nothing listed before the live log shows a dyno').to.deep.equal([])
    // The live log repeats tick 2 (already seeded), then goes on.
    board.apply(sample('web.1', 'a', 210, 2))
    board.apply(sample('web.1', 'a', 220, 3))
    const web = board.get('web.1')!
    expect(web.recent).to.deep.equal([200, 210, 220])
    expect(web.samples).to.equal(2)
    expect(board.list().map(dyno => dyno.name), 'web.2 never showed live').to.deep.equal(['web.1'])
    // A new instance live: the seeded trend was of the old one.
    const other = new DynoBoard(5)
    other.seed([sample('web.1', 'a', 200, 1)])
    other.apply(sample('web.1', 'b', 120, 4))
    expect(other.get('web.1')!.recent).to.deep.equal([120])
  })

  it('seed after the first live samples (the store answered late): the older samples go in front, none twice', () => {
    const board = new DynoBoard(5)
    board.apply(sample('web.1', 'a', 230, 3))
    board.apply(sample('web.1', 'a', 240, 4))
    board.seed([sample('web.1', 'a', 200, 0), sample('web.1', 'a', 210, 1), sample('web.1', 'a', 220, 2), sample('web.1', 'a', 230, 3)])
    expect(board.get('web.1')!.recent).to.deep.equal([200, 210, 220, 230, 240])
    // Late log-buffer lines repeating seeded samples are not added again.
    board.apply(sample('web.1', 'a', 210, 1))
    expect(board.get('web.1')!.recent).to.deep.equal([200, 210, 220, 230, 240])
    // A seed of another instance than the one followed is not used.
    board.seed([sample('web.1', 'old', 100, 0)])
    expect(board.get('web.1')!.recent).to.have.length(5)
  })
})
