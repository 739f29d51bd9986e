/**
 * A loopback stand-in for Heroku's Platform API and Logplex: scripted dynos log runtime metrics,
 * R14/R15 and lifecycle lines on a simulated clock; log sessions stream them as Server-Sent Events.
 * The real `heroku` CLI talks to it with HEROKU_HOST=<url> HEROKU_API_KEY=<token>.
 */
import type * as Heroku from '@heroku-cli/schema'

import {randomUUID} from 'node:crypto'
import {
  createServer, type IncomingMessage, type Server, type ServerResponse,
} from 'node:http'

import type {AppScript} from './script.js'

import {Logplex, type LogSessionRequest} from './logplex.js'
import {TICK_MS} from './memory-model.js'
import {Random} from './random.js'
import {type RestartAction, type RestartRecord, SimulatedApp} from './simulated-app.js'

export type {
  AppScript, DynoBehavior, DynoScript, ReleaseScript,
} from './script.js'
export type {RestartRecord} from './simulated-app.js'

/**
 * How restart requests (`DELETE /apps/{app}/dynos/{dyno}`) are answered. These kinds act first (the
 * dyno restarts), then: `reset-after-acting` destroys the connection without an answer,
 * `503-after-acting` answers 503, `hang` never answers, `trickle` sends the headers and then one
 * byte every 200 ms, never ending, `200-with-body` answers 200 with the dyno, `204` answers 204 with
 * no body. These do not act: `404` (the dyno not found), `422` (`invalid_params`), `reset-before-acting`
 * (the connection destroyed before anything happened).
 */
export type RestartAnswerFault = '200-with-body' | '204' | '404' | '422' | '503-after-acting' | 'hang' | 'reset-after-acting' | 'reset-before-acting' | 'trickle'

/** Restart answers given before the platform acts (it then does not act at all). */
const REFUSING_ANSWERS = new Set<RestartAnswerFault>(['404', '422', 'reset-before-acting'])

export interface Faults {
  /** Every API request about an app answers 404 `not_found`, as after the app was deleted or renamed (open log streams go on). */
  appDeleted?: boolean
  /** Every API request answers 401, as after the token was revoked (the log streams, already open, go on). */
  tokenRevoked?: boolean
  /** Per dyno, ms added to the times of the platform lines it logs from now on (negative: its clock stepped back). */
  clockOffsetMs?: Record<string, number>
  /** `GET /apps/{app}/dynos` answers `[]` (`empty`), dynos without `state` (`no-state`) or `size` (`no-size`), or a 200 HTML page (`not-a-list`). */
  dynoList?: 'empty' | 'no-size' | 'no-state' | 'not-a-list'
  /** `GET /apps/{app}/dynos/{dyno}` answers with the dyno `crashed`, another dyno of the app (`other-dyno`), or a 200 HTML page (`html`). */
  dynoRead?: 'crashed' | 'html' | 'other-dyno'
  /** The next `count` (default: every) API requests whose `METHOD /path` matches send 200 headers, then a byte every 200 ms, never ending. */
  hang?: {count?: number; pathPattern: string}
  /** History (non-tail) sessions never end: after the history they go on with the live log (a Logplex or proxy ignoring `tail: false`). */
  historyNeverEnds?: boolean
  /** Log streams (history and tail) answer 200 as an event stream and end at once, with no line. */
  streamEmpty?: boolean
  /** Tail streams send keepalive events (`data: keepalive`) at every tick instead of log lines. */
  streamKeepaliveOnly?: boolean
  /** Tail streams send the last lines they sent again at every tick instead of new ones (a stuck proxy): log lines, nothing new. */
  streamRepeats?: boolean
  /** Each tail stream is cut (socket destroyed) after this many lines. */
  dropStreamAfterLines?: number
  /**
   * From now on, these dynos' platform lines are lost before they reach the log (an overloaded Logplex
   * dropping lines); the dynos run on, their memory too, and the dyno list shows them up.
   */
  dynoLinesLost?: string[]
  /** At the next tick, one platform line `heroku[dyno]: message` dated `aheadMs` ahead of the clock; cleared once logged. */
  futureLine?: {aheadMs: number; dyno: string; message: string}
  /** Log stream URLs answer 200 with an HTML page instead of an event stream. */
  notEventStream?: boolean
  /** New log sessions name a stream URL whose connection is refused (nothing listens there). */
  streamRefused?: boolean
  /** The next `count` restart requests (default: every one) are answered this way. */
  restartAnswer?: {count?: number; kind: RestartAnswerFault}
  /**
   * New log sessions ignore their dyno filter (`dyno`: a name or a process type) and carry every
   * dyno's lines, as a Logplex that reads only `dyno_name`, or a proxy that drops the field, would.
   */
  streamIgnoresFilter?: boolean
  /**
   * New tail sessions start with the newest N lines whatever `lines` asked for (0 included), as a
   * Logplex that takes `lines: 0` for its default of 100 would: the lines a history just read, again.
   */
  tailReplays?: number
  /** Tail streams open now, or opened while this is set, go silent for good: open, never another line. */
  streamStall?: boolean
  /** The next `count` requests whose `METHOD /path` matches `pathPattern` (a regex) answer 429 `rate_limit`. */
  status429?: {count: number; pathPattern: string; retryAfterSeconds?: number}
  /** The next `count` matching requests answer 503 `unavailable`. */
  status503?: {count: number; pathPattern: string}
  /** Each tick logs one malformed `heroku[...]` metrics line. */
  malformedLines?: boolean
  /** Samples leave out `sample#memory_quota` (as in the Dev Center's example of the line). */
  samplesWithoutQuota?: boolean
}

