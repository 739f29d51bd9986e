import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'

import type {Simulator} from '../simulator/server.js'

import {UserError} from '../../src/errors.js'
import {HerokuApi, retryAfterMs} from '../../src/heroku/api.js'
import {ensureRuntimeMetrics} from '../../src/heroku/preflight.js'
import {ROOT} from '../helpers/run-command.js'
import {scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

function deletesIn(sim: Simulator): number {
  return sim.requests.filter(r => r.method === 'DELETE').length
}

describe('HerokuApi against the simulator', () => {
  let sim: Simulator
  let api: HerokuApi
  let sleeps: number[]
  let notes: string[]
  const saved = {host: process.env.HEROKU_HOST, key: process.env.HEROKU_API_KEY}

  beforeEach(async () => {
    sim = await startSimulator({apps: [scenario('demo'), scenario('fir-app'), scenario('no-metrics')], tickMs: 0})
    process.env.HEROKU_HOST = sim.url
    process.env.HEROKU_API_KEY = sim.token
    sleeps = []
    notes = []
    const client = new APIClient(await Config.load(ROOT))
    api = new HerokuApi(client, {
      maxAttempts: 4,
      notify: note => notes.push(note),
      async sleep(ms) {
        sleeps.push(ms)
      },
    })
  })

  afterEach(async () => {
    await sim.close()
    process.env.HEROKU_HOST = saved.host
    process.env.HEROKU_API_KEY = saved.key
  })

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    sim.faults.status429 = {count: 2, pathPattern: '^GET /apps/demo-app/dynos$', retryAfterSeconds: 7}
    const dynos = await api.listDynos('demo-app')
    expect(dynos.map(d => d.name)).to.deep.equal(['web.1', 'web.2', 'worker.1'])
    expect(sleeps).to.deep.equal([7000, 7000])
  })

  it('backs off exponentially on 503 without Retry-After, and gives up after its attempts in one line', async () => {
    sim.faults.status503 = {count: 10, pathPattern: '^GET /apps/demo-app$'}
    const failure = await api.getApp('demo-app').catch(error => error)
    expect(failure).to.be.instanceOf(UserError)
    expect(failure.message).to.match(/^Heroku API error \(503\)/)
    expect(sleeps).to.have.length(3)
    expect(sleeps[1]).to.be.greaterThan(sleeps[0] * 0.9)
    expect(sleeps.every(ms => ms > 0 && ms <= 30_000)).to.equal(true)
    expect(notes).to.have.length(3)
    expect(notes[0]).to.match(/^Heroku API answered 503: retrying in [\d.]+m?s \(attempt 2 of 4\)$/)
  })

  it('fails fast on a refused connection: no retries on top of the HTTP client\'s own', async function () {
    this.timeout(30_000)
    await sim.close()
    const started = Date.now()
    const failure = await api.getApp('demo-app').catch(error => error)
    expect(failure).to.be.instanceOf(UserError)
    expect(failure.message).to.equal("Couldn't reach the Heroku API (ECONNREFUSED). Check your network or HEROKU_HOST.")
    expect(sleeps).to.deep.equal([])
    expect(Date.now() - started).to.be.lessThan(15_000)
    sim = await startSimulator({apps: [], tickMs: 0})
  })

  it('restarts one dyno by URL-encoded name, and says not-found for an unknown one', async () => {
    expect(await api.restartDyno('demo-app', 'web.1')).to.deep.equal({kind: 'restarted'})
    expect(await api.restartDyno('demo-app', 'web/../1')).to.deep.equal({kind: 'not-found'})
    expect(sim.requests.filter(r => r.method === 'DELETE').map(r => r.path)).to.deep.equal(['/apps/demo-app/dynos/web.1', '/apps/demo-app/dynos/web%2F..%2F1'])
  })

  describe('a restart is sent once: no layer retries it, every answer is told apart', () => {
    for (const kind of ['reset-after-acting', '503-after-acting'] as const) {
      it(`${kind}: one DELETE, outcome unknown (the platform may have acted)`, async () => {
        sim.faults.restartAnswer = {kind}
        const answer = await api.restartDyno('demo-app', 'web.1')
        expect(answer.kind).to.equal('unknown')
        expect(deletesIn(sim)).to.equal(1)
        expect(sim.restarts('demo-app')).to.have.length(1)
      })
    }

    it('429: one DELETE, rate-limited with the Retry-After wait, nothing acted', async () => {
      sim.faults.status429 = {count: 5, pathPattern: '^DELETE ', retryAfterSeconds: 9}
      expect(await api.restartDyno('demo-app', 'web.1')).to.deep.equal({kind: 'rate-limited', retryAfterMs: 9000})
      expect(deletesIn(sim)).to.equal(1)
      expect(sleeps).to.deep.equal([])
    })

    it('a trickling answer ends at the overall deadline, body included', async () => {
      const client = new APIClient(await Config.load(ROOT))
      const quick = new HerokuApi(client, {deadlineMs: 600})
      sim.faults.restartAnswer = {kind: 'trickle'}
      const started = Date.now()
      const answer = await quick.restartDyno('demo-app', 'web.1')
      expect(answer).to.deep.equal({kind: 'unknown', reason: 'no complete answer within 1s'})
      expect(Date.now() - started).to.be.within(500, 1500)
      expect(deletesIn(sim)).to.equal(1)
    })

    it('reads one dyno, and shows a requested restart at once (starting)', async () => {
      expect((await api.getDyno('demo-app', 'web.1')).state).to.equal('up')
      await api.restartDyno('demo-app', 'web.1')
      const dyno = await api.getDyno('demo-app', 'web.1')
      expect(dyno.state).to.equal('starting')
      expect(Date.parse(dyno.updated_at!)).to.equal(sim.now())
      const gone = await api.getDyno('demo-app', 'web.9').catch(error => error)
      expect(gone).to.be.instanceOf(UserError).and.include({status: 404})
    })
  })

  it('reads Retry-After as seconds or an HTTP date, at most 5 minutes; a past or unreadable one says nothing', () => {
    const now = Date.UTC(2026, 11, 1, 4, 0, 0)
    expect(retryAfterMs('7', now)).to.equal(7000)
    expect(retryAfterMs('Tue, 01 Dec 2026 04:00:30 GMT', now)).to.equal(30_000)
    expect(retryAfterMs('86400', now)).to.equal(300_000)
    expect(retryAfterMs('Tue, 01 Dec 2026 03:59:00 GMT', now)).to.equal(undefined)
    expect(retryAfterMs('soon', now)).to.equal(undefined)
    expect(retryAfterMs(undefined, now)).to.equal(undefined)
  })

  it('the dyno list and log sessions end at the deadline when the answer never ends: tried again, given up after two deadlines of waiting', async () => {
    const quick = new HerokuApi(new APIClient(await Config.load(ROOT)), {async sleep() {}, deadlineMs: 400, notify() {}})
    sim.faults.hang = {count: 1, pathPattern: '^GET /apps/demo-app/dynos$'}
    expect((await quick.listDynos('demo-app')).map(dyno => dyno.name)).to.deep.equal(['web.1', 'web.2', 'worker.1'])
    sim.faults.hang = {pathPattern: '^POST /apps/demo-app/log-sessions$'}
    const started = Date.now()
    const failure = await quick.createLogSession('demo-app', {tail: true}).catch(error => error)
    expect(failure).to.be.instanceOf(UserError)
    expect(failure.message).to.equal('no complete answer within 0s')
    expect(Date.now() - started).to.be.within(700, 1500)
    expect(sim.requests.filter(request => request.method === 'POST')).to.have.length(2)
  })

  it('asks for the newest releases with a Range header and returns them oldest first', async () => {
    const releases = await api.listReleases('demo-app', 5)
    const versions = releases.map(r => r.version ?? 0)
    expect(versions).to.deep.equal([...versions].sort((a, b) => a - b))
    const request = sim.requests.find(r => r.path === '/apps/demo-app/releases')
    expect(request?.headers.range).to.equal('version ..; order=desc, max=5')
  })

  it('preflight: Fir and disabled metrics are one-line errors; --enable-metrics patches the feature', async () => {
    const fir = await ensureRuntimeMetrics(api, 'fir-app').catch(error => error)
    expect(fir.message).to.contain('Fir-generation')
    const disabled = await ensureRuntimeMetrics(api, 'no-metrics-app').catch(error => error)
    expect(disabled.message).to.contain('heroku labs:enable log-runtime-metrics -a no-metrics-app')
    const app = await ensureRuntimeMetrics(api, 'no-metrics-app', {enable: true})
    expect(app.name).to.equal('no-metrics-app')
    expect(await api.getRuntimeMetrics('no-metrics-app')).to.equal(true)
  })

  it('a bad token is a one-line error naming heroku login, with no interactive login attempt', async () => {
    process.env.HEROKU_API_KEY = 'not-the-token'
    const failure = await api.getApp('demo-app').catch(error => error)
    expect(failure).to.be.instanceOf(UserError)
    expect(failure.message).to.match(/Invalid credentials.*heroku login/)
    expect(failure.message).not.to.contain('not-the-token')
  })
})
