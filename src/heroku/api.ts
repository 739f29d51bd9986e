import type {APIClient} from '@heroku-cli/command'
import type * as Heroku from '@heroku-cli/schema'
import type {IncomingHttpHeaders} from 'node:http'

import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'

import {keepRuntimeVars} from '../core/runtime/config-vars.js'
import {UserError} from '../errors.js'
import {withHttpDebugOff} from './quiet-http-debug.js'

export interface LogSessionRequest {
  /** A dyno name (`web.1`). */
  dyno?: string
  lines?: number
  source?: string
  tail: boolean
  /** A process type (`web`): Logplex takes it in the same `dyno` field. */
  type?: string
}

export interface HerokuApiOptions {
  /** Overall deadline of one dyno call (getDyno, restartDyno), answer body included, ms (default 20 s). */
  deadlineMs?: number
  /** Attempts for one call that meets 429, 5xx or a dropped connection. */
  maxAttempts?: number
  /** Upper bound of one backoff wait, ms. */
  maxDelayMs?: number
  /** Where a "retrying" note goes while a call waits (default: stderr). */
  notify?: (note: string) => void
  sleep?: (ms: number) => Promise<void>
}

interface HttpFailure {
  body?: {id?: string; message?: string}
  code?: string
  http?: {body?: {id?: string; message?: string}; headers?: Record<string, string | string[] | undefined>; http?: {headers?: Record<string, string | string[] | undefined>}; statusCode?: number}
  message?: string
  statusCode?: number
}

/**
 * What a restart request came back with. Only `restarted`, `not-found` and `rate-limited` are
 * known; `unknown` (connection reset, no answer in time, 5xx, stopped) may or may not have
 * restarted the dyno: a restart is not idempotent, so it is never sent again blindly.
 */
export type RestartAnswer =
  | {kind: 'not-found'}
  | {kind: 'rate-limited'; retryAfterMs?: number}
  | {kind: 'restarted'}
  | {kind: 'unknown'; reason: string}

const DEFAULT_DEADLINE_MS = 20_000

/** A 429 that outlasted the call's own tries: the platform did nothing; `retryAfterMs` from its last answer. */
export class RateLimitedError extends UserError {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message, 1, 429)
  }
}

const RETRYABLE_NETWORK = new Set(['EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET'])

export function statusOf(error: unknown): number | undefined {
  const failure = error as HttpFailure
  return failure?.http?.statusCode ?? failure?.statusCode
}

function headerOf(error: unknown, name: string): string | undefined {
  const failure = error as HttpFailure
  const headers = failure?.http?.http?.headers ?? failure?.http?.headers
  const value = headers?.[name]
  return Array.isArray(value) ? value[0] : value
}

/** One line for any error the HTTP client can throw; never includes tokens or URLs with secrets. */
export function describeApiError(error: unknown): string {
  const status = statusOf(error)
  const failure = error as HttpFailure
  if (status === 401) return 'Invalid credentials: the Heroku API rejected the token (401). Run `heroku login`, or set HEROKU_API_KEY to a valid token.'
  if (status === 403) return `Access denied (403): ${failure.body?.message ?? failure.http?.body?.message ?? 'this account cannot do that on this app'}`
  if (status === 429) return 'The Heroku API rate limit is exhausted (429); try again in a few minutes.'
  if (status !== undefined) {
    const message = failure.body?.message ?? failure.http?.body?.message ?? `HTTP ${status}`
    return `Heroku API error (${status}): ${firstLine(message)}`
  }

  if (failure?.code && RETRYABLE_NETWORK.has(failure.code)) return `Couldn't reach the Heroku API (${failure.code}). Check your network or HEROKU_HOST.`
  return firstLine(failure?.message ?? String(error))
}