export interface RecordedRequest {
  body: unknown
  /** Without `authorization`. */
  headers: Record<string, string | string[] | undefined>
  method: string
  /** As sent: path and query, not decoded. */
  path: string
  /** Real Date.now() on arrival. */
  time: number
}

export interface SimulatorOptions {
  apps: AppScript[]
  /** Default 'sim-token'; any other token is answered 401. */
  token?: string
  /** Real ms per simulated 20 s tick; default 5; 0 = manual (only `step()`). */
  tickMs?: number
  /** Simulated clock at the first history tick (ISO); default: so that "now" after the history is about real now. */
  startTime?: string
  /** Default 0: a free port. Always 127.0.0.1. */
  port?: number
  /** PRNG seed: the same seed and calls give the same logs (default 1). */
  seed?: number
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  url: string
  token: string
  requests: RecordedRequest[]
  /** Read at every request and tick: change it at run time. */
  faults: Faults
  /** Advances the simulated clock by `ticks` (default 1) ticks, synchronously. */
  step(ticks?: number): void
  /** Simulated clock, epoch ms. */
  now(): number
  /** Everything the app has logged so far (the newest 200,000 lines). */
  lines(app: string): string[]
  /** API restarts and stops, per dyno, with the real Date.now() when the request arrived. */
  restarts(app: string): RestartRecord[]
  /** The platform restarts a dyno by itself at the next tick (as after a deploy): no API request, not in `restarts`. */
  platformRestart(app: string, dyno: string): void
  /**
   * Real Date.now() when the dyno first logged memory_total (as logged: rss + swap + cache) above `mb` since its last
   * API or release restart; the replaced instance's later samples (preboot) do not count, R15 crash restarts do not reset it.
   */
  overThresholdAt(app: string, dyno: string, mb: number): number | undefined
  close(): Promise<void>
}

const RATE_LIMIT_POOL = 4500
const RATE_LIMIT_REFILL_PER_MS = 75 / 60_000

