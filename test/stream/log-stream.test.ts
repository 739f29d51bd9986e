import type {EventSource} from 'eventsource'

import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'

import type {StreamNotice} from '../../src/core/ports/stream-notice.js'
import type {LogSessionRequest} from '../../src/heroku/api.js'
import type {Simulator} from '../simulator/server.js'

import {UserError} from '../../src/errors.js'
import {HerokuApi} from '../../src/heroku/api.js'
import {noticeText} from '../../src/render/tail-output.js'
import {LogStream} from '../../src/stream/log-stream.js'
import {ROOT} from '../helpers/run-command.js'
import {waitFor} from '../helpers/watchdog-sim.js'
import {scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

/** A scripted log session: the lines it sends as message events, then how it ends. */
interface ScriptedSession {
  /** `unreachable`: an error before any `open`, as when nothing listens at the URL. */
  end: 'closed' | 'open' | 'refused' | 'unreachable'
  events: string[]
}

/** Reconnect timers the fake sources have armed and not cleared. */
const armedReconnects = new Set<NodeJS.Timeout>()

class FakeEventSource extends EventTarget {
  closed = false
  private reconnect?: NodeJS.Timeout

  close(): void {
    this.closed = true
    clearTimeout(this.reconnect)
    if (this.reconnect) armedReconnects.delete(this.reconnect)
    this.reconnect = undefined
  }

  play(session: ScriptedSession): void {
    queueMicrotask(() => {
      if (session.end === 'unreachable') {
        this.dispatchEvent(new Event('error'))
        return
      }

      this.dispatchEvent(new Event('open'))
      for (const data of session.events) {
        if (this.closed) return
        this.dispatchEvent(new MessageEvent('message', {data}))
      }

      if (session.end === 'open') return
      const error = new Event('error') as Event & {code?: number}
      if (session.end === 'refused') error.code = 404
      this.dispatchEvent(error)
      // As eventsource 4 does: the reconnect timer is armed after the 'error' listeners ran.
      if (session.end === 'closed') {
        this.reconnect = setTimeout(() => {}, 3000)
        armedReconnects.add(this.reconnect)
      }
    })
  }
}

const line = (second: number, text = 'sample#memory_rss=100MB') => `2026-11-20T10:00:${String(second).padStart(2, '0')}.000000+00:00 heroku[web.1]: ${text}`

/** A line of web.2, whose clock lags 30 min behind web.1's. */
const lagging = (minute: number) => `2026-11-20T09:${String(minute).padStart(2, '0')}:00.000000+00:00 heroku[web.2]: sample#memory_rss=400MB`

function harness(sessions: ScriptedSession[], options: {failSessions?: number[]; historyIdleMs?: number; lines?: number; stopOnSession?: number; tail: boolean}) {
  const requests: LogSessionRequest[] = []
  const delivered: string[] = []
  const notices: StreamNotice[] = []
  const stop = new AbortController()
  const api = {
    async createLogSession(_app: string, request: LogSessionRequest) {
      requests.push(request)
      if (failSessions.includes(requests.length)) throw new UserError('Heroku API error (503): unavailable', 1, 503)
      if (requests.length > sessions.length + failSessions.length || requests.length === options.stopOnSession) stop.abort()
      return `https://logs.example/sessions/${requests.length}?secret=x`
    },
  } as unknown as HerokuApi
  let next = 0
  const failSessions = options.failSessions ?? []
  const streamOptions = {historyIdleMs: options.historyIdleMs, lines: options.lines, tail: options.tail}
  const stream = new LogStream(api, {
    app: 'my-app',
    createEventSource() {
      const source = new FakeEventSource()
      source.play(sessions[next++] ?? {end: 'closed', events: []})
      return source as unknown as EventSource
    },
    onLine: text => delivered.push(text),
    onNotice: notice => notices.push(notice),
    signal: stop.signal,
    async sleep() {},
    ...streamOptions,
  })
  return {
    delivered, notices, requests, run: () => stream.run(),
  }
}

describe('LogStream', () => {
  it('a tail stopped (Ctrl-C) while its session is being opened ends, not waiting on the open stream', async function () {
    this.timeout(2000)
    const h = harness([{end: 'open', events: [line(1)]}], {stopOnSession: 1, tail: true})
    await h.run()
    expect(h.requests).to.have.length(1)
  })

  it('a history session splits multi-line events into lines and ends with the stream', async () => {
    const h = harness([{end: 'closed', events: [`${line(1)}\n${line(2)}`, line(3), `${line(4)}\r`]}], {tail: false})
    await h.run()
    expect(h.delivered).to.deep.equal([line(1), line(2), line(3), line(4)])
    expect(h.requests).to.deep.equal([{
      dyno: undefined, lines: 1500, source: 'heroku', tail: false, type: undefined,
    }])
  })

  it('delivers a line sent twice in one session once, CRLF lines without the CR, and a 2 MB line whole', async () => {
    const huge = line(3, `x=${'y'.repeat(2 * 1024 * 1024)}`)
    const h = harness([{end: 'closed', events: [`${line(1)}\r\n${line(2)}\r`, line(1), huge, line(4)]}], {tail: false})
    await h.run()
    expect(h.delivered.map(text => text.length)).to.deep.equal([line(1), line(2), huge, line(4)].map(text => text.length))
    expect(h.delivered[0]).to.equal(line(1))
  })

  it('a finished history session leaves no reconnect timer behind (it held every report open for 3 s)', async () => {
    const h = harness([{end: 'closed', events: [line(1)]}], {tail: false})
    await h.run()
    await Promise.resolve()
    expect(armedReconnects.size).to.equal(0)
  })

  it('a tail resumes after the stream ends, dropping replayed lines and old history', async () => {
    const h = harness([
      {end: 'closed', events: [line(30), line(31), line(32)]},
      // The new session replays recent history: far older lines, then ones already seen, then new ones.
      {end: 'closed', events: [line(1), line(31), line(32), line(33), line(34)]},
    ], {lines: 0, tail: true})
    await h.run()
    expect(h.delivered).to.deep.equal([line(30), line(31), line(32), line(33), line(34)])
    expect(h.requests[0].lines).to.equal(0)
    expect(h.requests[1].lines).to.be.within(20, 1500)
    expect(h.notices.filter(n => n.kind === 'gap')).to.deep.equal([])
    expect(h.notices.some(n => n.kind === 'reconnecting')).to.equal(true)
  })

  it('reports a gap when the replay no longer reaches back to the last line seen', async () => {
    const h = harness([
      {end: 'closed', events: [line(10), line(11)]},
      {end: 'closed', events: [line(40), line(41)]},
    ], {tail: true})
    await h.run()
    expect(h.delivered).to.deep.equal([line(10), line(11), line(40), line(41)])
    const gaps = h.notices.filter(n => n.kind === 'gap')
    expect(gaps).to.deep.equal([{from: Date.parse('2026-11-20T10:00:11Z'), kind: 'gap', to: Date.parse('2026-11-20T10:00:40Z')}])
  })

  it('after a reconnect, new lines of a dyno whose clock lags 30 min are delivered (only the replay\'s old head is dropped)', async () => {
    const h = harness([
      {end: 'closed', events: [line(30), lagging(30), line(31)]},
      // The replay: an old line, one already seen, then new lines, web.2's dated 30 min back.
      {end: 'closed', events: [line(2), line(31), lagging(31), line(51)]},
    ], {lines: 0, tail: true})
    await h.run()
    expect(h.delivered).to.deep.equal([line(30), lagging(30), line(31), lagging(31), line(51)])
  })

  it('one line dated a day ahead does not make every line of the next sessions look like old history', async () => {
    const ahead = '2026-11-21T10:00:00.000000+00:00 heroku[web.1]: State changed from up to up'
    const h = harness([
      {end: 'closed', events: [line(10), ahead, line(11)]},
      // The outage outlasted the replay: nothing in it was seen before.
      {end: 'closed', events: [line(40), line(41)]},
    ], {tail: true})
    await h.run()
    expect(h.delivered).to.deep.equal([line(10), ahead, line(11), line(40), line(41)])
  })

  it('a refused history stream is an error that does not show the URL', async () => {
    const h = harness([{end: 'refused', events: []}], {tail: false})
    const failure = await h.run().catch(error => error)
    expect(failure.message).to.equal('The log stream for my-app was refused (HTTP 404).')
  })

  it('a history stream that cannot be reached is an error, not an empty history', async () => {
    const h = harness([{end: 'unreachable', events: []}], {tail: false})
    const failure = await h.run().catch(error => error)
    expect(failure.message).to.equal('The log stream for my-app could not be reached.')
  })

  it('a refused tail session is retried with a new session and growing delays', async () => {
    const delays: number[] = []
    const h = harness([{end: 'refused', events: []}, {end: 'refused', events: []}, {end: 'closed', events: [line(5)]}], {tail: true})
    h.notices.push = function (...items: StreamNotice[]) {
      for (const item of items) if (item.kind === 'reconnecting') delays.push(item.delayMs)
      return Array.prototype.push.apply(this, items)
    }

    await h.run()
    expect(h.delivered).to.deep.equal([line(5)])
    expect(delays.length).to.be.greaterThan(2)
    expect(delays[1]).to.be.greaterThan(delays[0] / 2)
  })

  it('takes a history session that stays open but silent as complete', async () => {
    const h = harness([{end: 'open', events: [line(1), line(2)]}], {historyIdleMs: 50, tail: false})
    await h.run()
    expect(h.delivered).to.deep.equal([line(1), line(2)])
  })

  it('a tail keeps going when the API cannot open a session for a while, and stops on a bad token', async () => {
    const h = harness([{end: 'closed', events: [line(1)]}, {end: 'closed', events: [line(2)]}], {failSessions: [2, 3], tail: true})
    await h.run()
    expect(h.delivered).to.deep.equal([line(1), line(2)])
    const reasons = h.notices.filter(n => n.kind === 'reconnecting').map(n => (n.kind === 'reconnecting' ? n.reason : ''))
    expect(reasons.filter(reason => reason.includes('could not open a log session'))).to.have.length(2)
    const denied = harness([{end: 'closed', events: []}], {failSessions: [1], tail: false})
    expect((await denied.run().catch(error => error)).message).to.contain('(503)')
  })
})

describe('LogStream against the simulator: a stream that stays open but says nothing', () => {
  const saved = {host: process.env.HEROKU_HOST, key: process.env.HEROKU_API_KEY}
  let sim: Simulator

  afterEach(async () => {
    await sim.close()
    process.env.HEROKU_HOST = saved.host
    process.env.HEROKU_API_KEY = saved.key
  })

  it('is closed after the stall time with a notice (mem:tail shows it), reopened, and the lines come again', async () => {
    sim = await startSimulator({apps: [scenario('steady')], tickMs: 0})
    process.env.HEROKU_HOST = sim.url
    process.env.HEROKU_API_KEY = sim.token
    const api = new HerokuApi(new APIClient(await Config.load(ROOT)))
    const notices: StreamNotice[] = []
    const lines: string[] = []
    const stop = new AbortController()
    const running = new LogStream(api, {
      app: 'steady-app', onLine: text => lines.push(text), onNotice: notice => notices.push(notice), signal: stop.signal, stallMs: 300, tail: true,
    }).run()
    const streams = () => sim.requests.filter(request => request.path.startsWith('/streams/')).length
    await waitFor(() => streams() === 1, 5000)
    sim.faults.streamStall = true
    sim.step(2)
    await waitFor(() => notices.some(notice => notice.kind === 'stalled'), 3000)
    sim.faults.streamStall = false
    await waitFor(() => streams() >= 2 && notices.filter(notice => notice.kind === 'connected').length >= 2, 5000)
    sim.step(2)
    await waitFor(() => lines.length > 0, 3000)
    stop.abort()
    await running
    expect(notices.find(notice => notice.kind === 'stalled')).to.deep.equal({kind: 'stalled', silentMs: 300})
    expect(noticeText({kind: 'stream', notice: {kind: 'stalled', silentMs: 75_000}})).to.match(/stalled: no line for 75s/)
    expect(lines.length).to.be.greaterThan(0)
  })
})
