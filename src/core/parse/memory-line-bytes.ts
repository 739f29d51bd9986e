/**
 * The platform's usual memory line, read straight from its UTF-8 bytes:
 * `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: source=web.1 dyno=heroku.<app>.<uuid>
 * sample#memory_total=491.32MB ... sample#memory_quota=512.00MB`, the line saved logs hold most
 * of. It gives the same event the string path (heroku-logs-shape, finishHeader, the usual line of
 * metrics.ts) gives, without decoding the line: no string per line, the dyno and instance strings
 * reused from line to line, the date part of the time read once an hour. Any other line, or any
 * doubt (a byte over 0x7F, a malformed time, a number too long), is `undefined` here and goes to
 * the string path, which has the last word: LogParser.parseAllBytes.
 */
import type {MemorySample} from '../events.js'
import type {LineContext} from './header.js'

import {processTypeOf} from '../events.js'
import {Char, isDigit} from './chars.js'
import {type HeaderSpan, readDrainHeaderBytes} from './drain-header-bytes.js'
import {readNumberBytes} from './numbers.js'
import {Metric, sampleEvent} from './samples.js'
import {epochMs, isClock, isValidDate} from './time.js'

/** `heroku[`, the source of a platform line in this shape. */
const HEROKU_OPEN = 'heroku['
/** The message's keys before each value, in the order the platform writes them. */
const SOURCE_KEY = 'source='
const INSTANCE_KEY = ' dyno='
/** By metric index, Metric.Total to Metric.Quota. */
const METRIC_KEYS = [
  ' sample#memory_total=',
  ' sample#memory_rss=',
  ' sample#memory_cache=',
  ' sample#memory_swap=',
  ' sample#memory_pgpgin=',
  ' sample#memory_pgpgout=',
  ' sample#memory_quota=',
]
/** `heroku logs` stamps are `YYYY-MM-DDTHH:MM:SS`, then a fraction and a zone: at least 19 bytes. */
const MIN_STAMP = 19
/** `YYYY-MM-DDTHH`: the part of a stamp that changes once an hour. */
const HOUR_PREFIX = 13
/** Dyno names longer than this are not dyno names (as isDynoName). */
const MAX_DYNO_NAME = 64
/** Dyno names remembered; past it the table starts again (a log of endless one-off dynos). */
const MAX_NAMES = 4096

/**
 * ASCII text (4 bytes or more) as little-endian 32-bit words, compared with a line four bytes at
 * a time through a DataView (V8 compiles its reads inline): a third of the time of a byte loop.
 * The last word ends at the text's end, overlapping the one before it when the length is not a
 * multiple of 4.
 */
class Words {
  readonly length: number
  private readonly words: Int32Array

  /** Copies the bytes (they may lie in a buffer the reader fills again). */
  constructor(bytes: Uint8Array) {
    this.length = bytes.length
    const view = new DataView(Uint8Array.from(bytes).buffer)
    this.words = new Int32Array(Math.ceil(bytes.length / 4))
    for (let i = 0; i < this.words.length; i++) this.words[i] = view.getInt32(Math.min(i * 4, bytes.length - 4), true)
  }

  static of(text: string): Words {
    return new Words(Uint8Array.from(text, char => char.charCodeAt(0)))
  }

  /** The text is at `at` of the view; the caller has checked that `at + length` is within it. */
  matches(view: DataView, at: number): boolean {
    const {words} = this
    const last = words.length - 1
    for (let i = 0; i < last; i++) if (view.getInt32(at + (i * 4), true) !== words[i]) return false
    return view.getInt32(at + this.length - 4, true) === words[last]
  }
}

const HEROKU_OPEN_WORDS = Words.of(HEROKU_OPEN)
const SOURCE_KEY_WORDS = Words.of(SOURCE_KEY)
const INSTANCE_KEY_WORDS = Words.of(INSTANCE_KEY)
const METRIC_KEY_WORDS = METRIC_KEYS.map(key => Words.of(key))

/** A dyno name as the bytes hold it, with what is derived from it once. */
interface NamedDyno {
  name: string
  type: string
  /** The instance id of this dyno's previous sample (usually the next one's too), and its bytes. */
  instance: string | undefined
  instanceWords: Words | undefined
  next: NamedDyno | undefined
}

/**
 * The state the byte reader keeps between lines: the hour of the previous stamp and the dyno
 * names met so far (an instance id is compared with its dyno's last one before it is decoded).
 */