/** Heroku's dyno sizes; `memory` in GB as the API gives it. */
const DYNO_SIZES: Heroku.DynoSize[] = [
  ['Eco', 0.5, 1, 0, false],
  ['Basic', 0.5, 1, 0, false],
  ['Standard-1X', 0.5, 1, 1, false],
  ['Standard-2X', 1, 2, 2, false],
  ['Performance-M', 2.5, 2, 8, true],
  ['Performance-L', 14, 8, 16, true],
  ['Performance-L-RAM', 30, 4, 24, true],
  ['Performance-XL', 62, 8, 50, true],
  ['Performance-2XL', 126, 16, 100, true],
  ['Private-S', 1, 2, 0, true],
  ['Private-M', 2.5, 2, 0, true],
  ['Private-L', 14, 8, 0, true],
  ['Shield-S', 1, 2, 0, true],
  ['Shield-M', 2.5, 2, 0, true],
  ['Shield-L', 14, 8, 0, true],
].map(([name, memory, compute, units, dedicated], index) => ({
  compute: compute as number,
  cost: null,
  dedicated: dedicated as boolean,
  dyno_units: units as number,
  id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  memory: memory as number,
  name: name as string,
  private_space_only: /^(private|shield)-/i.test(name as string),
}))

const ACCOUNT: Heroku.Account = {
  allow_tracking: false,
  beta: false,
  created_at: '2015-03-02T09:00:00Z',
  default_organization: null,
  default_team: null,
  delinquent_at: null,
  email: 'someone@example.com',
  federated: false,
  id: '5a1f3b2c-7d8e-4f9a-8b0c-1d2e3f4a5b6c',
  identity_provider: null,
  last_login: '2026-11-01T09:00:00Z',
  name: 'Someone',
  sms_number: null,
  suspended_at: null,
  two_factor_authentication: true,
  updated_at: '2026-11-01T09:00:00Z',
  verified: true,
}

const NO_ROUTE = 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?'

class HttpError extends Error {
  constructor(readonly status: number, readonly id: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

const notFound = (what: string) => new HttpError(404, 'not_found', `Couldn't find that ${what}.`)

class RunningSimulator implements Simulator {
  faults: Faults = {}
  readonly requests: RecordedRequest[] = []
  readonly token: string
  url = ''
  private readonly apps: SimulatedApp[]
  private clock: number
  private readonly historyTicks: number[]
  private readonly logplex: Logplex
  private rateLimitRemaining = RATE_LIMIT_POOL
  private rateLimitUpdatedAt = Date.now()
  private readonly server: Server
  private timer?: NodeJS.Timeout

  constructor(private readonly options: SimulatorOptions) {
    this.token = options.token ?? 'sim-token'
    this.server = createServer((request, response) => this.onRequest(request, response))
    const random = new Random(options.seed ?? 1)
    this.historyTicks = options.apps.map(app => Math.max(0, app.historyTicks ?? 0))
    const longest = Math.max(0, ...this.historyTicks)
    this.clock = options.startTime ? Date.parse(options.startTime) : Date.now() - (longest * TICK_MS)
    if (Number.isNaN(this.clock)) throw new TypeError(`startTime is not a date: ${options.startTime}`)
    // An app with less history than the longest boots later, so that every app's history ends now.
    this.apps = options.apps.map((script, index) => new SimulatedApp(script, random.fork(), this.clock + ((longest - this.historyTicks[index]) * TICK_MS)))
    for (let tick = 0; tick < longest; tick++) {
      for (const [index, app] of this.apps.entries()) {
        if (tick >= longest - this.historyTicks[index]) app.tick(this.clock, this.tickConditions())
      }

      this.clock += TICK_MS
    }

    this.logplex = new Logplex(random.fork(), () => ({
      dropAfterLines: this.faults.dropStreamAfterLines,
      empty: this.faults.streamEmpty === true,
      historyNeverEnds: this.faults.historyNeverEnds === true,
      keepaliveOnly: this.faults.streamKeepaliveOnly === true,
      repeatOnly: this.faults.streamRepeats === true,
      stalled: this.faults.streamStall === true,
    }))
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    this.logplex.closeAll()
    this.server.closeAllConnections()
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
    })
  }

