/* eslint-disable n/no-unsupported-features/node-builtins -- fetch is unflagged since Node 18; the rule calls it experimental before 21 */
import type * as Heroku from '@heroku-cli/schema'

import {expect} from 'chai'

import type {LogEvent, MemorySample} from '../../src/core/events.js'
import type {AppScript, Simulator, SimulatorOptions} from './server.js'

import {LogParser} from '../../src/core/parse/index.js'
import {scenario} from './scenarios.js'
import {startSimulator} from './server.js'

const API_HEADERS = {Accept: 'application/vnd.heroku+json; version=3', Authorization: 'Bearer sim-token'}

interface ApiResponse<T> {
  body: T
  headers: Headers
  status: number
}

async function api<T = unknown>(sim: Simulator, method: string, path: string, options: {body?: unknown; headers?: Record<string, string>} = {}): Promise<ApiResponse<T>> {
  const response = await fetch(`${sim.url}${path}`, {
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    headers: {...API_HEADERS, ...options.headers},
    method,
  })
  return {body: await response.json() as T, headers: response.headers, status: response.status}
}

/** The `data` of each event in a `text/event-stream` body. */
function sseEvents(text: string): string[][] {
  return text.split('\n\n').filter(block => block.trim() !== '').map(block => block.split('\n').filter(line => line.startsWith('data: ')).map(line => line.slice(6)))
}

async function openSession(sim: Simulator, app: string, request: Record<string, unknown>): Promise<Response> {
  const session = await api<Heroku.LogSession>(sim, 'POST', `/apps/${app}/log-sessions`, {body: request})
  expect(session.status).to.equal(201)
  return fetch(session.body.logplex_url!)
}

async function sessionLines(sim: Simulator, app: string, request: Record<string, unknown>): Promise<string[]> {
  const response = await openSession(sim, app, request)
  return sseEvents(await response.text()).flat()
}

/** Reads a tail stream until `enough(lines)` or the stream ends; `ended` tells which. */
async function readTail(response: Response, enough: (lines: string[]) => boolean, onOpen: () => void = () => {}): Promise<{ended: boolean; lines: string[]}> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  onOpen()
  try {
    while (true) {
      const {done, value} = await reader.read()
      if (done) return {ended: true, lines: sseEvents(text).flat()}
      text += decoder.decode(value, {stream: true})
      const complete = sseEvents(text.slice(0, text.lastIndexOf('\n\n') + 2)).flat()
      if (enough(complete)) {
        await reader.cancel()
        return {ended: false, lines: complete}
      }
    }
  } catch {
    return {ended: true, lines: sseEvents(text.slice(0, text.lastIndexOf('\n\n') + 2)).flat()}
  }
}

function events(lines: string[]): LogEvent[] {
  const parser = new LogParser()
  return lines.map(line => parser.parse(line)).filter(event => event !== undefined)
}

const memorySamples = (lines: string[], dyno: string) => events(lines).filter((event): event is MemorySample => event.kind === 'memory' && event.dyno === dyno)
/** [source, dyno] of a line: `app`, `web.1`. */
const sourceOf = (line: string) => /^\S+ (\w+)\[([\w.]+)\]/.exec(line)!.slice(1)
const messagesOf = (lines: string[], dyno: string) => lines.filter(line => line.includes(` heroku[${dyno}]: `)).map(line => line.slice(line.indexOf(']: ') + 3))

