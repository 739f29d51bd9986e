/**
 * The one way the plugin reads a log: an app's recent history, its live tail, or saved files ->
 * the one LogParser -> typed events -> a callback, with the parser flushed at the end of each
 * input. Every command and feature reads through `readLog`; nothing else drives a LogStream or a
 * LogParser.
 */
import type {Readable} from 'node:stream'

import type {LinesDropped, LogEvent, RouterRequest} from '../core/events.js'
import type {StreamNotice} from '../core/ports/stream-notice.js'
import type {HerokuApi} from '../heroku/api.js'

import {eventFilter} from '../core/event-window.js'
import {inDynoFilter} from '../core/events.js'
import {LogParser} from '../core/parse/index.js'
import {UserError} from '../errors.js'
import {inputNames, readLogFiles, type ReadLogTotals} from './file-source.js'
import {holdYoungGeneration} from './young-generation.js'

/** Logplex keeps at most 1500 lines per session: the most a history session can return. */
export const HISTORY_LINES = 1500

export type LogSource =
  /** Saved logs: paths, `-` for stdin, gzip detected by content. */
  | {kind: 'files'; paths: string[]; stdin?: Readable}
  /** The recent log Logplex still holds (a non-tail session), `lines` of it (default 1500). */
  | {app: string; dyno?: string; kind: 'history'; lines?: number; type?: string}
  /** The live log until the signal, starting `lines` back (default 0); reconnects by itself. */
  | {app: string; dyno?: string; kind: 'tail'; lines?: number; type?: string}

export interface ReadLogOptions {
  /** The API client: needed for the app's log (history, tail), not for files. */
  api?: HerokuApi
  /** Load-average samples are half the metric lines; files skip them early when false. Default true. */
  loadSamples?: boolean
  onEvent: (event: LogEvent) => void
  /** `Error L10` lines (Logplex dropped lines): only for a caller that asks. */
  onLinesDropped?: (drop: LinesDropped) => void
  onNotice?: (notice: StreamNotice) => void
  /** Router requests (one per request: most of a log's lines): only for a caller that asks (mem:blame). */
  onRouterRequest?: (request: RouterRequest) => void
  signal?: AbortSignal
  /** A live tail silent this long is reopened (default: LogStream's STALL_MS). */
  stallMs?: number
  /** Events before this time (epoch ms) are dropped (files drop them before parsing where they can). */
  since?: number
  /** Events after this time (epoch ms) are dropped. */
  until?: number
}

/** `warnings`: what could not be read but did not stop the reading (a truncated .gz), one line each. */
export type ReadLogResult = {bytes?: number; events: number; warnings: string[]}

/** Reads the source to its end (history, files) or until the signal (tail; and stdin, `-`); resolves with totals. */
export async function readLog(source: LogSource, options: ReadLogOptions): Promise<ReadLogResult> {
  const defaultYear = new Date().getUTCFullYear()
  if (source.kind === 'files') {
    holdYoungGeneration()
    const totals: ReadLogTotals = await readLogFiles(source.paths, options.onEvent, {
      defaultYear,
      loadSamples: options.loadSamples,
      onLinesDropped: options.onLinesDropped,
      onRouterRequest: options.onRouterRequest,
      since: options.since,
      stdin: source.stdin,
      stdinStop: options.signal,
      until: options.until,
    })
    // Nothing at all is its own answer: the callers' "no platform lines" would send the user looking for log-runtime-metrics.
    if (totals.bytes === 0) throw new UserError(`Nothing to read: ${inputNames(source.paths)} ${source.paths.length === 1 ? 'is' : 'are'} empty`)
    return {bytes: totals.bytes, events: totals.events, warnings: totals.warnings}
  }

  if (!options.api) throw new Error(`readLog: the ${source.kind} of ${source.app} needs the API client`)
  const keep = eventFilter(options)
  let events = 0
  const emit = (event: LogEvent): void => {
    if (!keep(event)) return
    // The session asked Logplex for these dynos only; a server that ignores the filter must not make
    // the watchdog restart (or a report show) a dyno the user left out. Releases concern every dyno.
    if (event.kind !== 'release' && !inDynoFilter(event.dyno, source)) return
    events++
    options.onEvent(event)
  }

  const onRouterRequest = options.onRouterRequest && ((request: RouterRequest): void => {
    if (keep(request)) options.onRouterRequest!(request)
  })
  const parser = new LogParser({defaultYear, onLinesDropped: options.onLinesDropped, onRouterRequest})
  // The stream (and its EventSource) loads only for an app's log: reading files starts faster.
  const {LogStream} = await import('./log-stream.js')
  await new LogStream(options.api, {
    app: source.app,
    dyno: source.dyno,
    lines: source.lines ?? (source.kind === 'history' ? HISTORY_LINES : 0),
    // A drain body can hold several frames: every one of them is an event.
    onLine: line => parser.parseAll(line, emit),
    onNotice: options.onNotice,
    signal: options.signal,
    stallMs: options.stallMs,
    tail: source.kind === 'tail',
    type: source.type,
  }).run()
  for (const event of parser.flush()) emit(event)
  return {events, warnings: []}
}
