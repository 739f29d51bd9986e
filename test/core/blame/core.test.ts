import {expect} from 'chai'

import type {MemorySample, RouterRequest} from '../../../src/core/events.js'

import {BlameAccumulator, buildBlame} from '../../../src/core/blame/blame.js'
import {holmAdjust} from '../../../src/core/blame/inference.js'
import {IntervalBuilder} from '../../../src/core/blame/intervals.js'
import {boundedSolve, normalEquations} from '../../../src/core/blame/robust-nnls.js'
import {RouteCatalog, routeTemplate} from '../../../src/core/blame/route-template.js'
import {simulateTraffic} from '../../simulator/request-traffic.js'

const START = Date.UTC(2026, 10, 20, 10)

function sample(seconds: number, rss: number, instance = 'heroku.1.a'): MemorySample {
  return {
    cache: 0, dyno: 'web.1', instance, kind: 'memory', rss, swap: 0, time: START + (seconds * 1000), total: rss, type: 'web',
  }
}

function request(finishedAt: number, serviceMs: number, path = '/reports/42/export?x=1'): RouterRequest {
  return {
    bytes: 100, dyno: 'web.1', kind: 'router', method: 'GET', path, serviceMs, status: 200, time: START + (finishedAt * 1000), type: 'web',
  }
}

describe('mem:blame core', () => {
  it('turns paths into route templates: ids collapse, query strings go', () => {
    expect(routeTemplate('get', '/reports/42/export?x=1')).to.equal('GET /reports/:id/export')
    expect(routeTemplate('GET', '/users/3f1c2a9e-1b2c-4d5e-8f90-123456789abc')).to.equal('GET /users/:id')
    expect(routeTemplate('GET', '/blobs/9f86d081884c7d65')).to.equal('GET /blobs/:id')
    expect(routeTemplate('GET', '/reset/aZ3kL9qP0wX8vB7nM2cD')).to.equal('GET /reset/:id')
    expect(routeTemplate('GET', '/orders/17.json')).to.equal('GET /orders/:id.json')
    expect(routeTemplate('POST', '/api/events')).to.equal('POST /api/events')
  })

  it('keeps a bounded number of route templates; the rest are other', () => {
    const catalog = new RouteCatalog(2)
    expect(catalog.idOf('GET', '/a')).to.equal(1)
    expect(catalog.idOf('GET', '/b')).to.equal(2)
    expect(catalog.idOf('GET', '/c')).to.equal(0)
    expect(catalog.names).to.deep.equal(['other', 'GET /a', 'GET /b'])
  })

  it('gives a path the same route id whether the path cache remembers it or not', () => {
    const catalog = new RouteCatalog(2)
    // More distinct paths than the cache holds: it is forgotten and filled again on the way.
    for (let i = 0; i < 10_000; i++) expect(catalog.idOf('GET', `/a/${i % 5000}`)).to.equal(1)
    expect(catalog.idOf('GET', '/b')).to.equal(2)
    expect(catalog.idOf('GET', '/c')).to.equal(0)
    expect(catalog.idOf('GET', '/c')).to.equal(0)
    expect(catalog.idOf('get', '/b')).to.equal(2)
    // Paths are remembered per method: POST /b is a template of its own (past the bound: other).
    expect(catalog.idOf('POST', '/b')).to.equal(0)
    expect(catalog.names).to.deep.equal(['other', 'GET /a/:id', 'GET /b'])
  })

  it('places a request by its start (log time - service time), even when its line comes after the next sample', () => {
    const builder = new IntervalBuilder()
    builder.addSample(sample(0, 200))
    builder.addSample(sample(20, 210))
    // Finished at 25 s after 10 s of service: started at 15 s, in the first interval.
    builder.addRequest(request(25, 10_000))
    builder.addRequest(request(30, 100))
    builder.addSample(sample(40, 215))
    const {tables, unplaced} = builder.result()
    const intervals = tables.flatMap(table => table.intervals())
    expect(intervals.map(interval => [interval.startMb, interval.endMb, interval.requests])).to.deep.equal([[200, 210, 1], [210, 215, 1]])
    expect(unplaced).to.equal(0)
  })

  it('makes no interval across a restart, and counts its requests as unplaced', () => {
    const builder = new IntervalBuilder()
    builder.addSample(sample(0, 400, 'heroku.1.old'))
    builder.addRequest(request(10, 100))
    builder.addSample(sample(20, 150, 'heroku.1.new'))
    builder.addSample(sample(40, 160, 'heroku.1.new'))
    const {tables, unplaced} = builder.result()
    const intervals = tables.flatMap(table => table.intervals())
    expect(intervals.map(interval => interval.instance)).to.deep.equal(['heroku.1.new'])
    expect(unplaced).to.equal(1)
  })

  it('solves least squares with non-negative coefficients exactly, however collinear', () => {
    // y = 2 x1 - 1 x2: the constrained answer puts x2 at 0 and refits x1.
    const rows = [[1, 1], [2, 1.9], [3, 3.1], [4, 4]]
    const values = Float64Array.from(rows.flat())
    const y = Float64Array.from(rows.map(([x1, x2]) => (2 * x1) - x2))
    const {a, c} = normalEquations({columns: 2, rows: 4, values}, y, new Float64Array(4).fill(1))
    const [b1, b2] = boundedSolve(a, c, [false, false])
    expect(b2).to.equal(0)
    expect(b1).to.be.closeTo(1, 0.01)
    const free = boundedSolve(a, c, [false, true])
    expect(free[0]).to.be.closeTo(2, 1e-6)
    expect(free[1]).to.be.closeTo(-1, 1e-6)
  })

  it('adjusts p-values by Holm', () => {
    expect(holmAdjust([0.01, 0.04, 0.03])).to.deep.equal([0.03, 0.06, 0.06])
  })

  it('says which routes always come together instead of splitting their cost', () => {
    const accumulator = new BlameAccumulator()
    for (const event of simulateTraffic({hours: 2, seed: 7, tied: true}).events) accumulator.add(event)
    const [web] = buildBlame(accumulator).types
    expect(web.tied).to.deep.equal([['GET /dashboard', 'GET /api/dashboard/widgets']])
    expect(web.routes.map(route => route.route)).to.include('GET /dashboard + GET /api/dashboard/widgets')
  })

  it('names no suspect and says why when there are no router lines', () => {
    const accumulator = new BlameAccumulator()
    for (let second = 0; second < 3600; second += 20) accumulator.add(sample(second, 200 + (second / 100)))
    const result = buildBlame(accumulator)
    expect(result.suspects).to.deep.equal([])
    expect(result.limits.map(limit => limit.code)).to.deep.equal(['no-router-lines'])
  })
})