/** Aborts after `ms`, or when `outer` aborts; `dispose` clears the timer once the call is over. */
function deadlineSignal(ms: number, outer?: AbortSignal): AbortSignal & {dispose: () => void} {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    const timeout = new Error(`no complete answer within ${Math.round(ms / 1000)}s`)
    timeout.name = 'TimeoutError'
    controller.abort(timeout)
  }, ms)
  const onOuter = () => controller.abort(outer?.reason)
  if (outer?.aborted) onOuter()
  else outer?.addEventListener('abort', onOuter, {once: true})
  return Object.assign(controller.signal, {
    dispose() {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuter)
    },
  })
}

/** The signal was aborted by its own deadline (not by the caller). */
function timedOut(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError'
}

/** One line for a request that got no answer: a reset, a refused connection, the deadline, a stop. */
function describeRequestFailure(error: unknown, deadlineMs: number, signal?: AbortSignal): string {
  if (signal?.aborted) return 'stopped before the answer came'
  const failure = error as {code?: string; name?: string}
  if (failure?.name === 'TimeoutError') return `no complete answer within ${Math.round(deadlineMs / 1000)}s`
  const {code} = failure ?? {}
  return code ? `connection failed (${code})` : firstLine((error as Error)?.message ?? String(error))
}

/** `Retry-After` in ms, as seconds or an HTTP date, at most 5 minutes; undefined when absent, past or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim()
  if (!value) return undefined
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 5 * 60_000) : undefined
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim()
  return line.replaceAll(/https?:\/\/\S+/g, '<url>')
}

const defaultSleep = (ms: number) => new Promise<void>(resolve => {
  setTimeout(resolve, ms)
})

/**
 * The Platform API calls the plugin makes, on the user's `heroku login` credentials.
 * Retries what is worth retrying (429 honouring Retry-After, 5xx, dropped connections) with
 * capped exponential backoff and jitter; turns the rest into one-line UserErrors.
 */
export class HerokuApi {
  /** The last `RateLimit-Remaining` the API reported. */
  rateLimitRemaining?: number
  private readonly deadlineMs: number
  private readonly maxAttempts: number
  private readonly maxDelayMs: number
  private readonly notify: (note: string) => void
  private readonly sleep: (ms: number) => Promise<void>

