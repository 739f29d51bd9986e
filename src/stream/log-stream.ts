import {EventSource} from 'eventsource'

import type {StreamNotice} from '../core/ports/stream-notice.js'

import {abortableSleep} from '../abortable-sleep.js'
import {LogClock} from '../core/watchdog/log-clock.js'
import {UserError} from '../errors.js'
import {HerokuApi, LogSessionRequest} from '../heroku/api.js'

export interface LogStreamOptions {
  app: string
  /** Builds the EventSource; tests may replace it. */
  createEventSource?: (url: string) => EventSource
  dyno?: string
  /** Lines of history the first session starts with (non-tail default 1500, tail default 0). */
  lines?: number
  onLine: (line: string) => void
  onNotice?: (notice: StreamNotice) => void
  signal?: AbortSignal
  /** How long a history session may stay silent before it counts as complete (default 15 s). */
  historyIdleMs?: number
  /**
   * A live session silent for this long is taken as stalled: closed and reopened, with a notice
   * (default 75 s: the platform logs a sample about every 20 s per running dyno).
   */
  stallMs?: number
  /** Timer used between reconnects; tests may replace it. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  tail: boolean
  type?: string
}

/** Logplex keeps 1500 lines: the most a resumed session can replay. */
const MAX_RESUME_LINES = 1500
/** Lines asked for on top of the estimate of what was missed while reconnecting. */
const RESUME_MARGIN_LINES = 20
/** How many recent lines are remembered to drop those a reconnect replays. */
const SEEN_CAPACITY = 20_000
/**
 * A resumed session replays history from before the stream began, too. Unseen lines at its head,
 * before it reaches a line already delivered, more than this much older than the newest line
 * delivered are that old history, not lost lines (lines of different dynos reach Logplex slightly
 * out of order, hence the slack). Past that point every unseen line is new, however it is dated:
 * a dyno whose clock lags must not vanish from every session after the first reconnect.
 */
const REPLAY_SLACK_MS = 10_000
const MAX_BACKOFF_MS = 15_000
/**
 * Logplex ends a history (non-tail) session once it has sent it; a server that keeps it open
 * idle must not hang a report: after this long without a line the history is taken as complete.
 */
const HISTORY_IDLE_MS = 15_000
/**
 * Nor must one that never ends (a server ignoring `tail: false` goes on with the live log, so it is
 * never idle): a history is read for at most this long (Logplex sends its 1500 lines in seconds).
 */
const HISTORY_MAX_MS = 20_000
/**
 * log-runtime-metrics writes two lines about every 20 s per running dyno: a live stream silent for
 * several sample periods is not a quiet app but a dead connection that still looks open.
 */
export const STALL_MS = 75_000

/**
 * A line that is part of a log: a timestamp near its start (every shape Logplex or a drain sends).
 * Anything else on a live stream (a keepalive, a proxy's text) is no sign that the log is flowing.
 */
const LOG_LINE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/

function isLogLine(line: string): boolean {
  return LOG_LINE.test(line.slice(0, 80))
}

/** Epoch ms of a log line's leading RFC 5424 timestamp, as Logplex sends it; undefined when absent. */
function leadingTime(line: string): number | undefined {
  const space = line.indexOf(' ')
  if (space < 20) return undefined
  const time = Date.parse(line.slice(0, space))
  return Number.isNaN(time) ? undefined : time
}

/**
 * An app's log, read from Logplex as Server-Sent Events through a log session.
 * A tail keeps going across the ends every session meets (Logplex closes them after a while,
 * networks drop them): each time it opens a new session that replays recent history, drops the
 * lines it has already delivered, and reports a gap when the replay no longer reaches back.
 */
/** Why a session failed when its stream never opened (nothing listening, DNS, a proxy): not an empty history. */
const UNREACHABLE = 'could not connect to the log stream'

export class LogStream {
  private connectedMs = 0
  private connectedOnce = false
  /** The newest line time delivered, as LogClock has it: one line dated far ahead does not drag it. */
  private readonly clock = new LogClock()
  private lastLineWall = 0
  private linesReceived = 0
  private readonly seen = new Set<string>()
  private readonly seenOrder: string[] = []
  private seenNext = 0