describe('Heroku simulator', () => {
  let sim: Simulator
  const start = async (apps: AppScript[], options: Partial<SimulatorOptions> = {}) => {
    sim = await startSimulator({apps, tickMs: 0, ...options})
    return sim
  }

  afterEach(async () => {
    await sim?.close()
  })

  describe('Platform API', () => {
    it('answers 401 with Heroku\'s error body to a wrong token, and records requests without the token', async () => {
      await start([scenario('steady')])
      const response = await api(sim, 'GET', '/apps/steady-app', {headers: {Authorization: 'Bearer nope'}})
      expect(response.status).to.equal(401)
      expect(response.body).to.deep.equal({id: 'unauthorized', message: 'Invalid credentials provided.'})
      expect(response.headers.get('ratelimit-remaining')).to.match(/^\d+$/)
      expect(sim.requests).to.have.length(1)
      expect(sim.requests[0]).to.include({method: 'GET', path: '/apps/steady-app'})
      expect(sim.requests[0].headers).to.not.have.property('authorization')
    })

    it('answers 404 not_found for an unknown app, dyno or route', async () => {
      await start([scenario('steady')])
      expect((await api(sim, 'GET', '/apps/nope')).body).to.deep.equal({id: 'not_found', message: 'Couldn\'t find that app.'})
      const dyno = await api(sim, 'DELETE', '/apps/steady-app/dynos/web.9')
      expect(dyno.status).to.equal(404)
      expect(dyno.body).to.deep.equal({id: 'not_found', message: 'Couldn\'t find that dyno.'})
      expect((await api(sim, 'DELETE', '/apps/steady-app/formations/clock')).status).to.equal(404)
      expect((await api<{id: string}>(sim, 'GET', '/nothing/here')).body.id).to.equal('not_found')
      expect(sim.restarts('steady-app')).to.deep.equal([])
    })

    it('serves app, feature, dynos, formation, sizes, releases and rate limits in Heroku\'s shapes', async () => {
      await start([scenario('demo'), {...scenario('fir-app'), generationAsString: true}])
      const app = await api<Heroku.App>(sim, 'GET', '/apps/demo-app')
      expect(app.body).to.include({name: 'demo-app'})
      expect(app.body.generation).to.include({name: 'cedar'})
      expect((await api<Heroku.App>(sim, 'GET', '/apps/fir-app')).body.generation).to.equal('fir')
      expect((await api<Heroku.App>(sim, 'GET', `/apps/${app.body.id}`)).body.name).to.equal('demo-app')

      expect((await api<Heroku.AppFeature>(sim, 'GET', '/apps/demo-app/features/log-runtime-metrics')).body).to.include({enabled: true, name: 'log-runtime-metrics'})
      const patched = await api<Heroku.AppFeature>(sim, 'PATCH', '/apps/demo-app/features/log-runtime-metrics', {body: {enabled: false}})
      expect(patched.body.enabled).to.equal(false)
      expect((await api(sim, 'PATCH', '/apps/demo-app/features/log-runtime-metrics', {body: {enabled: 'yes'}})).status).to.equal(422)

      const dynos = await api<Heroku.Dyno[]>(sim, 'GET', '/apps/demo-app/dynos')
      expect(dynos.body.map(d => d.name)).to.deep.equal(['web.1', 'web.2', 'worker.1'])
      expect(dynos.body[2]).to.include({size: 'Standard-1X', state: 'up', type: 'worker'})
      expect(Date.parse(dynos.body[0].updated_at!)).to.be.at.most(sim.now())
      // Path segments are URL-decoded.
      expect((await api<Heroku.Dyno>(sim, 'GET', '/apps/demo-app/dynos/web%2E2')).body.id).to.equal(dynos.body[1].id)

      const formation = await api<Heroku.Formation[]>(sim, 'GET', '/apps/demo-app/formation')
      expect(formation.body.map(f => [f.type, f.quantity, f.size])).to.deep.equal([['web', 2, 'Standard-1X'], ['worker', 1, 'Standard-1X']])

      const sizes = await api<Heroku.DynoSize[]>(sim, 'GET', '/dyno-sizes')
      expect(sizes.body.find(size => size.name === 'Standard-1X')?.memory).to.equal(0.5)
      expect(sizes.body.find(size => size.name === 'Performance-M')?.memory).to.equal(2.5)

      const releases = await api<Heroku.Release[]>(sim, 'GET', '/apps/demo-app/releases')
      expect(releases.body.map(r => r.version)).to.deep.equal([41, 42])
      expect(releases.body.at(-1)).to.include({current: true})
      const newest = await api<Heroku.Release[]>(sim, 'GET', '/apps/demo-app/releases', {headers: {Range: 'version ..; order=desc, max=1'}})
      expect(newest.body.map(r => r.version)).to.deep.equal([42])

      const before = await api<Heroku.RateLimit>(sim, 'GET', '/account/rate-limits')
      const after = await api<Heroku.RateLimit>(sim, 'GET', '/account/rate-limits')
      expect(after.body.remaining).to.equal(before.body.remaining).and.to.be.below(4500)
    })
  })

  describe('log sessions', () => {
    it('a non-tail session returns the newest lines of the history, parseable, some events multi-line, then ends', async () => {
      await start([scenario('demo')])
      const session = await api<Heroku.LogSession>(sim, 'POST', '/apps/demo-app/log-sessions', {body: {lines: 200, tail: false}})
      expect(session.body).to.have.keys(['created_at', 'id', 'logplex_url', 'updated_at'])
      expect(session.body.logplex_url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/streams\/[\da-f]{32,}$/)
      const response = await fetch(session.body.logplex_url!)
      expect(response.headers.get('content-type')).to.equal('text/event-stream')
      const eventsRead = sseEvents(await response.text())
      const lines = eventsRead.flat()
      expect(lines).to.deep.equal(sim.lines('demo-app').slice(-200))
      expect(eventsRead.some(event => event.length > 1)).to.equal(true)
      expect(lines[0]).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 (heroku|app)\[[\w.]+\]: /)
      const samples = memorySamples(lines, 'web.1')
      expect(samples.length).to.be.greaterThan(5)
      expect(samples[0]).to.include({quota: 512})
      expect(samples[0].instance).to.match(/^heroku\.\d+\.[\da-f-]{36}$/)
      expect(events(lines).some(event => event.kind === 'load')).to.equal(true)
    })

    it('a session asking for more than 1500 lines gets the 1500 Logplex keeps', async () => {
      await start([{...scenario('leaky-web'), historyTicks: 300}])
      expect(sim.lines('leaky-web').length).to.be.greaterThan(1500)
      expect(await sessionLines(sim, 'leaky-web', {lines: 5000})).to.have.length(1500)
    })

    it('filters by source, dyno name, process type and type', async () => {
      await start([{...scenario('demo'), mimicLines: true}])
      const all = await sessionLines(sim, 'demo-app', {lines: 1500})
      expect(all.map(line => sourceOf(line)[0])).to.include.members(['app', 'heroku'])

      const heroku = await sessionLines(sim, 'demo-app', {lines: 1500, source: 'heroku'})
      expect(heroku.length).to.be.greaterThan(0)
      expect(heroku.every(line => sourceOf(line)[0] === 'heroku')).to.equal(true)
      expect(heroku.some(line => sourceOf(line)[1] === 'router')).to.equal(true)

      const app = await sessionLines(sim, 'demo-app', {lines: 1500, source: 'app'})
      expect(app.length).to.be.greaterThan(0)
      expect(app.every(line => sourceOf(line)[0] === 'app')).to.equal(true)

      const web = await sessionLines(sim, 'demo-app', {dyno: 'web', lines: 1500})
      expect(new Set(web.map(line => sourceOf(line)[1]))).to.deep.equal(new Set(['web.1', 'web.2']))
      const web1 = await sessionLines(sim, 'demo-app', {dyno_name: 'web.1', lines: 1500, source: 'heroku'})
      expect(new Set(web1.map(line => sourceOf(line).join(',')))).to.deep.equal(new Set(['heroku,web.1']))
      const workers = await sessionLines(sim, 'demo-app', {lines: 1500, type: 'worker'})
      expect(new Set(workers.map(line => sourceOf(line)[1]))).to.deep.equal(new Set(['worker.1']))
    })

    it('a tail session sends the recent lines, then new lines as they are logged', async () => {
      await start([scenario('demo')])
      const recent = sim.lines('demo-app').filter(line => line.includes(' heroku[web.2]: ')).slice(-4)
      const response = await openSession(sim, 'demo-app', {
        dyno: 'web.2', lines: 4, source: 'heroku', tail: true,
      })
      const {ended, lines} = await readTail(response, got => memorySamples(got, 'web.2').length >= 4, () => setTimeout(() => sim.step(2), 20))
      expect(ended).to.equal(false)
      expect(lines.slice(0, 4)).to.deep.equal(recent)
      expect(lines.slice(4)).to.deep.equal(sim.lines('demo-app').filter(line => line.includes(' heroku[web.2]: ')).slice(-4))
      const times = memorySamples(lines, 'web.2').map(sample => sample.time)
      expect(times).to.deep.equal([...times].sort())
      expect(times.at(-1)).to.be.greaterThan(times[0])
    })

    it('streams live with a running clock, and close() ends open streams', async () => {
      await start([scenario('steady')], {tickMs: 2})
      const response = await openSession(sim, 'steady-app', {lines: 0, tail: true})
      const reading = readTail(response, () => false)
      await new Promise(resolve => {
        setTimeout(resolve, 60)
      })
      const closing = sim.close()
      const {ended, lines} = await reading
      await closing
      expect(ended).to.equal(true)
      expect(memorySamples(lines, 'web.1').length).to.be.greaterThan(2)
    })

    it('an unknown stream secret is a 404', async () => {
      await start([scenario('steady')])
      expect((await fetch(`${sim.url}/streams/0123456789abcdef0123456789abcdef`)).status).to.equal(404)
    })
  })

  describe('dyno lives', () => {
    it('an API restart logs the restart sequence over 1-2 ticks, then a new instance starting from its base', async () => {
      await start([scenario('demo')])
      const oldInstance = memorySamples(sim.lines('demo-app'), 'web.2').at(-1)!.instance
      const before = Date.now()
      const response = await api(sim, 'DELETE', '/apps/demo-app/dynos/web.2')
      expect(response.status).to.equal(202)
      expect(response.body).to.deep.equal({})
      expect(sim.restarts('demo-app')).to.have.length(1)
      expect(sim.restarts('demo-app')[0]).to.include({action: 'restart', dyno: 'web.2'})
      expect(sim.restarts('demo-app')[0].time).to.be.within(before, Date.now())

      const logged = sim.lines('demo-app').length
      sim.step(1)
      expect((await api<Heroku.Dyno>(sim, 'GET', '/apps/demo-app/dynos/web.2')).body.state).to.equal('starting')
      sim.step(2)
      const dyno = await api<Heroku.Dyno>(sim, 'GET', '/apps/demo-app/dynos/web.2')
      expect(dyno.body.state).to.equal('up')
      expect(Date.parse(dyno.body.updated_at!)).to.be.greaterThan(sim.now() - 60_000)

      const after = sim.lines('demo-app').slice(logged)
      expect(messagesOf(after, 'web.2').filter(message => !message.startsWith('source='))).to.deep.equal([
        'Restarting',
        'State changed from up to starting',
        'Stopping all processes with SIGTERM',
        'Process exited with status 143',
        'Starting process with command `npm start`',
        'State changed from starting to up',
      ])
      const samples = memorySamples(after, 'web.2')
      expect(samples.length).to.equal(2)
      expect(samples.every(sample => sample.instance !== oldInstance)).to.equal(true)
      expect(samples[0].rss).to.be.within(190, 215)
      expect(events(after).filter(event => event.kind === 'dyno').map(event => event.dyno)).to.deep.equal(Array.from({length: 6}, () => 'web.2'))
    })

    it('restarts by formation and by app, stop brings the dyno down and back', async () => {
      await start([scenario('demo')])
      expect((await api(sim, 'DELETE', '/apps/demo-app/formations/web')).status).to.equal(202)
      expect(sim.restarts('demo-app').map(r => r.dyno)).to.deep.equal(['web.1', 'web.2'])
      sim.step(3)
      await api(sim, 'DELETE', '/apps/demo-app/dynos')
      expect(sim.restarts('demo-app').map(r => r.dyno)).to.deep.equal(['web.1', 'web.2', 'web.1', 'web.2', 'worker.1'])
      sim.step(3)
      const logged = sim.lines('demo-app').length
      expect((await api(sim, 'POST', '/apps/demo-app/dynos/worker.1/actions/stop')).status).to.equal(202)
      sim.step(1)
      expect((await api<Heroku.Dyno>(sim, 'GET', '/apps/demo-app/dynos/worker.1')).body.state).to.equal('down')
      sim.step(2)
      expect(messagesOf(sim.lines('demo-app').slice(logged), 'worker.1').filter(message => !message.startsWith('source='))).to.deep.equal([
        'Stopping all processes with SIGTERM',
        'Process exited with status 143',
        'State changed from up to down',
        'State changed from down to starting',
        'Starting process with command `node worker.js`',
        'State changed from starting to up',
      ])
    })

    it('web.2 of the demo leaks over its quota within ~60 ticks: R14 with swap; overThresholdAt reports it', async () => {
      await start([{...scenario('demo'), historyTicks: 0}])
      expect(sim.overThresholdAt('demo-app', 'web.2', 400)).to.equal(undefined)
      const before = Date.now()
      sim.step(60)
      const lines = sim.lines('demo-app')
      const errors = events(lines).filter(event => event.kind === 'error')
      expect(errors.length).to.be.greaterThan(0)
      expect(errors.every(event => event.dyno === 'web.2' && event.code === 'R14')).to.equal(true)
      const samples = memorySamples(lines, 'web.2')
      expect(samples.at(-1)!.swap).to.be.greaterThan(0)
      expect(samples.at(-1)!.rss).to.be.at.most(512)
      expect(sim.overThresholdAt('demo-app', 'web.2', 400)).to.be.within(before, Date.now())
      expect(sim.overThresholdAt('demo-app', 'web.1', 400)).to.equal(undefined)
      // worker.1 bloats: rises, then stays flat below its quota.
      const worker = memorySamples(lines, 'worker.1').map(sample => sample.total)
      expect(worker.at(-1)! - worker[0]).to.be.greaterThan(150)
      expect(Math.abs(worker.at(-1)! - worker.at(-10)!)).to.be.below(25)
      await api(sim, 'DELETE', '/apps/demo-app/dynos/web.2')
      expect(sim.overThresholdAt('demo-app', 'web.2', 400)).to.equal(undefined)
    })

    it('with preboot the old instance keeps logging as web.1 for 9 ticks after a restart', async () => {
      await start([scenario('preboot')])
      const oldInstance = memorySamples(sim.lines('preboot-app'), 'web.1').at(-1)!.instance
      const logged = sim.lines('preboot-app').length
      await api(sim, 'DELETE', '/apps/preboot-app/dynos/web.1')
      sim.step(12)
      const samples = memorySamples(sim.lines('preboot-app').slice(logged), 'web.1')
      const old = samples.filter(sample => sample.instance === oldInstance)
      const fresh = samples.filter(sample => sample.instance !== oldInstance)
      expect(old).to.have.length(10)
      expect(fresh.length).to.be.at.least(10)
      expect(old.at(-1)!.time).to.be.greaterThan(fresh[0].time)
      expect(old.at(-1)!.total).to.be.greaterThan(fresh[0].total)
      expect(messagesOf(sim.lines('preboot-app').slice(logged), 'web.1').filter(message => message.startsWith('Stopping') || message.startsWith('Process exited'))).to.deep.equal([
        'Stopping all processes with SIGTERM',
        'Process exited with status 143',
      ])
    })

    it('an r15 dyno is killed at 2x its quota, crashes and restarts as a new instance', async () => {
      await start([{...scenario('r15-crash'), historyTicks: 0}])
      sim.step(60)
      const lines = sim.lines('r15-crash-app')
      const messages = messagesOf(lines, 'web.1').filter(message => !message.startsWith('source='))
      const kill = messages.indexOf('Error R15 (Memory quota vastly exceeded)')
      expect(kill).to.be.greaterThan(0)
      expect(messages[kill - 1]).to.match(/^Process running mem=(\d+)M\((\d+\.\d)%\)$/)
      expect(Number(/mem=(\d+)M/.exec(messages[kill - 1])![1])).to.be.at.least(1024)
      expect(messages.slice(kill + 1, kill + 7)).to.deep.equal([
        'Stopping process with SIGKILL',
        'Process exited with status 137',
        'State changed from up to crashed',
        'State changed from crashed to starting',
        'Starting process with command `npm start`',
        'State changed from starting to up',
      ])
      expect(new Set(memorySamples(lines, 'web.1').map(sample => sample.instance)).size).to.be.at.least(2)
      expect(sim.restarts('r15-crash-app')).to.deep.equal([])
    })

    it('a boot-over dyno logs R14 from its first sample; without log-runtime-metrics R14 shows but samples do not', async () => {
      await start([scenario('boot-over'), scenario('no-metrics')])
      const first = memorySamples(sim.lines('boot-over-app'), 'worker.1')[0]
      expect(first.total).to.be.greaterThan(512)
      const [reading, error] = messagesOf(sim.lines('boot-over-app'), 'worker.1').slice(2, 4)
      expect(error).to.equal('Error R14 (Memory quota exceeded)')
      const [, mem, percent] = /^Process running mem=(\d+)M\((\d+\.\d)%\)$/.exec(reading)!
      expect(Number(mem)).to.be.closeTo(first.rss + first.swap, 1)
      expect(Number(percent)).to.be.closeTo(Number(mem) / 5.12, 0.2)

      const noMetrics = sim.lines('no-metrics-app')
      expect(events(noMetrics).filter(event => event.kind === 'memory' || event.kind === 'load')).to.deep.equal([])
      expect(events(noMetrics).some(event => event.kind === 'error' && event.code === 'R14')).to.equal(true)
      // Enabling applies to dynos booted after it.
      await api(sim, 'PATCH', '/apps/no-metrics-app/features/log-runtime-metrics', {body: {enabled: true}})
      sim.step(1)
      expect(memorySamples(sim.lines('no-metrics-app'), 'web.1')).to.deep.equal([])
      await api(sim, 'DELETE', '/apps/no-metrics-app/dynos')
      sim.step(3)
      expect(memorySamples(sim.lines('no-metrics-app'), 'web.1').length).to.be.greaterThan(0)
    })

    it('releases log app[api] lines and restart every dyno', async () => {
      await start([{...scenario('steady'), historyTicks: 0, releases: [{atTick: 2, description: 'Set FOO config vars', version: 7}]}])
      sim.step(3)
      const lines = sim.lines('steady-app')
      const releases = events(lines).filter(event => event.kind === 'release')
      expect(releases.map(event => event.kind === 'release' && event.version)).to.include(7)
      expect(lines.filter(line => line.includes('app[api]: ')).map(line => line.slice(line.indexOf(']: ') + 3))).to.deep.equal([
        'Set FOO config vars by user someone@example.com',
        'Release v7 created by user someone@example.com',
      ])
      expect(messagesOf(lines, 'worker.1')).to.include('Restarting')
      expect((await api<Heroku.Release[]>(sim, 'GET', '/apps/steady-app/releases')).body.map(r => [r.version, r.current])).to.deep.equal([[6, false], [7, true]])
    })

    it('app lines that imitate platform lines are app lines: the parser yields nothing for them', async () => {
      await start([scenario('hostile')])
      const appLines = sim.lines('hostile-app').filter(line => line.includes(' app[web.1]: '))
      expect(appLines.some(line => line.includes('sample#memory_total=9999.00MB'))).to.equal(true)
      expect(appLines.some(line => line.includes('Error R14'))).to.equal(true)
      expect(events(appLines)).to.deep.equal([])
    })
  })

  describe('faults and control', () => {
    it('429 and 503 faults answer the next matching requests, then clear', async () => {
      await start([scenario('steady')])
      sim.faults.status429 = {count: 2, pathPattern: '^DELETE /apps/.*/dynos/', retryAfterSeconds: 3}
      sim.faults.status503 = {count: 1, pathPattern: '^GET /apps/steady-app/dynos$'}
      const limited = await api(sim, 'DELETE', '/apps/steady-app/dynos/web.1')
      expect(limited.status).to.equal(429)
      expect(limited.body).to.include({id: 'rate_limit'})
      expect(limited.headers.get('retry-after')).to.equal('3')
      expect((await api(sim, 'GET', '/apps/steady-app')).status).to.equal(200)
      expect((await api(sim, 'DELETE', '/apps/steady-app/dynos/web.1')).status).to.equal(429)
      expect((await api(sim, 'DELETE', '/apps/steady-app/dynos/web.1')).status).to.equal(202)
      expect(sim.restarts('steady-app')).to.have.length(1)

      const unavailable = await api(sim, 'GET', '/apps/steady-app/dynos')
      expect(unavailable.status).to.equal(503)
      expect(unavailable.body).to.include({id: 'unavailable'})
      expect((await api(sim, 'GET', '/apps/steady-app/dynos')).status).to.equal(200)
    })

    it('the drop fault cuts each tail stream after N lines', async () => {
      await start([scenario('steady')])
      sim.faults.dropStreamAfterLines = 7
      const first = await readTail(await openSession(sim, 'steady-app', {lines: 5, tail: true}), () => false, () => setTimeout(() => sim.step(3), 20))
      expect(first.ended).to.equal(true)
      expect(first.lines).to.have.length(7)
      const second = await readTail(await openSession(sim, 'steady-app', {lines: 100, tail: true}), () => false)
      expect(second.ended).to.equal(true)
      expect(second.lines).to.have.length(7)
      expect(second.lines).to.deep.equal(sim.lines('steady-app').slice(-100, -93))
    })

    it('the malformed fault adds heroku lines the parser rejects', async () => {
      await start([{...scenario('steady'), historyTicks: 0}])
      sim.faults.malformedLines = true
      sim.step(5)
      const metricsLike = sim.lines('steady-app').filter(line => / heroku\[(web|worker)\.\d\]: source=/.test(line))
      // 3 dynos x 5 ticks x (load + memory) good lines, and one bad line a tick.
      expect(metricsLike).to.have.length(35)
      expect(events(metricsLike)).to.have.length(30)
    })

    it('the /__sim control API steps the clock, sets faults and lists requests without a token', async () => {
      await start([scenario('steady')])
      const now = sim.now()
      const stepped = await (await fetch(`${sim.url}/__sim/step?ticks=3`, {method: 'POST'})).json() as {now: number}
      expect(stepped.now).to.equal(now + 60_000)
      await fetch(`${sim.url}/__sim/faults`, {body: JSON.stringify({status503: {count: 1, pathPattern: '^GET /apps/'}}), method: 'PUT'})
      expect((await api(sim, 'GET', '/apps/steady-app')).status).to.equal(503)
      const requests = await (await fetch(`${sim.url}/__sim/requests`)).json() as Array<{method: string; path: string}>
      expect(requests.map(r => `${r.method} ${r.path}`)).to.deep.equal(['GET /apps/steady-app'])
      await api(sim, 'DELETE', '/apps/steady-app/dynos/web.2')
      const restarts = await (await fetch(`${sim.url}/__sim/restarts?app=steady-app`)).json() as Array<{dyno: string}>
      expect(restarts.map(r => r.dyno)).to.deep.equal(['web.2'])
    })
  })
})