export class ByteLineState {
  /** `YYYY-MM-DDTHH` of the previous stamp read; its epoch ms and year. */
  private hour: undefined | Words
  private hourMs = Number.NaN
  hourYear = 0
  private readonly names = new Map<number, NamedDyno>()
  private readonly ascii = new TextDecoder('latin1')
  /** The bytes of the line being read, a view of the memory they lie in, and where they start in it. */
  private bytes: Uint8Array | undefined
  view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0))
  base = 0
  /** Where the header fields of the line being read lie. */
  readonly head: HeaderSpan = {
    dynoEnd: 0, dynoStart: 0, messageStart: 0, timeEnd: 0, timeStart: 0,
  }

  /** Takes `bytes` as the lines' bytes: a reader hands a chunk's lines in one array, so this is mostly one comparison. */
  use(bytes: Uint8Array): void {
    if (bytes === this.bytes) return
    this.bytes = bytes
    if (bytes.buffer !== this.view.buffer) this.view = new DataView(bytes.buffer)
    this.base = bytes.byteOffset
  }

  /**
   * Epoch ms of the ISO stamp `bytes[start, end)`, as parseIsoTime reads it; NaN when it does not
   * read it (the string path then decides). `use(bytes)` comes first.
   */
  isoTime(bytes: Uint8Array, start: number, end: number): number {
    if (end - start < MIN_STAMP) return Number.NaN
    if (!this.hour?.matches(this.view, this.base + start) && !this.readHour(bytes, start)) return Number.NaN
    const minute = twoDigits(bytes, start + 14)
    const second = twoDigits(bytes, start + 17)
    if (bytes[start + 13] !== Char.Colon || bytes[start + 16] !== Char.Colon || !isClock(0, minute, second)) return Number.NaN
    let pos = start + 19
    let millis = 0
    if (bytes[pos] === Char.Dot) {
      const fractionStart = ++pos
      let unit = 100
      while (pos < end && isDigit(bytes[pos])) {
        millis += (bytes[pos++] - Char.Digit0) * unit
        unit /= 10
      }

      if (pos === fractionStart) return Number.NaN
      millis = Math.floor(millis)
    }

    let offsetMinutes = 0
    const zone = bytes[pos]
    if (zone === Char.UpperZ) pos++
    else if (zone === Char.Plus || zone === Char.Dash) {
      const hours = twoDigits(bytes, pos + 1)
      const colon = bytes[pos + 3] === Char.Colon ? 1 : 0
      const minutes = twoDigits(bytes, pos + 3 + colon)
      if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN
      offsetMinutes = (zone === Char.Plus ? 1 : -1) * ((hours * 60) + minutes)
      pos += 5 + colon
    }

    if (pos !== end) return Number.NaN
    return this.hourMs + ((((minute * 60) + second - (offsetMinutes * 60))) * 1000) + millis
  }

  /** The dyno named by the ASCII bytes `bytes[start, end)` (already checked to be a dyno name). */
  dyno(bytes: Uint8Array, start: number, end: number): NamedDyno {
    const key = hashOf(bytes, start, end)
    const first = this.names.get(key)
    for (let named = first; named !== undefined; named = named.next) {
      if (equalsText(bytes, start, end, named.name)) return named
    }

    if (this.names.size >= MAX_NAMES) this.names.clear()
    const name = this.ascii.decode(bytes.subarray(start, end))
    const named: NamedDyno = {
      instance: undefined, instanceWords: undefined, name, next: this.names.get(key), type: processTypeOf(name),
    }
    this.names.set(key, named)
    return named
  }

  /**
   * Where the instance id at `start` ends when it is `dyno`'s previous one, else -1: most samples
   * of a dyno carry the id of the one before. (A longer id that merely starts the same is turned
   * away by the caller: the key after the id starts with a space.)
   */
  sameInstanceEnd(start: number, end: number, dyno: NamedDyno): number {
    const words = dyno.instanceWords
    return words !== undefined && start + words.length <= end && words.matches(this.view, this.base + start) ? start + words.length : -1
  }

  /** The ASCII text `bytes[start, end)`, as a string (the bytes are checked to be ASCII by the caller). */
  text(bytes: Uint8Array, start: number, end: number): string {
    return this.ascii.decode(bytes.subarray(start, end))
  }

  /** Remembers the instance id `bytes[start, end)` (ASCII) as `dyno`'s latest, and returns it. */
  newInstance(bytes: Uint8Array, start: number, end: number, dyno: NamedDyno): string {
    const id = bytes.subarray(start, end)
    dyno.instance = this.ascii.decode(id)
    dyno.instanceWords = id.length >= 4 ? new Words(id) : undefined
    return dyno.instance
  }

  /** Reads and remembers the `YYYY-MM-DDTHH` at `start`, as parseIsoTime checks it; false when it would not read it. */
  private readHour(bytes: Uint8Array, start: number): boolean {
    const year = (twoDigits(bytes, start) * 100) + twoDigits(bytes, start + 2)
    const month = twoDigits(bytes, start + 5)
    const day = twoDigits(bytes, start + 8)
    const hour = twoDigits(bytes, start + 11)
    const separator = bytes[start + 10]
    if (bytes[start + 4] !== Char.Dash || bytes[start + 7] !== Char.Dash || (separator !== Char.UpperT && separator !== Char.Space)) return false
    if (twoDigits(bytes, start) < 0 || twoDigits(bytes, start + 2) < 0 || !isValidDate(year, month, day) || !isClock(hour, 0, 0)) return false
    this.hour = new Words(bytes.subarray(start, start + HOUR_PREFIX))
    this.hourMs = epochMs(year, month - 1, day, hour * 3600)
    this.hourYear = year
    return true
  }
}