  constructor(private readonly api: HerokuApi, private readonly options: LogStreamOptions) {}

  async run(): Promise<void> {
    const {options} = this
    const sleep = options.sleep ?? abortableSleep
    let failures = 0
    while (!options.signal?.aborted) {
      const resumed = this.connectedOnce
      const request: LogSessionRequest = {
        dyno: options.dyno,
        lines: resumed ? this.resumeLines() : options.lines ?? (options.tail ? 0 : 1500),
        source: 'heroku',
        tail: options.tail,
        type: options.type,
      }
      const outcome = await this.openSession(request, resumed)
      if (!options.tail && outcome.status === 'ended') return
      if (options.signal?.aborted) return
      if (outcome.status === 'refused' && !options.tail) {
        const why = outcome.reason === UNREACHABLE ? 'could not be reached' : `was refused (${outcome.reason})`
        throw new UserError(`The log stream for ${options.app} ${why}.`)
      }

      failures = outcome.delivered > 0 ? 0 : failures + 1
      const base = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 8))
      const delayMs = failures === 0 ? Math.round(Math.random() * 50) : Math.round(base / 2 + Math.random() * base / 2)
      options.onNotice?.({
        attempt: failures + 1, delayMs, kind: 'reconnecting', reason: outcome.reason,
      })
      await sleep(delayMs, options.signal)
    }
  }

  /**
   * One session, start to end. A tail outlives API trouble that waiting can fix (the API client
   * has already retried 429/5xx a few times): it only gives up on what cannot get better.
   */
  private async openSession(request: LogSessionRequest, resumed: boolean): Promise<{delivered: number; reason: string; status: 'ended' | 'refused'}> {
    let url: string
    try {
      url = await this.api.createLogSession(this.options.app, request, {retry: !this.options.tail, signal: this.options.signal})
    } catch (error) {
      if (this.options.signal?.aborted) return {delivered: 0, reason: 'stopped', status: 'ended'}
      const status = error instanceof UserError ? error.status : undefined
      if (!this.options.tail || status === 401 || status === 403 || status === 404) throw error
      return {delivered: 0, reason: `could not open a log session: ${(error as Error).message}`, status: 'refused'}
    }

    // Stopped while the session was being opened: its abort listener would never fire.
    if (this.options.signal?.aborted) return {delivered: 0, reason: 'stopped', status: 'ended'}
    return this.readSession(url, resumed)
  }

  /**
   * How much history a resumed session asks for: what the stream's own rate says was missed since
   * its last line, with a margin. Asking for all 1500 every time would make a stream that keeps
   * dropping spend each new session re-reading old lines; too few would lose lines.
   */
  private resumeLines(): number {
    const rate = this.connectedMs > 0 ? this.linesReceived / this.connectedMs : 0
    const missedMs = Date.now() - this.lastLineWall
    const estimate = Math.ceil(rate * missedMs * 1.5) + RESUME_MARGIN_LINES
    return Math.min(MAX_RESUME_LINES, Math.max(RESUME_MARGIN_LINES, estimate))
  }

  /** Delivers a line unless a previous session already did; returns whether it was new. */
  private deliver(line: string): boolean {
    if (line.length === 0 || this.seen.has(line)) return false
    if (this.seenOrder.length < SEEN_CAPACITY) {
      this.seenOrder.push(line)
    } else {
      this.seen.delete(this.seenOrder[this.seenNext])
      this.seenOrder[this.seenNext] = line
      this.seenNext = (this.seenNext + 1) % SEEN_CAPACITY
    }

    this.seen.add(line)
    this.options.onLine(line)
    return true
  }

  private readSession(url: string, resumed: boolean): Promise<{delivered: number; reason: string; status: 'ended' | 'refused'}> {
    const {options} = this
    return new Promise(resolve => {
      const source = options.createEventSource ? options.createEventSource(url) : new EventSource(url)
      let delivered = 0
      let openedAt = 0
      let overlapped = !resumed
      // Past the replay's head: a line already delivered came again, or a new one was delivered.
      let caughtUp = !resumed
      let settled = false
      const finish = (status: 'ended' | 'refused', reason: string) => {
        if (settled) return
        settled = true
        clearTimeout(idle)
        clearTimeout(historyCap)
        if (openedAt > 0) this.connectedMs += Date.now() - openedAt
        source.close()
        // eventsource arms its 3 s reconnect timer after dispatching 'error', so a close() from the error
        // handler comes too early to clear it: the timer then held every finished report open for 3 s.
        queueMicrotask(() => source.close())
        options.signal?.removeEventListener('abort', onAbort)
        resolve({delivered, reason, status})
      }

      let idle: NodeJS.Timeout | undefined
      const resetIdle = () => {
        clearTimeout(idle)
        // The line just delivered may have stopped the stream (mem:tail --max-samples): no timer then.
        if (settled) return
        if (!options.tail) {
          idle = setTimeout(() => finish('ended', 'history idle'), options.historyIdleMs ?? HISTORY_IDLE_MS)
          return
        }

        const stallMs = options.stallMs ?? STALL_MS
        idle = setTimeout(() => {
          options.onNotice?.({kind: 'stalled', silentMs: stallMs})
          finish('ended', `stalled: no line for ${Math.round(stallMs / 1000)}s`)
        }, stallMs)
      }

      resetIdle()
      const historyCap = options.tail ? undefined : setTimeout(() => finish('ended', 'history did not end'), HISTORY_MAX_MS)
      const onAbort = () => finish('ended', 'stopped')
      options.signal?.addEventListener('abort', onAbort, {once: true})
      source.addEventListener('open', () => {
        resetIdle()
        openedAt = Date.now()
        this.connectedOnce = true
        options.onNotice?.({kind: 'connected', resumed})
      })
      source.addEventListener('message', event => {
        // Events already parsed from the last chunk still arrive after close().
        if (settled) return
        // A history is complete when nothing comes; a live stream is alive only while new log lines come.
        if (!options.tail) resetIdle()
        const data = String(event.data ?? '')
        let start = 0
        // onLine may stop the stream (settled) from inside this loop.
        // eslint-disable-next-line no-unmodified-loop-condition
        while (start <= data.length && !settled) {
          let end = data.indexOf('\n', start)
          if (end === -1) end = data.length
          const line = data.charCodeAt(end - 1) === 13 ? data.slice(start, end - 1) : data.slice(start, end)
          start = end + 1
          if (line.length === 0) continue
          this.linesReceived++
          this.lastLineWall = Date.now()
          const time = leadingTime(line)
          const lastTime = this.clock.now > 0 ? this.clock.now : undefined
          if (!caughtUp && time !== undefined && lastTime !== undefined && time < lastTime - REPLAY_SLACK_MS && !this.seen.has(line)) {
            overlapped = true
            continue
          }

          caughtUp = true
          if (!this.deliver(line)) {
            overlapped = true
            continue
          }

          if (!overlapped && lastTime !== undefined && time !== undefined && time > lastTime) {
            options.onNotice?.({from: lastTime, kind: 'gap', to: time})
          }

          overlapped = true
          if (time !== undefined) this.clock.admit(time)
          delivered++
          // Alive only while new log lines come: a stream resending what was read (a stuck proxy) is no better than silence.
          if (options.tail && isLogLine(line)) resetIdle()
        }
      })
      source.addEventListener('error', event => {
        const {code} = event as unknown as {code?: number}
        // The session's URL holds a secret: report the status only.
        if (code !== undefined && code >= 400) finish('refused', `HTTP ${code}`)
        // Never opened: a 200 that is not an event stream (HTML, a proxy's page) is no log at all, and
        // no answer at all is an unreachable stream, not an empty history.
        else if (openedAt === 0) finish('refused', code === undefined ? UNREACHABLE : `HTTP ${code}, not an event stream`)
        else finish('ended', 'stream closed')
      })
    })
  }
}
