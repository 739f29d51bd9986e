/**
 * Saved logs (files, `-` for stdin, gzip detected by content) -> LogEvents, streamed in bounded memory.
 *
 * Most bytes of a saved log are router and app lines that can never be events, so the hot path
 * works on bytes: each chunk is searched for the parser's EVENT_NEEDLES with `Buffer.indexOf`
 * (C++, no per-line JavaScript), and only the lines around a hit are handed, still as bytes, to
 * the one LogParser (`parseAllBytes`: the usual memory line is read without decoding it). `\n` is
 * looked for only around hits, unless lines are to be counted (stream/line-scanner.ts). A plain
 * file of 160 MiB or more is read and searched by a worker thread while this thread parses
 * (stream/scan-offload.ts); the parser, and so the events, are the same either way.
 */
import type {Readable} from 'node:stream'

import type {LinesDropped, LogEvent, RouterRequest} from '../core/events.js'
import type {LineScannerOptions} from './line-scanner.js'

import {eventFilter} from '../core/event-window.js'
import {EVENT_NEEDLES, LogParser} from '../core/parse/index.js'
import {scanInput} from './scan-input.js'
import {offloadsScan, scanInWorker, WORKER_MIN_BYTES} from './scan-offload.js'

/** The inputs as messages name them: `-` is stdin. */
export function inputNames(paths: string[]): string {
  return paths.map(path => (path === '-' ? 'stdin' : path)).join(', ')
}

export interface ReadLogOptions {
  /** Bytes per read. 128 KiB keeps the buffer in the CPU's L2 cache: reads measured 3x faster than with 1 MiB. */
  chunkSize?: number
  /**
   * Count every line (`lines` in the totals). Costs one `indexOf` call a line, about 0.2 s a GB,
   * as much as reading the file: off unless asked for.
   */
  countLines?: boolean
  /** The year of lines that carry none (Papertrail search output): usually the current year. */
  defaultYear: number
  /**
   * Load-average samples (`sample#load_avg_*`) are half the metric lines: without them (false),
   * those lines are skipped before decoding and no `load` event is emitted. Default true.
   */
  loadSamples?: boolean
  /** A line longer than this is skipped (and counted in `overlongLines`) rather than held. */
  maxLineBytes?: number
  /** `Error L10` lines (Logplex dropped lines), for a caller that asks: their lines pass the prefilter then. */
  onLinesDropped?: (drop: LinesDropped) => void
  /** Router requests, for a caller that asks (mem:blame): router lines pass the prefilter then. */
  onRouterRequest?: (request: RouterRequest) => void
  /** Keep events at or after this time (epoch ms). */
  since?: number
  /** What `-` reads; process.stdin by default. */
  stdin?: Readable
  /**
   * Ends the reading of `-` (a pipe such as `heroku logs --tail | ...`, ended by Ctrl-C): the
   * lines read before it count, the unfinished one is dropped, and a warning says so.
   */
  stdinStop?: AbortSignal
  /** Keep events at or before this time (epoch ms), as the report's own window does. */
  until?: number
  /**
   * A file at least this big is read and searched by a worker thread while this one parses
   * (stream/scan-offload.ts); default WORKER_MIN_BYTES, Infinity for never (tests set 0).
   */
  workerMinBytes?: number
}

export interface ReadLogTotals {
  /** Log bytes read (after decompression). */
  bytes: number
  /** Events passed to onEvent (inside since/until). */
  events: number
  /** Lines read (a last line without `\n` counts), when `countLines` was set. */
  lines?: number
  /** Lines longer than maxLineBytes, skipped. */
  overlongLines: number
  /** What could not be read but did not stop the reading (a truncated .gz): one line each. */
  warnings: string[]
  /** Inputs read and searched by a worker thread. */
  workerScans: number
}

const DEFAULT_CHUNK = 128 * 1024
const DEFAULT_MAX_LINE = 16 * 1024 * 1024
/** Every router line has it (`at=info method=GET ...`, `at=error code=H12 ... method=GET`). */
const ROUTER_NEEDLE = 'method='
const L10_NEEDLE = 'Error L10'
/** The needles only load-average lines hold (`sample#load_`, `measure=load_`). */
const isLoadNeedle = (needle: string): boolean => needle.includes('load_')

/**
 * Reads each path in order (`-` is stdin) and calls onEvent for every event between since and
 * until. One LogParser per input, flushed at its end (2013 legacy groups do not span inputs).
 */
export async function readLogFiles(
  paths: string[],
  onEvent: (event: LogEvent) => void,
  options: ReadLogOptions,
): Promise<ReadLogTotals> {
  const totals: ReadLogTotals = {
    bytes: 0, events: 0, overlongLines: 0, warnings: [], workerScans: 0,
  }
  if (options.countLines) totals.lines = 0
  const loadSamples = options.loadSamples ?? true
  const keep = eventFilter(options)
  const needles = [
    ...(loadSamples ? EVENT_NEEDLES : EVENT_NEEDLES.filter(needle => !isLoadNeedle(needle))),
    ...(options.onRouterRequest ? [ROUTER_NEEDLE] : []),
    ...(options.onLinesDropped ? [L10_NEEDLE] : []),
  ]
  const onRouterRequest = options.onRouterRequest && ((request: RouterRequest): void => {
    if (keep(request)) options.onRouterRequest!(request)
  })
  const emit = (event: LogEvent): void => {
    if (!keep(event)) return
    totals.events++
    onEvent(event)
  }

  for (const path of paths) {
    const parser = new LogParser({defaultYear: options.defaultYear, onLinesDropped: options.onLinesDropped, onRouterRequest})
    const scanning: LineScannerOptions = {
      chunkSize: options.chunkSize ?? DEFAULT_CHUNK,
      countLines: options.countLines ?? false,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE,
      needles,
      onLine(bytes, start, end) {
        parser.parseAllBytes(bytes, start, end, emit)
      },
    }
    const inWorker = path !== '-' && offloadsScan(path, options.workerMinBytes ?? WORKER_MIN_BYTES)
    const scanned = await (inWorker ? scanInWorker(path, scanning) : scanInput(path, scanning, options.stdin, options.stdinStop))
    if (inWorker) totals.workerScans++
    if (scanned.warning) totals.warnings.push(scanned.warning)
    for (const event of parser.flush()) emit(event)
    totals.bytes += scanned.bytes
    totals.overlongLines += scanned.overlongLines
    if (totals.lines !== undefined) totals.lines += scanned.lines
  }

  return totals
}