  lines(app: string): string[] {
    return this.app(app).lines()
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve())
    })
    const address = this.server.address()
    if (!address || typeof address === 'string') throw new Error('the simulator has no TCP address')
    this.url = `http://127.0.0.1:${address.port}`
    const tickMs = this.options.tickMs ?? 5
    if (tickMs > 0) {
      this.timer = setInterval(() => this.step(), tickMs)
      this.timer.unref()
    }
  }

  now(): number {
    return this.clock
  }

  overThresholdAt(app: string, dyno: string, mb: number): number | undefined {
    return this.app(app).overThresholdAt(dyno, mb)
  }

  platformRestart(app: string, dyno: string): void {
    this.app(app).platformRestart(dyno)
  }

  restarts(app: string): RestartRecord[] {
    return [...this.app(app).restarts]
  }

  step(ticks = 1): void {
    for (let i = 0; i < ticks; i++) {
      for (const app of this.apps) app.tick(this.clock, this.tickConditions())
      this.faults.futureLine = undefined
      this.clock += TICK_MS
    }
  }

  private app(nameOrId: string): SimulatedApp {
    const found = this.apps.find(app => app.name === nameOrId || app.id === nameOrId)
    if (!found) throw notFound('app')
    return found
  }

  private authorized(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? ''
    const [scheme, credentials = ''] = header.split(' ')
    if (/^bearer$/i.test(scheme)) return credentials === this.token
    // `heroku` also sends Basic auth with an empty user and the token as password.
    if (/^basic$/i.test(scheme)) return Buffer.from(credentials, 'base64').toString().split(':').at(-1) === this.token
    return false
  }

  /**
   * A restart answered as the `restartAnswer` fault says; false when there is none for this phase:
   * `before` the platform acts (refusing kinds: it then does not act), or `after` it acted.
   */
  private answerRestartBadly(response: ServerResponse, phase: 'after' | 'before', app: SimulatedApp, dyno: string): boolean {
    const fault = this.faults.restartAnswer
    if (!fault || (fault.count !== undefined && fault.count <= 0)) return false
    if (REFUSING_ANSWERS.has(fault.kind) !== (phase === 'before')) return false
    if (fault.count !== undefined) fault.count--
    switch (fault.kind) {
    case '200-with-body': {
      this.sendJson(response, 200, app.apiDyno(dyno) ?? {})
      break
    }

    case '204': {
      response.writeHead(204, {'RateLimit-Remaining': String(Math.floor(this.rateLimitRemaining))})
      response.end()
      break
    }

    case '404': {
      this.sendJson(response, 404, {id: 'not_found', message: 'Couldn\'t find that dyno.'})
      break
    }

    case '422': {
      this.sendJson(response, 422, {id: 'invalid_params', message: 'Dyno cannot be restarted right now.'})
      break
    }

    case '503-after-acting': {
      this.sendJson(response, 503, {id: 'unavailable', message: 'The API is temporarily unavailable. Please try again shortly.'})
      break
    }

    case 'hang': {
      break
    }

    case 'reset-after-acting':
    case 'reset-before-acting': {
      response.socket?.destroy()
      break
    }

    case 'trickle': {
      response.writeHead(202, {'Content-Type': 'application/json; charset=utf-8'})
      response.flushHeaders()
      const drip = setInterval(() => response.write(' '), 200)
      response.on('close', () => clearInterval(drip))
      break
    }
    }

    return true
  }

  /** The dyno list or a dyno read answered as the `dynoList` / `dynoRead` fault says; false when there is none. */
  private answerDynosBadly(method: string, segments: string[], response: ServerResponse): boolean {
    if (method !== 'GET' || segments[0] !== 'apps' || segments[2] !== 'dynos') return false
    const app = this.app(segments[1])
    const fault = segments.length === 3 ? this.faults.dynoList : this.faults.dynoRead
    if (!fault || segments.length > 4) return false
    if (fault === 'not-a-list' || fault === 'html') {
      response.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'})
      response.end('<html><body>Application error</body></html>')
      return true
    }

    if (segments.length === 3) {
      const missing = fault === 'no-size' ? 'size' : 'state'
      const dynos = fault === 'empty' ? [] : app.apiDynos().map(dyno => ({...dyno, [missing]: undefined}))
      this.sendJson(response, 200, dynos)
      return true
    }

    const dyno = app.apiDyno(segments[3])
    if (!dyno) return false
    const other = app.apiDynos().find(candidate => candidate.name !== dyno.name)
    this.sendJson(response, 200, fault === 'crashed' ? {...dyno, state: 'crashed'} : other)
    return true
  }

  /** A matching `hang` fault: headers, then a byte every 200 ms, never ending; consumed by this request. */
  private hangs(signature: string, response: ServerResponse): boolean {
    const {hang} = this.faults
    if (!hang || (hang.count !== undefined && hang.count <= 0) || !new RegExp(hang.pathPattern).test(signature)) return false
    if (hang.count !== undefined) hang.count--
    response.writeHead(200, {'Content-Type': 'application/json; charset=utf-8'})
    response.flushHeaders()
    const drip = setInterval(() => response.write(' '), 200)
    response.on('close', () => clearInterval(drip))
    return true
  }

  /** A matching 429/503 fault, consumed by this request. */
  private consumeFault(signature: string): HttpError | undefined {
    const {status429, status503} = this.faults
    if (status429 && status429.count > 0 && new RegExp(status429.pathPattern).test(signature)) {
      status429.count--
      const headers: Record<string, string> = status429.retryAfterSeconds === undefined ? {} : {'Retry-After': String(status429.retryAfterSeconds)}
      return new HttpError(429, 'rate_limit', 'Your account reached the API rate limit. Please wait a few minutes before making new requests.', headers)
    }

    if (status503 && status503.count > 0 && new RegExp(status503.pathPattern).test(signature)) {
      status503.count--
      return new HttpError(503, 'unavailable', 'The API is temporarily unavailable. Please try again shortly.')
    }

    return undefined
  }

  private control(method: string, url: URL, body: unknown): unknown {
    const parameter = (name: string) => {
      const value = url.searchParams.get(name)
      if (value === null) throw new HttpError(400, 'bad_request', `missing ?${name}=`)
      return value
    }

    const route = `${method} ${url.pathname}`
    switch (route) {
    case 'GET /__sim/faults': {
      return this.faults
    }

    case 'GET /__sim/lines': {
      return this.lines(parameter('app'))
    }

    case 'GET /__sim/over-threshold': {
      return {time: this.overThresholdAt(parameter('app'), parameter('dyno'), Number(parameter('mb'))) ?? null}
    }

    case 'GET /__sim/requests': {
      return this.requests
    }

    case 'GET /__sim/restarts': {
      return this.restarts(parameter('app'))
    }

    case 'POST /__sim/step': {
      this.step(Number(url.searchParams.get('ticks') ?? 1))
      return {now: this.now()}
    }

    case 'PUT /__sim/faults': {
      this.faults = (body ?? {}) as Faults
      return this.faults
    }

    default: {
      throw new HttpError(404, 'not_found', NO_ROUTE)
    }
    }
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    this.handle(request, response).catch(error => {
      if (response.headersSent) {
        response.destroy()
      } else {
        this.sendJson(response, 500, {id: 'internal_server_error', message: String(error)})
      }
    })
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET'
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const body = await readBody(request)
    try {
      if (url.pathname.startsWith('/__sim/')) {
        this.sendJson(response, 200, this.control(method, url, body))
        return
      }

      const headers = {...request.headers}
      delete headers.authorization
      this.requests.push({
        body, headers, method, path: request.url ?? '/', time: Date.now(),
      })
      const segments = url.pathname.split('/').slice(1).map(segment => decodeURIComponent(segment))
      const signature = `${method} /${segments.join('/')}`
      if (segments[0] === 'streams' && segments.length === 2) {
        const fault = this.consumeFault(signature)
        if (fault) throw fault
        if (this.faults.notEventStream) {
          response.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'})
          response.end('<html><body>Application error</body></html>')
          return
        }

        if (!this.logplex.serve(segments[1], response, {'RateLimit-Remaining': String(Math.floor(this.rateLimitRemaining))})) throw new HttpError(404, 'not_found', 'Session not found.')
        return
      }

      if (!this.authorized(request) || this.faults.tokenRevoked) throw new HttpError(401, 'unauthorized', 'Invalid credentials provided.')
      const fault = this.consumeFault(signature)
      if (fault) throw fault
      if (this.hangs(signature, response)) return
      if (this.faults.appDeleted && segments[0] === 'apps' && segments[1] !== undefined) throw notFound('app')
      const free = signature === 'GET /account/rate-limits'
      if (!free && !this.spendRateLimit()) {
        throw new HttpError(429, 'rate_limit', 'Your account reached the API rate limit. Please wait a few minutes before making new requests.')
      }

      const restart = method === 'DELETE' && segments[2] === 'dynos' && segments.length === 4
      if (restart && this.answerRestartBadly(response, 'before', this.app(segments[1]), segments[3])) return
      if (this.answerDynosBadly(method, segments, response)) return
      const [status, result] = this.route(method, segments, body, request.headers.range)
      if (restart && this.answerRestartBadly(response, 'after', this.app(segments[1]), segments[3])) return
      this.sendJson(response, status, result)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      this.sendJson(response, error.status, {id: error.id, message: error.message}, error.headers)
    }
  }

  private restartDynos(app: SimulatedApp, names: string[], action: RestartAction): [number, unknown] {
    app.requestRestart(names, action, Date.now(), this.clock)
    return [202, {}]
  }

  private route(method: string, segments: string[], body: unknown, range: string | undefined): [number, unknown] {
    const [root, appName, collection, item, ...rest] = segments
    if (method === 'GET' && root === 'dyno-sizes' && segments.length === 1) return [200, DYNO_SIZES]
    if (method === 'GET' && root === 'account' && appName === undefined) return [200, ACCOUNT]
    if (method === 'GET' && root === 'account' && collection === undefined && appName === 'rate-limits') {
      return [200, {remaining: Math.floor(this.rateLimitRemaining)} satisfies Heroku.RateLimit]
    }

    if (root !== 'apps') throw new HttpError(404, 'not_found', NO_ROUTE)
    if (appName === undefined) {
      if (method === 'GET') return [200, this.apps.map(app => app.apiApp())]
      throw new HttpError(404, 'not_found', NO_ROUTE)
    }

    const app = this.app(appName)
    const where = `${method} ${collection ?? ''}${item === undefined ? '' : ' :item'}${rest.length > 0 ? ` ${rest.join('/')}` : ''}`
    switch (where) {
    case 'DELETE dynos': {
      return this.restartDynos(app, app.dynoNames(), 'restart')
    }

    case 'DELETE dynos :item': {
      const names = app.resolveDynos(item)
      if (names.length === 0) throw notFound('dyno')
      return this.restartDynos(app, names, 'restart')
    }

    case 'DELETE formations :item': {
      if (!app.processTypes().includes(item)) throw notFound('formation')
      return this.restartDynos(app, app.resolveDynos(item), 'restart')
    }

    case 'GET ': {
      return [200, app.apiApp()]
    }

    case 'GET buildpack-installations': {
      return [200, (app.script.buildpacks ?? []).map((name, ordinal) => ({
        buildpack: {name, url: name.startsWith('heroku/') ? `urn:buildpack:${name}` : name}, ordinal,
      }) satisfies Heroku.BuildpackInstallations)]
    }

    case 'GET config-vars': {
      if (app.script.configVarsForbidden) throw new HttpError(403, 'forbidden', 'You do not have access to the app\'s config vars.')
      return [200, app.script.configVars ?? {}]
    }

    case 'GET dynos': {
      return [200, app.apiDynos()]
    }

    case 'GET dynos :item': {
      const dyno = app.apiDyno(item)
      if (!dyno) throw notFound('dyno')
      return [200, dyno]
    }

    case 'GET features :item': {
      if (item !== 'log-runtime-metrics') throw notFound('feature')
      return [200, app.apiFeature()]
    }

    case 'GET formation': {
      return [200, app.apiFormation()]
    }

    case 'GET formation :item': {
      const formation = app.apiFormation().find(f => f.type === item)
      if (!formation) throw notFound('formation')
      return [200, formation]
    }

    case 'GET releases': {
      return [200, pageOfReleases(app.apiReleases(), range)]
    }

    case 'PATCH features :item': {
      if (item !== 'log-runtime-metrics') throw notFound('feature')
      const enabled = (body as {enabled?: unknown} | undefined)?.enabled
      if (typeof enabled !== 'boolean') throw new HttpError(422, 'invalid_params', 'Enabled must be true or false.')
      app.featureEnabled = enabled
      app.featureUpdatedAt = this.clock
      return [200, app.apiFeature()]
    }

    case 'POST dynos :item actions/stop': {
      const names = app.resolveDynos(item)
      if (names.length === 0) throw notFound('dyno')
      return this.restartDynos(app, names, 'stop')
    }

    case 'POST log-sessions': {
      const secret = this.logplex.createSession(app, (body ?? {}) as LogSessionRequest, {
        ignoreDynoFilter: this.faults.streamIgnoresFilter === true, tailReplays: this.faults.tailReplays,
      })
      const created = new Date(this.clock).toISOString()
      return [201, {
        created_at: created,
        id: randomUUID(),
        // Port 1 on loopback: nothing listens, the connection is refused.
        logplex_url: `${this.faults.streamRefused ? 'http://127.0.0.1:1' : this.url}/streams/${secret}`,
        updated_at: created,
      } satisfies Heroku.LogSession]
    }

    default: {
      throw new HttpError(404, 'not_found', NO_ROUTE)
    }
    }
  }

  private sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'RateLimit-Remaining': String(Math.floor(this.rateLimitRemaining)),
      'Request-Id': randomUUID(),
      ...headers,
    })
    response.end(JSON.stringify(body))
  }

  /** Takes one token from the account's pool (refilled ~75/min); false when it is empty. */
  private spendRateLimit(): boolean {
    const now = Date.now()
    this.rateLimitRemaining = Math.min(RATE_LIMIT_POOL, this.rateLimitRemaining + ((now - this.rateLimitUpdatedAt) * RATE_LIMIT_REFILL_PER_MS))
    this.rateLimitUpdatedAt = now
    if (this.rateLimitRemaining < 1) return false
    this.rateLimitRemaining--
    return true
  }

  private tickConditions() {
    return {
      clockOffsetMs: this.faults.clockOffsetMs ?? {},
      dynoLinesLost: this.faults.dynoLinesLost,
      futureLine: this.faults.futureLine,
      malformedLines: this.faults.malformedLines === true,
      realNow: Date.now(),
      samplesWithoutQuota: this.faults.samplesWithoutQuota === true,
    }
  }
}

/** Honours `Range: version ..; order=desc, max=N`; newest last by default. */
function pageOfReleases(releases: Heroku.Release[], range: string | undefined): Heroku.Release[] {
  const sorted = [...releases].sort((a, b) => a.version! - b.version!)
  if (/order=desc/i.test(range ?? '')) sorted.reverse()
  const max = Number(/max=(\d+)/i.exec(range ?? '')?.[1] ?? 200)
  return sorted.slice(0, max)
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const simulator = new RunningSimulator(options)
  await simulator.listen()
  return simulator
}
