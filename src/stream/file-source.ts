/**
 * Saved logs (files, `-` for stdin, gzip detected by content) -> LogEvents, streamed in bounded memory.
 *
 * Most bytes of a saved log are router and app lines that can never be events, so the hot path
 * works on bytes: each chunk is searched for the parser's EVENT_NEEDLES with `Buffer.indexOf`
 * (C++, no per-line JavaScript), and only the lines around a hit are handed, still as bytes, to
 * the one LogParser (`parseAllBytes`: the usual memory line is read without decoding it). `\n` is
 * looked for only around hits, unless lines are to be counted.
 */
import type {Readable} from 'node:stream'

import {
  closeSync, createReadStream, fstatSync, openSync, readSync,
} from 'node:fs'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

import type {LinesDropped, LogEvent, RouterRequest} from '../core/events.js'

import {eventFilter} from '../core/event-window.js'
import {EVENT_NEEDLES, LogParser} from '../core/parse/index.js'
import {UserError} from '../errors.js'

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
  /** Keep events at or before this time (epoch ms), as the report's own window does. */
  until?: number
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
}

const DEFAULT_CHUNK = 128 * 1024
const DEFAULT_MAX_LINE = 16 * 1024 * 1024
const NEWLINE = 10
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
    bytes: 0, events: 0, overlongLines: 0, warnings: [],
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
    const scanner = new LineScanner({
      chunkSize: options.chunkSize ?? DEFAULT_CHUNK,
      countLines: options.countLines ?? false,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE,
      needles,
      onLine(bytes, start, end) {
        parser.parseAllBytes(bytes, start, end, emit)
      },
    })
    const warning = await (path === '-' ? readStream(options.stdin ?? process.stdin, scanner, 'stdin') : readFile(path, scanner))
    if (warning) totals.warnings.push(warning)
    scanner.finish()
    for (const event of parser.flush()) emit(event)
    totals.bytes += scanner.bytes
    totals.overlongLines += scanner.overlongLines
    if (totals.lines !== undefined) totals.lines += scanner.lines
  }

  return totals
}

/** Reads a file into the scanner; resolves with a warning when only part of it could be read. */
async function readFile(path: string, scanner: LineScanner): Promise<string | undefined> {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw cantRead(path, error)
  }

  let gzipped = false
  try {
    if (fstatSync(fd).isDirectory()) throw new UserError(`Can't read ${path}: it is a directory`)
    // Plain files are read straight into the scanner's buffer: synchronous reads of a local file
    // measured about 2x faster than async ones, and the event loop has nothing else to do meanwhile.
    let at = scanner.room()
    let read = readSync(fd, scanner.buffer, at, scanner.chunkSize, null)
    gzipped = isGzip(scanner.buffer, at, read)
    if (!gzipped) {
      while (read > 0) {
        scanner.commit(read)
        at = scanner.room()
        read = readSync(fd, scanner.buffer, at, scanner.chunkSize, null)
      }
    }
  } catch (error) {
    throw error instanceof UserError ? error : cantRead(path, error)
  } finally {
    closeSync(fd)
  }

  if (gzipped) return readStream(createReadStream(path, {highWaterMark: scanner.chunkSize}), scanner, path)
}

/**
 * A stream's bytes into the scanner, through gunzip when they start with the gzip magic bytes.
 * A truncated gzip (a download or rotation cut short) keeps what it held: the lines before the
 * cut are read, the cut line is dropped, and the warning says so.
 */
async function readStream(stream: Readable, scanner: LineScanner, name: string): Promise<string | undefined> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  try {
    // The magic bytes may straddle chunks (a pipe can deliver one byte first).
    const head: Buffer[] = []
    let headLength = 0
    let done = false
    while (headLength < 2 && !done) {
      const next = await chunks.next()
      done = next.done ?? false
      if (!done) {
        head.push(asBuffer(next.value))
        headLength += head.at(-1)!.length
      }
    }

    const all = (async function * () {
      yield * head
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield asBuffer(next.value)
    })()
    const write = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of source) scanner.write(chunk)
    }

    const start = Buffer.concat(head.slice(0, 2))
    await (isGzip(start, 0, start.length) ? pipeline(all, createGunzip({chunkSize: scanner.chunkSize}), write) : write(all))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      scanner.dropUnfinished()
      return `${name} is truncated (the gzip data ends early): only the lines before the cut are read`
    }

    throw cantRead(name, error)
  } finally {
    stream.destroy()
  }
}

function asBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk
}

function isGzip(buffer: Uint8Array, start: number, length: number): boolean {
  return length >= 2 && buffer[start] === 0x1F && buffer[start + 1] === 0x8B
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file',
  Z_BUF_ERROR: 'the gzip data is truncated',
  Z_DATA_ERROR: 'the gzip data is corrupt',
}

function cantRead(name: string, error: unknown): UserError {
  const {code, message} = error as NodeJS.ErrnoException
  return new UserError(`Can't read ${name}: ${(code && REASONS[code]) ?? message}`)
}

interface LineScannerOptions {
  chunkSize: number
  countLines: boolean
  maxLineBytes: number
  needles: readonly string[]
  /** One line that holds a needle, `bytes[start, end)`, without its `\n`; the bytes are only valid during the call. */
  onLine(bytes: Buffer, start: number, end: number): void
}

/**
 * Finds the lines holding a needle in a byte stream, with the newline search done only around
 * hits. Owns one buffer: bytes of an unfinished line stay at its start, new bytes go after them.
 */
export class LineScanner {
  buffer: Buffer
  bytes = 0
  readonly chunkSize: number
  private readonly countLines: boolean
  /** Bytes at the start of `buffer` not scanned yet: the unfinished last line. */
  filled = 0
  lines = 0
  overlongLines = 0
  private keys: Buffer[] | undefined
  private readonly maxLineBytes: number
  private readonly needles: readonly string[]
  private readonly next: number[] = []
  private readonly onLine: (bytes: Buffer, start: number, end: number) => void
  /** Inside a line longer than maxLineBytes: bytes are dropped up to its newline. */
  private skipping = false

  constructor(options: LineScannerOptions) {
    this.chunkSize = options.chunkSize
    this.countLines = options.countLines
    this.maxLineBytes = options.maxLineBytes
    this.needles = options.needles
    this.onLine = options.onLine
    this.buffer = Buffer.allocUnsafe(options.chunkSize * 2)
  }

  /** `length` new bytes were written at `filled` (where `room()` said). */
  commit(length: number): void {
    if (length <= 0) return
    this.bytes += length
    const end = this.filled + length
    const region = this.buffer.subarray(0, end)
    this.keys ??= searchKeys(this.needles, region)
    let from = 0
    if (this.skipping) {
      const newline = region.indexOf(NEWLINE)
      if (newline === -1) {
        this.filled = 0
        return
      }

      this.skipping = false
      this.overlongLines++
      if (this.countLines) this.lines++
      from = newline + 1
    }

    const last = region.lastIndexOf(NEWLINE)
    if (last >= from) {
      this.scan(last + 1 === end ? region : this.buffer.subarray(0, last + 1), from)
      from = last + 1
    }

    this.filled = end - from
    if (this.filled > this.maxLineBytes) {
      this.skipping = true
      this.filled = 0
    } else if (from > 0 && this.filled > 0) {
      this.buffer.copyWithin(0, from, end)
    }
  }

  /** Forgets the unfinished last line (input cut short: the line is incomplete, its values maybe too). */
  dropUnfinished(): void {
    this.filled = 0
  }

  /** The last line, when the input does not end with a newline. */
  finish(): void {
    if (this.filled > 0 && !this.skipping) {
      this.scan(this.buffer.subarray(0, this.filled), 0)
      this.lines++
    }

    if (this.skipping) this.overlongLines++
    this.filled = 0
    this.skipping = false
  }