/**
 * The event of the usual memory line `bytes[start, end)` (end: after trailing spaces and `\r`
 * are dropped), with the context's header set as finishHeader sets it; undefined when the line is
 * not exactly that shape, which the string path then reads.
 */
export function usualMemoryLineBytes(bytes: Uint8Array, start: number, end: number, context: LineContext, state: ByteLineState): MemorySample | undefined {
  state.use(bytes)
  return readPlatformHeader(bytes, start, end, state) ? memorySampleBytes(bytes, end, context, state) : undefined
}

/**
 * `usualMemoryLineBytes` once `readPlatformHeader` has read the line's header into `state.head`
 * (LogParser.parseAllBytes reads it once for both byte readers).
 */
export function memorySampleBytes(bytes: Uint8Array, end: number, context: LineContext, state: ByteLineState): MemorySample | undefined {
  const {base, head, view} = state
  const {dynoEnd, dynoStart, messageStart} = head
  // `heroku[api]` is the release log and `heroku[router]` the router: the string path reads those.
  if (equalsText(bytes, dynoStart, dynoEnd, 'api') || equalsText(bytes, dynoStart, dynoEnd, 'router')) return undefined
  const time = state.isoTime(bytes, head.timeStart, head.timeEnd)
  if (Number.isNaN(time)) return undefined

  const valueStart = messageStart + SOURCE_KEY.length
  if (!isAt(view, base, messageStart, end, SOURCE_KEY_WORDS)) return undefined
  const sourceEnd = asciiWordEnd(bytes, valueStart, end)
  if (!isAt(view, base, sourceEnd, end, INSTANCE_KEY_WORDS)) return undefined
  const instanceStart = sourceEnd + INSTANCE_KEY.length
  const header = state.dyno(bytes, dynoStart, dynoEnd)
  const knownEnd = state.sameInstanceEnd(instanceStart, end, header)
  const instanceEnd = knownEnd === -1 ? asciiWordEnd(bytes, instanceStart, end) : knownEnd
  const {values} = context
  let pos = instanceEnd
  for (let metric = Metric.Total; metric <= Metric.Quota; metric++) {
    const key = METRIC_KEY_WORDS[metric]
    if (!isAt(view, base, pos, end, key)) return undefined
    const value = readNumberBytes(bytes, pos + key.length, end, context.read)
    if (Number.isNaN(value)) return undefined
    values[metric] = value
    pos = context.read.end
    // MiB for sizes (`MB`, required); `pages` or nothing for the paging counters.
    if (metric === Metric.Pgpgin || metric === Metric.Pgpgout) {
      if (equalsText(bytes, pos, Math.min(pos + 5, end), 'pages')) pos += 5
    } else if (bytes[pos] === Char.UpperM && bytes[pos + 1] === Char.UpperB && pos + 2 <= end) {
      pos += 2
    } else {
      return undefined
    }
  }

  if (pos !== end) return undefined
  values[Metric.Load1m] = Number.NaN
  values[Metric.Load5m] = Number.NaN
  values[Metric.Load15m] = Number.NaN
  context.calendar.noteDatedYear(state.hourYear)
  context.origin = 'platform'
  context.dyno = header.name
  context.time = time
  // The dyno `source=` names when it is a dyno name, else the header's (as sourceDyno decides).
  const named = sourceEnd === valueStart || isSame(bytes, valueStart, sourceEnd, dynoStart, dynoEnd) || nameEnd(bytes, valueStart, sourceEnd) !== sourceEnd
    ? header
    : state.dyno(bytes, valueStart, sourceEnd)
  let instance: string | undefined
  if (knownEnd !== -1) instance = header.instance
  else if (instanceEnd > instanceStart) instance = state.newInstance(bytes, instanceStart, instanceEnd, header)
  return sampleEvent(values, named.name, instance, time, named.type) as MemorySample
}