  constructor(private readonly client: APIClient, options: HerokuApiOptions = {}) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS
    this.maxAttempts = options.maxAttempts ?? 6
    this.maxDelayMs = options.maxDelayMs ?? 30_000
    this.notify = options.notify ?? (note => process.stderr.write(`${note}\n`))
    this.sleep = options.sleep ?? defaultSleep
  }

  /**
   * A log session's secret stream URL. `retry: false` (a live tail): one attempt, so the tail's own
   * reconnect loop says at once that it cannot see the log, instead of waiting in silence here.
   * `signal` (Ctrl-C) ends the request.
   */
  async createLogSession(app: string, request: LogSessionRequest, {retry = true, signal}: {retry?: boolean; signal?: AbortSignal} = {}): Promise<string> {
    const body: Record<string, unknown> = {lines: request.lines ?? (request.tail ? 0 : 1500), tail: request.tail}
    if (request.source) body.source = request.source
    const dyno = request.dyno ?? request.type
    if (dyno) body.dyno = dyno
    // Bounded (answer body included): a session request that never ends must not leave a tail blind without a word.
    const session = await this.callWithin<Heroku.LogSession>('POST', `/apps/${enc(app)}/log-sessions`, {
      app, attempts: retry ? undefined : 1, body, signal,
    })
    if (typeof session?.logplex_url !== 'string' || !/^https?:\/\//.test(session.logplex_url)) throw new UserError(`Heroku returned no log stream for ${app}.`)
    return session.logplex_url
  }

  async enableRuntimeMetrics(app: string): Promise<void> {
    await this.call('patch', `/apps/${enc(app)}/features/log-runtime-metrics`, {app, body: {enabled: true}})
  }

  async getApp(app: string): Promise<Heroku.App> {
    return this.call<Heroku.App>('get', `/apps/${enc(app)}`, {app})
  }

  async getRuntimeMetrics(app: string): Promise<boolean> {
    try {
      const feature = await this.call<Heroku.AppFeature>('get', `/apps/${enc(app)}/features/log-runtime-metrics`, {app, notFound: 'raw'})
      return feature.enabled === true
    } catch (error) {
      if (statusOf(error) === 404) return false
      throw error
    }
  }

  /** Buildpack names (or URLs when unnamed), in order. */
  async listBuildpacks(app: string): Promise<string[]> {
    const installations = await this.call<Heroku.BuildpackInstallations[]>('get', `/apps/${enc(app)}/buildpack-installations`, {app})
    return [...installations].sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0)).map(item => item.buildpack?.name ?? item.buildpack?.url ?? '').filter(Boolean)
  }

  /**
   * The config vars that memory advice reads (core/runtime/config-vars.ts), and no other: the API
   * answers with every var, secrets included, so the answer is filtered here, at once, and the
   * HTTP client's debug log (which would print the body) is off for this call.
   */
  async getRuntimeConfigVars(app: string): Promise<Record<string, string>> {
    return keepRuntimeVars(await withHttpDebugOff(() => this.call<Record<string, unknown>>('get', `/apps/${enc(app)}/config-vars`, {app})))
  }

  async listDynoSizes(): Promise<Heroku.DynoSize[]> {
    return this.call<Heroku.DynoSize[]>('get', '/dyno-sizes', {})
  }

  /** Bounded like the dyno calls: the watchdog waits on it before deciding anything. */
  async listDynos(app: string): Promise<Heroku.Dyno[]> {
    const dynos = await this.callWithin<Heroku.Dyno[]>('GET', `/apps/${enc(app)}/dynos`, {app})
    if (!Array.isArray(dynos)) throw new UserError(`Heroku answered the dyno list of ${app} with something that is not a list.`)
    return dynos
  }

  async listFormation(app: string): Promise<Heroku.Formation[]> {
    return this.call<Heroku.Formation[]>('get', `/apps/${enc(app)}/formation`, {app})
  }

  /** The newest `max` releases, oldest first. */
  async listReleases(app: string, max = 50): Promise<Heroku.Release[]> {
    const releases = await this.call<Heroku.Release[]>('get', `/apps/${enc(app)}/releases`, {
      app, headers: {Range: `version ..; order=desc, max=${max}`},
    })
    return [...releases].sort((a, b) => (a.version ?? 0) - (b.version ?? 0))
  }

  /**
   * One dyno as the API shows it now, within the deadline (a GET: tried again on 429/5xx/a dropped
   * connection while the deadline allows). Throws a UserError (status 404 when it is gone).
   */
  async getDyno(app: string, dyno: string, signal?: AbortSignal): Promise<Heroku.Dyno> {
    const within = deadlineSignal(this.deadlineMs, signal)
    for (let attempt = 0; ; attempt++) {
      let failure: string
      let status: number | undefined
      let retryAfter: number | undefined
      try {
        const answer = await this.send('GET', `/apps/${enc(app)}/dynos/${enc(dyno)}`, within)
        if (answer.status < 300) {
          within.dispose()
          return answer.body as Heroku.Dyno
        }

        status = answer.status
        retryAfter = retryAfterMs(answer.headers['retry-after'])
        failure = describeApiError({body: answer.body, statusCode: answer.status})
        if (status === 404 || (status !== 429 && status < 500)) {
          within.dispose()
          throw new UserError(status === 404 ? `Couldn't find dyno ${dyno} of ${app}.` : failure, 1, status)
        }
      } catch (error) {
        if (error instanceof UserError) throw error
        failure = describeRequestFailure(error, this.deadlineMs, signal)
      }

      if (within.aborted || attempt + 1 >= 3) {
        within.dispose()
        throw status === 429 ? new RateLimitedError(failure, retryAfter) : new UserError(failure, 1, status)
      }

      await this.sleep(Math.min(this.backoff(attempt, null), 2000))
    }
  }

  /**
   * Sends one restart of one dyno, once: never retried here or by the HTTP client (a restart is not
   * idempotent: a lost answer may hide a restart that happened). Within the deadline, answer body
   * included; `signal` abandons it. 401/403 throw.
   */
  async restartDyno(app: string, dyno: string, signal?: AbortSignal): Promise<RestartAnswer> {
    const within = deadlineSignal(this.deadlineMs, signal)
    try {
      const answer = await this.send('DELETE', `/apps/${enc(app)}/dynos/${enc(dyno)}`, within)
      if (answer.status < 300) return {kind: 'restarted'}
      if (answer.status === 404) return {kind: 'not-found'}
      if (answer.status === 429) {
        return {kind: 'rate-limited', retryAfterMs: retryAfterMs(answer.headers['retry-after'])}
      }

      const failure = describeApiError({body: answer.body, statusCode: answer.status})
      if (answer.status === 401 || answer.status === 403) throw new UserError(failure, 1, answer.status)
      // A 5xx may come after the platform acted: unknown, like a lost answer.
      if (answer.status >= 500) return {kind: 'unknown', reason: failure}
      throw new UserError(failure, 1, answer.status)
    } catch (error) {
      if (error instanceof UserError) throw error
      return {kind: 'unknown', reason: describeRequestFailure(error, this.deadlineMs, signal)}
    } finally {
      within.dispose()
    }
  }

  /**
   * A GET or POST that is safe to repeat, outside the CLI's HTTP client: each attempt has the
   * deadline, answer body included (the client bounds only idle time, so an answer that trickles
   * would hang the caller for good, and its 403 two_factor answer prompts on a terminal); 429, 5xx
   * and lost connections are tried again like `call`; the rest become one-line UserErrors.
   */
  private async callWithin<T>(method: 'GET' | 'POST', path: string, options: {app?: string; attempts?: number; body?: unknown; signal?: AbortSignal}): Promise<T> {
    const attempts = options.attempts ?? this.maxAttempts
    // Time spent waiting for answers (not between attempts): answers that hang get two deadlines in all.
    let waited = 0
    for (let attempt = 0; ; attempt++) {
      const within = deadlineSignal(this.deadlineMs, options.signal)
      const sentAt = Date.now()
      let failure: string
      let status: number | undefined
      let headers: IncomingHttpHeaders | undefined
      try {
        const answer = await this.send(method, path, within, options.body)
        status = answer.status
        headers = answer.headers
        if (status >= 200 && status < 300) {
          if (typeof answer.body !== 'object' || answer.body === null) throw new UserError(`Heroku answered ${method} ${path} with something that is not JSON (HTTP ${status}).`, 1, status)
          return answer.body as T
        }

        failure = describeApiError({body: answer.body, statusCode: status})
        if (status === 401 && !(await this.client.getAuth())) throw new UserError('Not logged in: run heroku login (or set HEROKU_API_KEY)', 1, 401)
        if (status === 404 && options.app) throw new UserError(`Couldn't find app ${options.app}.`, 1, 404)
        if (status !== 429 && status < 500) throw new UserError(failure, 1, status)
      } catch (error) {
        if (error instanceof UserError) throw error
        failure = describeRequestFailure(error, this.deadlineMs, options.signal)
      } finally {
        within.dispose()
        // An attempt cut at its deadline counts as the whole deadline: a timer may fire a millisecond
        // before Date.now() says the time is up, and two such attempts must still end the call.
        waited += timedOut(within) ? this.deadlineMs : Date.now() - sentAt
      }

      if (attempt + 1 >= attempts || waited >= 2 * this.deadlineMs || options.signal?.aborted) throw new UserError(failure, 1, status)
      const wait = this.backoff(attempt, {http: {headers}})
      const what = status === undefined ? `Heroku API: ${failure};` : `Heroku API answered ${status}:`
      this.notify(`${what} retrying in ${formatWait(wait)} (attempt ${attempt + 2} of ${attempts})`)
      await this.sleep(wait)
    }
  }

  private backoff(attempt: number, error: unknown): number {
    const retryAfter = retryAfterMs(headerOf(error, 'retry-after'))
    if (retryAfter !== undefined) return retryAfter
    const base = Math.min(this.maxDelayMs, 500 * 2 ** attempt)
    return base / 2 + Math.random() * (base / 2)
  }

  private async call<T>(method: 'delete' | 'get' | 'patch' | 'post', path: string, options: {app?: string; body?: unknown; headers?: Record<string, string>; notFound?: 'raw'}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        // retryAuth: false keeps the client from starting an interactive login on 401.
        const response = await this.client[method]<T>(path, {body: options.body, headers: options.headers, retryAuth: false})
        this.noteRateLimit(response.headers as Record<string, string | string[] | undefined>)
        return response.body
      } catch (error) {
        const status = statusOf(error)
        // A connection that failed has already been tried 6 times over ~6 s by the HTTP client:
        // waiting longer would only delay "Couldn't reach the Heroku API" (heroku ps fails as fast).
        const retryable = status === 429 || (status !== undefined && status >= 500)
        if (retryable && attempt + 1 < this.maxAttempts) {
          const wait = this.backoff(attempt, error)
          this.notify(`Heroku API answered ${status}: retrying in ${formatWait(wait)} (attempt ${attempt + 2} of ${this.maxAttempts})`)
          await this.sleep(wait)
          continue
        }

        if (status === 401 && !(await this.client.getAuth())) throw new UserError('Not logged in: run heroku login (or set HEROKU_API_KEY)', 1, 401)

        if (status === 404 && options.notFound !== 'raw' && options.app) {
          throw new UserError(`Couldn't find app ${options.app}.`, 1, 404)
        }

        if (status === 404 && options.notFound === 'raw') throw error
        throw new UserError(describeApiError(error), 1, status)
      }
    }
  }

  /**
   * One request, no retry, outside the CLI's HTTP client (which retries dropped connections by
   * itself and bounds only idle time): `signal` ends the whole request, answer body included.
   */
  private async send(method: 'DELETE' | 'GET' | 'POST', path: string, signal: AbortSignal, body?: unknown): Promise<{body: unknown; headers: IncomingHttpHeaders; status: number}> {
    const defaults = this.client.defaults as {headers?: Record<string, string>; host?: string; port?: number | string; protocol?: string}
    const token = await this.client.getAuth()
    const request = defaults.protocol === 'http:' ? httpRequest : httpsRequest
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => {
        outgoing.destroy()
        reject(error)
      }

      const onAbort = () => fail(signal.reason)
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const typed = payload === undefined ? {} : {'content-length': Buffer.byteLength(payload), 'content-type': 'application/json'}
      const outgoing = request({
        headers: {...defaults.headers, ...typed, authorization: `Bearer ${token ?? ''}`}, host: defaults.host, method, path, port: defaults.port || undefined,
      }, response => {
        const chunks: Buffer[] = []
        response.on('data', chunk => chunks.push(chunk as Buffer))
        response.on('error', fail)
        response.on('end', () => {
          signal.removeEventListener('abort', onAbort)
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown = text
          try {
            body = text ? JSON.parse(text) : undefined
          } catch {
            // Not JSON (a proxy's page): kept as text for the error message.
          }

          this.noteRateLimit(response.headers)
          resolve({body, headers: response.headers, status: response.statusCode ?? 0})
        })
      })
      outgoing.on('error', fail)
      if (signal.aborted) {
        fail(signal.reason)
        return
      }

      signal.addEventListener('abort', onAbort, {once: true})
      outgoing.end(payload)
    })
  }

  private noteRateLimit(headers: Record<string, string | string[] | undefined> | undefined): void {
    const raw = headers?.['ratelimit-remaining']
    const value = Number(Array.isArray(raw) ? raw[0] : raw)
    if (Number.isFinite(value)) this.rateLimitRemaining = value
  }
}

/** `800ms`, `7s`, `1.5s`. */
function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`
}

function enc(segment: string): string {
  return encodeURIComponent(segment)
}