  /** Where the next read writes `chunkSize` bytes; grows the buffer for a long unfinished line. */
  room(): number {
    if (this.buffer.length - this.filled < this.chunkSize) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.filled + this.chunkSize))
      this.buffer.copy(grown, 0, 0, this.filled)
      this.buffer = grown
    }

    return this.filled
  }

  /** A chunk from a stream: copied in, in pieces when it is larger than the room left. */
  write(chunk: Buffer): void {
    let offset = 0
    while (offset < chunk.length) {
      const at = this.room()
      const length = Math.min(chunk.length - offset, this.buffer.length - at)
      chunk.copy(this.buffer, at, offset, offset + length)
      offset += length
      this.commit(length)
    }
  }

  /** Lines of `region` from `from` (a line start) to its end; hands those holding a needle to onLine. */
  private scan(region: Buffer, from: number): void {
    const keys = this.keys!
    const {next} = this
    const end = region.length
    for (let k = 0; k < keys.length; k++) next[k] = region.indexOf(keys[k], from)
    for (;;) {
      let hit = -1
      for (let k = 0; k < keys.length; k++) {
        const at = next[k]
        if (at !== -1 && (hit === -1 || at < hit)) hit = at
      }

      if (hit === -1) break
      const lineStart = hit === 0 ? 0 : region.lastIndexOf(NEWLINE, hit - 1) + 1
      const newline = region.indexOf(NEWLINE, hit)
      const lineEnd = newline === -1 ? end : newline
      this.onLine(region, lineStart, lineEnd)
      const resume = lineEnd + 1
      // An index loop: `entries()` destructuring allocates, and this runs once per hit.
      // eslint-disable-next-line unicorn/no-for-loop
      for (let k = 0; k < keys.length; k++) {
        if (next[k] !== -1 && next[k] < resume) next[k] = resume >= end ? -1 : region.indexOf(keys[k], resume)
      }
    }

    if (this.countLines) {
      let newline = from - 1
      while ((newline = region.indexOf(NEWLINE, newline + 1)) !== -1) this.lines++
    }
  }
}

const MIN_KEY = 4
/**
 * Held by both memory needles (`sample#memory_`, `measure=memory_`): one pass for both instead of
 * two (0.1 s less a GB, `ure=mem` alone costs 0.14 s), when the sample shows it nowhere else.
 */
const SHARED_KEY = 'y_'
/** Occurrences of the shared key in the sample outside the needles' that still let it pay. */
const SHARED_KEY_SLACK = 8
/** Node's Buffer.indexOf runs memchr on the first byte for patterns shorter than 8 bytes. */
const MAX_KEY = 7

/**
 * What to search for: for each needle, the window of up to 7 of its bytes that starts with the
 * byte rarest in `sample` (the input's first chunk). Shorter than 8 bytes, Node searches with
 * memchr on the first byte, so a rare first byte scans at memory speed, whereas a plain search
 * for all 18 needles costs a slow pass each. A key is a substring of its needle, so every line
 * holding a needle still holds a kept key.
 */
export function searchKeys(needles: readonly string[], sample: Uint8Array): Buffer[] {
  const counts = new Uint32Array(256)
  for (const byte of sample) counts[byte]++
  const keyOf = needles.map(needle => {
    let best = 0
    for (let start = 1; start <= needle.length - MIN_KEY; start++) {
      if (counts[needle.charCodeAt(start)] < counts[needle.charCodeAt(best)]) best = start
    }

    return needle.slice(best, best + MAX_KEY)
  })
  if (sharedKeyPays(needles, sample)) {
    for (const [index, needle] of needles.entries()) if (needle.includes(SHARED_KEY)) keyOf[index] = SHARED_KEY
  }

  // A key is dropped when every needle it stands for holds another key still kept: their lines
  // are found anyway, and each key costs a pass over every chunk (`Process exited` holds the key
  // of `Process running mem=`; a key holding another key goes too).
  const keys = new Set(keyOf)
  for (const key of keyOf) {
    const redundant = needles.every((needle, index) => keyOf[index] !== key
      || [...keys].some(other => other !== key && needle.includes(other)))
    if (redundant) keys.delete(key)
  }

  return [...keys].map(key => Buffer.from(key, 'latin1'))
}

/**
 * Whether the 2-byte shared key finds (nearly) only the lines its needles are on: a key this
 * short found in other lines (`body_size`, `retry_count`) would hand each one to the parser, at
 * ~1 µs a line; the sample (the input's first chunk) decides, as it does for the other keys.
 */
function sharedKeyPays(needles: readonly string[], sample: Uint8Array): boolean {
  const bytes = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength)
  const occurrences = (text: string): number => {
    let count = 0
    for (let at = bytes.indexOf(text); at !== -1; at = bytes.indexOf(text, at + text.length)) count++
    return count
  }

  const sharers = needles.filter(needle => needle.includes(SHARED_KEY))
  const held = sharers.reduce((sum, needle) => sum + occurrences(needle), 0)
  return sharers.length > 1 && held > 0 && occurrences(SHARED_KEY) <= held + SHARED_KEY_SLACK
}