/**
 * The header of a `heroku logs` line (`heroku[...]`) or of a drain frame whose source is `heroku`,
 * its fields into `state.head`; false for any other line (the string path reads it). The
 * stamp is not read here (`state.isoTime`). `state.use(bytes)` comes first.
 */
export function readPlatformHeader(bytes: Uint8Array, start: number, end: number, state: ByteLineState): boolean {
  const {head} = state
  // A drain frame's PROCID is any word: it must be a dyno name (the `heroku logs` header's is read as one).
  return isDrainFrame(bytes, start, end)
    ? readDrainHeaderBytes(bytes, start, end, head) && nameEnd(bytes, head.dynoStart, head.dynoEnd) === head.dynoEnd
    : readHerokuLogsHeader(bytes, start, end, state)
}

/** `335 <45>1 ...` or `<45>1 ...`: a syslog frame (a `heroku logs` line starts `YYYY-`). */
function isDrainFrame(bytes: Uint8Array, start: number, end: number): boolean {
  if (bytes[start] === Char.LessThan) return true
  let pos = start
  while (pos < end && isDigit(bytes[pos])) pos++
  return pos > start && bytes[pos] === Char.Space
}

/**
 * `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: ` at `start`, its fields into `state.head`
 * (the stamp is checked when it is read).
 */
function readHerokuLogsHeader(bytes: Uint8Array, start: number, end: number, state: ByteLineState): boolean {
  // The stamp ends at the first space from its 19th byte on, as readHerokuLogsFields finds it.
  let timeEnd = start + MIN_STAMP
  while (timeEnd < end && bytes[timeEnd] !== Char.Space) timeEnd++
  const sourceStart = timeEnd + 1
  if (!isAt(state.view, state.base, sourceStart, end, HEROKU_OPEN_WORDS)) return false
  const dynoStart = sourceStart + HEROKU_OPEN.length
  const dynoEnd = nameEnd(bytes, dynoStart, end)
  if (dynoEnd === -1 || bytes[dynoEnd] !== Char.CloseBracket || bytes[dynoEnd + 1] !== Char.Colon || bytes[dynoEnd + 2] !== Char.Space) return false
  const {head} = state
  head.timeStart = start
  head.timeEnd = timeEnd
  head.dynoStart = dynoStart
  head.dynoEnd = dynoEnd
  head.messageStart = dynoEnd + 3
  return true
}

/** The words' text is at `bytes[pos]` (`base`: where `bytes` starts in the view), before `end`. */
function isAt(view: DataView, base: number, pos: number, end: number, words: Words): boolean {
  return end - pos >= words.length && words.matches(view, base + pos)
}

/** Where the dyno name starting at `start` ends (as isDynoName accepts it), at the first other byte; -1 when empty or too long. */
export function nameEnd(bytes: Uint8Array, start: number, end: number): number {
  let pos = start
  const limit = Math.min(end, start + MAX_DYNO_NAME + 1)
  while (pos < limit) {
    const code = bytes[pos]
    const alphanumeric = (code >= Char.Digit0 && code <= Char.Digit9) || (code >= Char.UpperA && code <= Char.UpperZ) || (code >= Char.LowerA && code <= Char.LowerZ)
    if (!alphanumeric && (pos === start || (code !== Char.Dot && code !== Char.Dash && code !== Char.Underscore))) break
    pos++
  }

  return pos === start || pos - start > MAX_DYNO_NAME ? -1 : pos
}

/** Where the run of ASCII bytes other than a space ends; a byte over 0x7F ends it too, and no key follows it then. */
function asciiWordEnd(bytes: Uint8Array, start: number, end: number): number {
  let pos = start
  while (pos < end && bytes[pos] !== Char.Space && bytes[pos] < 0x80) pos++
  return pos
}

/** The unsigned 2-digit number at `start`, else -1. */
function twoDigits(bytes: Uint8Array, start: number): number {
  const tens = bytes[start] - Char.Digit0
  const ones = bytes[start + 1] - Char.Digit0
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? (tens * 10) + ones : -1
}

/** `bytes[start, end)` is exactly the (ASCII) text. */
export function equalsText(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false
  return true
}

function isSame(bytes: Uint8Array, start: number, end: number, otherStart: number, otherEnd: number): boolean {
  if (end - start !== otherEnd - otherStart) return false
  for (let i = 0; i < end - start; i++) if (bytes[start + i] !== bytes[otherStart + i]) return false
  return true
}

/* eslint-disable no-bitwise -- hashing is bit arithmetic */
/** FNV-1a of the bytes, kept to a small integer (a cheap Map key). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x81_1C_9D_C5
  for (let pos = start; pos < end; pos++) hash = Math.imul(hash ^ bytes[pos], 0x01_00_01_93)
  return hash & 0x3F_FF_FF_FF
}
/* eslint-enable no-bitwise */
