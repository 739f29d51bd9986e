/**
 * LogParser: the one parser of every log shape the plugin reads, one raw line at a time.
 *
 * Shapes (they may be mixed in one input):
 * 1. `heroku logs`:          `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: MESSAGE`
 * 2. syslog drain frame:     `335 <134>1 2023-08-24T10:28:47.153192+00:00 host heroku web.1 - MESSAGE`
 *                            (the octet count is optional; see `parseAll` for bodies holding several frames)
 * 3. 2013 legacy metrics:    `measure=memory_total val=509 units=MB`, one metric a line, in any of the shapes
 * 4. Papertrail archive TSV: `id \t generated_at \t received_at \t ... \t program \t message`
 * 5. Papertrail search:      `Nov 21 14:14:58 myapp heroku/web.4: MESSAGE` (no year)
 *
 * Only the line's own source field decides whether it is the platform speaking (`heroku[...]`,
 * syslog app-name `heroku`, program `heroku/...`). App output can hold any text, including copies
 * of platform lines; trusting it would let anyone who reaches the app make the watchdog restart dynos.
 * The only app lines accepted are release lines of dyno `api`.
 *
 * Hot path: most lines are router or app lines; they are rejected by a few index checks on the
 * header, before any timestamp parsing, regex or allocation.
 */
import type {
  DynoEvent, DynoStateChange, LoadSample, LogEvent, MemorySample, ReleaseEvent,
} from './events.js'

import {processTypeOf} from './events.js'

/**
 * Substrings of which every line that can yield an event (or feed a legacy group) contains at
 * least one, ASCII so that they match raw UTF-8 bytes: a reader may drop a line (or a buffer
 * region between newlines) containing none of them, e.g. with `Buffer.indexOf`, before decoding
 * it. The converse does not hold: a line containing a needle may still be "not ours".
 * Exactly the needles of load samples contain `load_`, so a reader that wants no load samples can
 * leave those out.
 */
export const EVENT_NEEDLES: readonly string[] = [
  'sample#memory_',
  'sample#load_',
  'measure=memory_',
  'measure=load_',
  'Error R14',
  'Error R15',
  'Process running mem=',
  'Process exited',
  'Restarting',
  'Cycling',
  'State changed',
  'Stopping ',
  'Starting process',
  'Release v',
  'Deploy ',
  ' config var',
  'Rollback to v',
  'Scaled to ',
]

export interface LogParserOptions {
  /**
   * The year of the first line of a shape that carries no year (Papertrail search output); later
   * lines roll over to the next year when the month steps back (Dec -> Jan). Callers pass the
   * current year. Without it, the year of the last fully dated line seen is used, and no-year lines
   * met before any dated line are skipped.
   */
  defaultYear?: number
}

// Values of one metric line, by these indexes. NaN marks "absent" and never leaves this module.
const TOTAL = 0
const RSS = 1
const CACHE = 2
const SWAP = 3
const PGPGIN = 4
const PGPGOUT = 5
const QUOTA = 6
const LOAD_1M = 7
const LOAD_5M = 8
const LOAD_15M = 9
const METRIC_NAMES = [
  'memory_total',
  'memory_rss',
  'memory_cache',
  'memory_swap',
  'memory_pgpgin',
  'memory_pgpgout',
  'memory_quota',
  'load_avg_1m',
  'load_avg_5m',
  'load_avg_15m',
]

/** A decimal as `readNumber` reads it: digits, with at most one `.`, at least one digit. */
const USUAL_NUMBER = String.raw`(?:\d+\.?\d*|\.\d+)`
/** The platform's memory line, metrics in the order it writes them: see `usualMemoryLine`. */
const USUAL_MEMORY_LINE = new RegExp(
  `source=[^ ]* dyno=[^ ]* sample#memory_total=${USUAL_NUMBER}MB sample#memory_rss=${USUAL_NUMBER}MB `
  + `sample#memory_cache=${USUAL_NUMBER}MB sample#memory_swap=${USUAL_NUMBER}MB sample#memory_pgpgin=${USUAL_NUMBER}(?:pages)? `
  + `sample#memory_pgpgout=${USUAL_NUMBER}(?:pages)? sample#memory_quota=${USUAL_NUMBER}MB`,
  'y',
)
/** Length of `sample#<name>=`, by metric index. */
const USUAL_KEY_LENGTHS = METRIC_NAMES.map(name => name.length + 8)
/** Legacy groups complete with every metric a 2013 sample logs; a partial group waits for the next one. */
const LEGACY_MEMORY_METRICS = [TOTAL, RSS, CACHE, SWAP, PGPGIN, PGPGOUT]
const LEGACY_LOAD_METRICS = [LOAD_1M, LOAD_5M, LOAD_15M]
/** Lines of one legacy sample share a timestamp; samples are ~20 s apart. */
const LEGACY_GROUP_WINDOW_MS = 10_000
/** More significant digits than a double holds exactly are not a plausible reading. */
const MAX_DIGITS = 15
const MAX_DYNO_NAME = 64

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

const RELEASE = /^Release v(\d{1,9}) created(?: by |$)/
const DEPLOY = /^Deploy \S+(?: by |$)/
const CONFIG = /^(?:Set|Remove) \S.* config vars?(?: by |$)/
const ROLLBACK = /^Rollback to v(\d{1,9})(?: by |$)/
const SCALE = /^Scaled to \S+(?: by |$)/

type Origin = 'api' | 'platform'

interface LegacyGroup {
  dyno: string
  instance: string | undefined
  time: number
  /** By metric index; NaN until the group's line for that metric is seen. */
  values: Float64Array
}

/**
 * Turns raw log lines into `LogEvent`s. Keeps state only for the 2013 legacy format (one metric a
 * line, grouped into one sample) and for the year of no-year lines: use one parser per input.
 */
export class LogParser {
  private readonly defaultYear: number | undefined
  private lastDatedYear: number | undefined
  private readonly legacyLoad = new Map<string, LegacyGroup>()
  private readonly legacyMemory = new Map<string, LegacyGroup>()
  /** Where the frame `parseSyslog` just read ends: the next frame of a drain body starts there. */
  private nextFrame = 0
  /** The dyno and time of the line being read, from its header. */
  private lineDyno = ''
  private lineTime = 0
  /** Where the number `readNumber` just read ends. */
  private numberEnd = 0
  private readonly values = new Float64Array(METRIC_NAMES.length)
  private noYearMonth = -1
  private noYearYear = 0

  constructor(options: LogParserOptions = {}) {
    const year = options.defaultYear
    this.defaultYear = year !== undefined && Number.isInteger(year) && year >= 1970 && year <= 9999 ? year : undefined
  }

  /** Legacy groups still waiting for their last metric, oldest first; call at the end of input. */
  flush(): LogEvent[] {
    const groups = [...this.legacyMemory.values(), ...this.legacyLoad.values()].sort((a, b) => a.time - b.time)
    this.legacyMemory.clear()
    this.legacyLoad.clear()
    const events: LogEvent[] = []
    for (const group of groups) {
      const event = legacyEvent(group)
      if (event) events.push(event)
    }

    return events
  }

  /**
   * One raw line (no trailing newline; a trailing `\r` is fine) to its event, or undefined when it
   * is not a platform event (or, for legacy lines, when the group it belongs to is not complete).
   * A syslog drain body with several frames on one line yields its first frame only: use `parseAll`.
   * Never throws.
   */
  parse(line: string): LogEvent | undefined {
    const end = trimmedEnd(line, 0, line.length)
    if (end < 16) return undefined
    const first = line.charCodeAt(0)
    if (isDigit(first)) {
      let pos = 1
      while (pos < end && isDigit(line.charCodeAt(pos))) pos++
      const next = line.charCodeAt(pos)
      if (next === 45 /* - */ && pos === 4) return this.parseHerokuLogs(line, end)
      if (next === 32 /* space */) return this.parseSyslog(line, 0, end)
      if (next === 9 /* tab */) return this.parsePapertrailArchive(line, pos + 1, end)
      return undefined
    }

    if (first === 60 /* < */) return this.parseSyslog(line, 0, end)
    if (first >= 65 && first <= 90) return this.parsePapertrailSearch(line, end)
    return undefined
  }

  /**
   * Like `parse`, for a line that may hold several octet-counted syslog frames (a drain body):
   * emits the event of every frame. Frames are split by their octet counts only, so text inside
   * one frame's message can never pose as another frame.
   */
  parseAll(line: string, emit: (event: LogEvent) => void): void {
    const end = trimmedEnd(line, 0, line.length)
    if (!isDigit(line.charCodeAt(0)) || !isSyslogCount(line, 0, end)) {
      const event = this.parse(line)
      if (event) emit(event)
      return
    }

    let start = 0
    while (start < end) {
      this.nextFrame = end
      const event = this.parseSyslog(line, start, end)
      if (event) emit(event)
      start = this.nextFrame
      while (start < end && line.charCodeAt(start) === 32) start++
      if (!isSyslogCount(line, start, end)) return
    }
  }

  // ---- shapes: find the source, the dyno, the time and the message ----

  private parseHerokuLogs(line: string, end: number): LogEvent | undefined {
    const timeEnd = line.indexOf(' ', 19)
    if (timeEnd === -1 || timeEnd >= end) return undefined
    const sourceStart = timeEnd + 1
    const open = line.indexOf('[', sourceStart)
    if (open === -1 || open - sourceStart > 6) return undefined
    const close = line.indexOf(']', open)
    if (close === -1 || close + 2 >= end || line.charCodeAt(close + 1) !== 58 /* : */ || line.charCodeAt(close + 2) !== 32) {
      return undefined
    }

    const origin = originOf(line, sourceStart, open + 1, close)
    if (!origin) return undefined
    const time = parseIsoTime(line, 0, timeEnd)
    if (Number.isNaN(time)) return undefined
    this.lastDatedYear = yearOf(line, 0)
    this.lineDyno = line.slice(open + 1, close)
    this.lineTime = time
    return this.parseMessage(line, close + 3, end, origin)
  }

  private parsePapertrailArchive(line: string, generatedStart: number, end: number): LogEvent | undefined {
    // id, generated_at, received_at, source_id, source_name, source_ip, facility_name, severity_name, program, message
    const generatedEnd = line.indexOf('\t', generatedStart)
    let programStart = generatedEnd
    // Skip received_at, source_id, source_name, source_ip, facility_name and severity_name.
    for (let skipped = 0; skipped < 6 && programStart !== -1; skipped++) programStart = line.indexOf('\t', programStart + 1)
    if (programStart === -1 || programStart >= end) return undefined
    programStart++
    const programEnd = line.indexOf('\t', programStart)
    if (programEnd === -1 || programEnd >= end) return undefined
    const slash = line.indexOf('/', programStart)
    if (slash === -1 || slash > programEnd) return undefined
    const origin = originOf(line, programStart, slash + 1, programEnd)
    if (!origin) return undefined
    const time = parseIsoTime(line, generatedStart, generatedEnd)
    if (Number.isNaN(time)) return undefined
    this.lastDatedYear = yearOf(line, generatedStart)
    this.lineDyno = line.slice(slash + 1, programEnd)
    this.lineTime = time
    return this.parseMessage(line, programEnd + 1, end, origin)
  }

  private parsePapertrailSearch(line: string, end: number): LogEvent | undefined {
    // `Nov 21 14:14:58 myapp heroku/web.4: MESSAGE`; a one-digit day may be padded with a space.
    if (line.charCodeAt(3) !== 32) return undefined
    let pos = 4
    if (line.charCodeAt(pos) === 32) pos++
    const dayStart = pos
    while (pos < dayStart + 2 && isDigit(line.charCodeAt(pos))) pos++
    if (pos === dayStart || line.charCodeAt(pos) !== 32) return undefined
    const clockStart = pos + 1
    if (line.charCodeAt(clockStart + 8) !== 32) return undefined
    const hostEnd = line.indexOf(' ', clockStart + 9)
    if (hostEnd === -1 || hostEnd === clockStart + 9) return undefined
    const programStart = hostEnd + 1
    const programEnd = line.indexOf(': ', programStart)
    if (programEnd === -1 || programEnd + 2 >= end) return undefined
    const slash = line.indexOf('/', programStart)
    if (slash === -1 || slash > programEnd) return undefined
    const origin = originOf(line, programStart, slash + 1, programEnd)
    if (!origin) return undefined

    const month = monthIndex(line, 0)
    const day = readDigits(line, dayStart, pos - dayStart)
    const hour = readDigits(line, clockStart, 2)
    const minute = readDigits(line, clockStart + 3, 2)
    const second = readDigits(line, clockStart + 6, 2)
    if (month < 0 || line.charCodeAt(clockStart + 2) !== 58 || line.charCodeAt(clockStart + 5) !== 58) return undefined
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined
    const year = this.yearForNoYearLine(month)
    if (year === undefined || day < 1 || day > daysInMonth(year, month)) return undefined
    const time = epochMs(year, month, day, (hour * 3600) + (minute * 60) + second)
    this.lineDyno = line.slice(slash + 1, programEnd)
    this.lineTime = time
    return this.parseMessage(line, programEnd + 2, end, origin)
  }

  /**
   * `[OCTETS ]<PRI>VERSION TIMESTAMP HOST APP-NAME PROCID MSGID MESSAGE` starting at `start`; sets
   * `nextFrame` to where the frame ends (by its octet count, else the end of the line).
   */
  private parseSyslog(line: string, start: number, end: number): LogEvent | undefined {
    let pos = start
    let frameEnd = end
    if (isDigit(line.charCodeAt(pos))) {
      let octets = 0
      while (pos < end && isDigit(line.charCodeAt(pos)) && pos - start < 9) octets = (octets * 10) + line.charCodeAt(pos++) - 48
      if (line.charCodeAt(pos) !== 32) return undefined
      pos++
      frameEnd = frameEndIndex(line, pos, octets, end)
    }

    this.nextFrame = frameEnd
    if (line.charCodeAt(pos) !== 60 /* < */) return undefined
    const priEnd = line.indexOf('>', pos)
    if (priEnd === -1 || priEnd - pos > 4 || priEnd - pos < 2) return undefined
    const timeStart = line.indexOf(' ', priEnd) + 1
    if (timeStart === 0 || timeStart - priEnd > 4) return undefined
    const timeEnd = line.indexOf(' ', timeStart)
    const hostEnd = timeEnd === -1 ? -1 : line.indexOf(' ', timeEnd + 1)
    const appEnd = hostEnd === -1 ? -1 : line.indexOf(' ', hostEnd + 1)
    const procEnd = appEnd === -1 ? -1 : line.indexOf(' ', appEnd + 1)
    const msgIdEnd = procEnd === -1 ? -1 : line.indexOf(' ', procEnd + 1)
    if (msgIdEnd === -1 || msgIdEnd >= frameEnd) return undefined
    const origin = originOf(line, hostEnd + 1, appEnd + 1, procEnd)
    if (!origin) return undefined
    const time = parseIsoTime(line, timeStart, timeEnd)
    if (Number.isNaN(time)) return undefined
    this.lastDatedYear = yearOf(line, timeStart)
    let messageStart = msgIdEnd + 1
    // A strict RFC 5424 relay may add a nil STRUCTURED-DATA `-`; no platform message starts with `- `.
    if (line.charCodeAt(messageStart) === 45 && line.charCodeAt(messageStart + 1) === 32) messageStart += 2
    const messageEnd = trimmedEnd(line, messageStart, frameEnd)
    this.lineDyno = line.slice(appEnd + 1, procEnd)
    this.lineTime = time
    return this.parseMessage(line, messageStart, messageEnd, origin)
  }

  private yearForNoYearLine(month: number): number | undefined {
    if (this.noYearMonth === -1) {
      const year = this.defaultYear ?? this.lastDatedYear
      if (year === undefined) return undefined
      this.noYearYear = year
    } else if (this.noYearMonth - month > 6) {
      // A step back of more than half a year is the turn of the year, not lines out of order.
      this.noYearYear++
    }

    this.noYearMonth = month
    return this.noYearYear
  }

  // ---- messages ----

  private parseMessage(line: string, start: number, end: number, origin: Origin): LogEvent | undefined {
    if (start >= end) return undefined
    if (origin === 'api') return releaseEvent(line.slice(start, end), this.lineTime)
    switch (line.charCodeAt(start)) {
    case 67: { // C
      return isExactly(line, start, end, 'Cycling') ? this.dynoEvent({action: 'cycling'}) : undefined
    }

    case 69: { // E
      return this.memoryError(line, start, end)
    }

    case 80: { // P
      if (line.startsWith('Process running mem=', start)) return this.memoryReading(line, start + 20, end)
      if (!line.startsWith('Process exited with status ', start) || end - start - 27 > 3) return undefined
      const status = readDigits(line, start + 27, end - start - 27)
      return status >= 0 ? this.dynoEvent({action: 'exited', status}) : undefined
    }

    case 82: { // R
      return isExactly(line, start, end, 'Restarting') ? this.dynoEvent({action: 'restarting'}) : undefined
    }

    case 83: { // S
      return this.stateChange(line, start, end)
    }

    default: {
      return this.metricEvent(line, start, end)
    }
    }
  }

  /** Completes the change in place: one object per event, no spread on the hot path. */
  private dynoEvent(change: DynoStateChange): DynoEvent {
    const event = change as DynoEvent
    event.dyno = this.lineDyno
    event.kind = 'dyno'
    event.time = this.lineTime
    event.type = processTypeOf(event.dyno)
    return event
  }

  /** `Error R14 (Memory quota exceeded)`, `Error R15 (Memory quota vastly exceeded)`. */
  private memoryError(line: string, start: number, end: number): LogEvent | undefined {
    if (end < start + 9 || !line.startsWith('Error R1', start) || (end > start + 9 && line.charCodeAt(start + 9) !== 32)) return undefined
    const digit = line.charCodeAt(start + 8)
    const code = digit === 52 ? 'R14' : (digit === 53 ? 'R15' : undefined)
    if (!code) return undefined
    const dyno = this.lineDyno
    return {
      code, dyno, kind: 'error', time: this.lineTime, type: processTypeOf(dyno),
    }
  }

  /** `State changed from up to crashed`, `Starting process with command ...`, `Stopping ... with SIGTERM|SIGKILL`. */
  private stateChange(line: string, start: number, end: number): LogEvent | undefined {
    if (line.startsWith('State changed from ', start)) {
      const to = line.indexOf(' to ', start + 19)
      if (to === -1 || to >= end || !isWord(line, start + 19, to) || !isWord(line, to + 4, end)) return undefined
      const toState = line.slice(to + 4, end)
      return this.dynoEvent({action: toState === 'crashed' ? 'crashed' : 'state', from: line.slice(start + 19, to), to: toState})
    }

    if (line.startsWith('Starting process with command ', start)) {
      return this.dynoEvent({action: 'starting', command: commandOf(line, start + 30, end)})
    }

    if (line.startsWith('Stopping ', start)) {
      const kill = line.indexOf('SIGKILL', start)
      if (kill !== -1 && kill < end) return this.dynoEvent({action: 'sigkill'})
      const term = line.indexOf('SIGTERM', start)
      if (term !== -1 && term < end) return this.dynoEvent({action: 'stopping'})
      return undefined
    }

    return this.metricEvent(line, start, end)
  }

  /** `1013M(197.9%)` or `1028MB(103.3%)` after `Process running mem=`. */
  private memoryReading(line: string, start: number, end: number): LogEvent | undefined {
    const {lineDyno: dyno, lineTime: time} = this
    const open = line.indexOf('(', start)
    if (open === -1 || open >= end) return undefined
    const amount = this.readNumber(line, start, open)
    const mem = amount * sizeUnitFactor(line, this.numberEnd, open)
    const percent = this.readNumber(line, open + 1, end)
    const percentEnd = this.numberEnd
    if (percentEnd + 2 > end || line.charCodeAt(percentEnd) !== 37 /* % */ || line.charCodeAt(percentEnd + 1) !== 41 /* ) */) return undefined
    if (!Number.isFinite(mem) || !Number.isFinite(percent)) return undefined
    return {
      dyno, kind: 'reading', mem, percent, time, type: processTypeOf(dyno),
    }
  }

  /** `key=value` metric lines: current `sample#...` lines and the legacy `measure=... val=...` lines. */
  private metricEvent(line: string, start: number, end: number): LogEvent | undefined {
    const usual = this.usualMemoryLine(line, start, end)
    if (usual !== false) return usual
    const sample = line.indexOf('sample#', start)
    const legacy = sample === -1 || sample >= end ? line.indexOf('measure=', start) : -1
    if ((sample === -1 || sample >= end) && (legacy === -1 || legacy >= end)) return undefined

    const {values} = this
    values.fill(Number.NaN)
    let sourceStart = -1
    let sourceEnd = -1
    let instanceStart = -1
    let instanceEnd = -1
    let measure = -1
    let legacyValue = Number.NaN
    let unitsStart = -1
    let unitsEnd = -1
    let pos = start
    while (pos < end) {
      let tokenEnd = line.indexOf(' ', pos)
      if (tokenEnd === -1 || tokenEnd > end) tokenEnd = end
      const eq = line.indexOf('=', pos)
      if (eq !== -1 && eq < tokenEnd) {
        const keyLength = eq - pos
        const valueStart = eq + 1
        if (keyLength > 7 && line.startsWith('sample#', pos)) {
          const index = metricIndex(line, pos + 7, eq)
          if (index !== -1) values[index] = this.metricValue(index, line, valueStart, tokenEnd)
        } else if (keyLength === 6 && line.startsWith('source', pos)) {
          sourceStart = valueStart
          sourceEnd = tokenEnd
        } else if (keyLength === 4 && line.startsWith('dyno', pos)) {
          instanceStart = valueStart
          instanceEnd = tokenEnd
        } else if (keyLength === 7 && line.startsWith('measure', pos)) {
          measure = metricIndex(line, valueStart, tokenEnd)
        } else if (keyLength === 3 && line.startsWith('val', pos)) {
          legacyValue = this.readNumber(line, valueStart, tokenEnd)
          if (this.numberEnd !== tokenEnd) legacyValue = Number.NaN
        } else if (keyLength === 5 && line.startsWith('units', pos)) {
          unitsStart = valueStart
          unitsEnd = tokenEnd
        }
      }

      pos = tokenEnd + 1
    }

    if (legacy !== -1) {
      if (measure === -1 || Number.isNaN(legacyValue)) return undefined
      // Legacy `source=` is the instance (`heroku.<app>.web.1.<uuid>`); the dyno is the header's.
      const instance = sourceStart !== -1 && sourceEnd > sourceStart ? line.slice(sourceStart, sourceEnd) : undefined
      const factor = measure >= LOAD_1M || measure === PGPGIN || measure === PGPGOUT ? 1 : sizeUnitFactor(line, unitsStart, unitsEnd)
      return this.addLegacyMetric(instance, measure, legacyValue * factor)
    }

    const dyno = this.sourceDyno(line, sourceStart, sourceEnd)
    const instance = instanceEnd > instanceStart ? line.slice(instanceStart, instanceEnd) : undefined
    return sampleEvent(values, dyno, instance, this.lineTime)
  }

  /**
   * The memory line as the platform writes it, `source=S dyno=D` then the seven
   * `sample#memory_*` metrics in MiB and pages, in that order and nothing else: checked by one
   * regular expression (native code; no captures, so nothing to allocate), then read by
   * position with no key lookups. `false` on any other shape, which `metricEvent` then reads in
   * general; for this shape both readings give the same event.
   */
  private usualMemoryLine(line: string, start: number, end: number): LogEvent | false | undefined {
    USUAL_MEMORY_LINE.lastIndex = start
    if (!USUAL_MEMORY_LINE.test(line) || USUAL_MEMORY_LINE.lastIndex !== end) return false
    const sourceStart = start + 7
    const sourceEnd = line.indexOf(' ', sourceStart)
    const instanceStart = sourceEnd + 6
    const instanceEnd = line.indexOf(' ', instanceStart)
    const {values} = this
    let pos = instanceEnd + 1
    for (let index = TOTAL; index <= QUOTA; index++) {
      values[index] = this.readNumber(line, pos + USUAL_KEY_LENGTHS[index], end)
      // Past the unit the expression allowed (`MB`, `pages` or none) and the space.
      const unit = line.charCodeAt(this.numberEnd)
      pos = this.numberEnd + (unit === 77 /* M */ ? 3 : (unit === 112 /* p */ ? 6 : 1))
    }

    values[LOAD_1M] = Number.NaN
    values[LOAD_5M] = Number.NaN
    values[LOAD_15M] = Number.NaN
    const dyno = this.sourceDyno(line, sourceStart, sourceEnd)
    const instance = instanceEnd > instanceStart ? line.slice(instanceStart, instanceEnd) : undefined
    return sampleEvent(values, dyno, instance, this.lineTime)
  }

  /** The dyno a metric line's `source=` names, else the header's; the header's string when they are equal (no copy). */
  private sourceDyno(line: string, sourceStart: number, sourceEnd: number): string {
    const dyno = this.lineDyno
    if (sourceEnd <= sourceStart) return dyno
    if (sourceEnd - sourceStart === dyno.length && line.startsWith(dyno, sourceStart)) return dyno
    return isDynoName(line, sourceStart, sourceEnd) ? line.slice(sourceStart, sourceEnd) : dyno
  }

  /** One metric's value, MiB for sizes, pages for paging counters; NaN when malformed. */
  private metricValue(index: number, line: string, start: number, end: number): number {
    const amount = this.readNumber(line, start, end)
    if (index >= LOAD_1M) return this.numberEnd === end ? amount : Number.NaN
    if (index === PGPGIN || index === PGPGOUT) {
      return this.numberEnd === end || isExactly(line, this.numberEnd, end, 'pages') ? amount : Number.NaN
    }

    return amount * sizeUnitFactor(line, this.numberEnd, end)
  }

  /** A non-negative decimal (`491.32`, `12`, `.5`) at `start`; NaN when there is none. Sets `numberEnd`. */
  private readNumber(line: string, start: number, end: number): number {
    let pos = start
    let mantissa = 0
    let digits = 0
    let scale = 1
    while (pos < end) {
      const code = line.charCodeAt(pos)
      if (!isDigit(code)) break
      mantissa = (mantissa * 10) + code - 48
      digits++
      pos++
    }

    if (pos < end && line.charCodeAt(pos) === 46 /* . */) {
      pos++
      while (pos < end) {
        const code = line.charCodeAt(pos)
        if (!isDigit(code)) break
        mantissa = (mantissa * 10) + code - 48
        scale *= 10
        digits++
        pos++
      }
    }

    this.numberEnd = pos
    // Up to 15 digits the mantissa is an exact integer, so one division rounds like parseFloat.
    if (digits === 0 || digits > MAX_DIGITS) return Number.NaN
    return mantissa / scale
  }

  // ---- 2013 legacy metrics: one metric a line, grouped per instance ----

  private addLegacyMetric(instance: string | undefined, index: number, value: number): LogEvent | undefined {
    if (!Number.isFinite(value)) return undefined
    const {lineDyno: dyno, lineTime: time} = this
    const isLoad = index >= LOAD_1M
    const groups = isLoad ? this.legacyLoad : this.legacyMemory
    const key = instance ?? dyno
    let group = groups.get(key)
    let finished: LogEvent | undefined
    if (group && (!Number.isNaN(group.values[index]) || Math.abs(time - group.time) >= LEGACY_GROUP_WINDOW_MS)) {
      finished = legacyEvent(group)
      group = undefined
    }

    if (!group) {
      group = {
        dyno, instance, time, values: new Float64Array(METRIC_NAMES.length).fill(Number.NaN),
      }
      groups.set(key, group)
    }

    const {values} = group
    values[index] = value
    if ((isLoad ? LEGACY_LOAD_METRICS : LEGACY_MEMORY_METRICS).every(metric => !Number.isNaN(values[metric]))) {
      groups.delete(key)
      // A group that just began holds one metric, so it never completes while `finished` is set.
      return legacyEvent(group)
    }

    return finished
  }
}

function legacyEvent(group: LegacyGroup): LogEvent | undefined {
  return sampleEvent(group.values, group.dyno, group.instance, group.time)
}

/** A memory sample when the values hold an RSS, else a load sample when they hold a load, else nothing. */
function sampleEvent(values: Float64Array, dyno: string, instance: string | undefined, time: number): LogEvent | undefined {
  const type = processTypeOf(dyno)
  const rss = values[RSS]
  if (Number.isFinite(rss)) {
    const cache = finiteOr(values[CACHE], 0)
    const swap = finiteOr(values[SWAP], 0)
    const sample: MemorySample = {
      cache, dyno, kind: 'memory', rss, swap, time, total: finiteOr(values[TOTAL], rss + swap + cache), type,
    }
    if (instance !== undefined) sample.instance = instance
    if (Number.isFinite(values[PGPGIN])) sample.pgpgin = values[PGPGIN]
    if (Number.isFinite(values[PGPGOUT])) sample.pgpgout = values[PGPGOUT]
    if (values[QUOTA] > 0) sample.quota = values[QUOTA]
    return sample
  }

  const load1m = values[LOAD_1M]
  const load5m = values[LOAD_5M]
  const load15m = values[LOAD_15M]
  if (!Number.isFinite(load1m) && !Number.isFinite(load5m) && !Number.isFinite(load15m)) return undefined
  const load: LoadSample = {
    dyno, kind: 'load', time, type,
  }
  if (instance !== undefined) load.instance = instance
  if (Number.isFinite(load1m)) load.load1m = load1m
  if (Number.isFinite(load5m)) load.load5m = load5m
  if (Number.isFinite(load15m)) load.load15m = load15m
  return load
}

/** `app[api]` release lines; the actor (` by user x@y`) is cut, as the API's `description` has none. */
function releaseEvent(message: string, time: number): ReleaseEvent | undefined {
  const release = RELEASE.exec(message)
  const rollback = release ? null : ROLLBACK.exec(message)
  let action: ReleaseEvent['action']
  if (release) action = 'release'
  else if (rollback) action = 'rollback'
  else if (DEPLOY.test(message)) action = 'deploy'
  else if (CONFIG.test(message)) action = 'config'
  else if (SCALE.test(message)) action = 'scale'
  else return undefined

  const by = message.lastIndexOf(' by ')
  const event: ReleaseEvent = {
    action, description: by === -1 ? message : message.slice(0, by), kind: 'release', time,
  }
  const version = (release ?? rollback)?.[1]
  if (version !== undefined) event.version = Number(version)
  return event
}

// ---- helpers over `line[start, end)`: no allocation ----

/**
 * Who wrote the line, from its header fields only: the platform (`heroku`, any dyno but the
 * router; `heroku[api]` is the 2012 spelling of release lines) or the release log (`app[api]`).
 */
function originOf(line: string, sourceStart: number, dynoStart: number, dynoEnd: number): Origin | undefined {
  // One separator (`[`, `/`, space) always lies between the source and the dyno.
  const sourceLength = dynoStart - 1 - sourceStart
  const dynoLength = dynoEnd - dynoStart
  const isApi = dynoLength === 3 && line.startsWith('api', dynoStart)
  if (sourceLength === 6 && line.startsWith('heroku', sourceStart)) {
    if (isApi) return 'api'
    if (dynoLength === 6 && line.startsWith('router', dynoStart)) return undefined
    return isDynoName(line, dynoStart, dynoEnd) ? 'platform' : undefined
  }

  if (sourceLength === 3 && isApi && line.startsWith('app', sourceStart)) return 'api'
  return undefined
}

/** `web.1`, `run.1234`, `web-5d8f7c9b4-x2x7q`: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
function isDynoName(line: string, start: number, end: number): boolean {
  if (end <= start || end - start > MAX_DYNO_NAME) return false
  for (let pos = start; pos < end; pos++) {
    const code = line.charCodeAt(pos)
    const alnum = isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
    if (!alnum && (pos === start || (code !== 46 && code !== 45 && code !== 95))) return false
  }

  return true
}

/**
 * Epoch ms of `YYYY-MM-DD(T| )HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` filling `line[start, end)`;
 * no zone means UTC (Papertrail's `generated_at`). NaN when malformed or out of range.
 */
function parseIsoTime(line: string, start: number, end: number): number {
  if (end - start < 19) return Number.NaN
  const year = readDigits(line, start, 4)
  const month = readDigits(line, start + 5, 2)
  const day = readDigits(line, start + 8, 2)
  const hour = readDigits(line, start + 11, 2)
  const minute = readDigits(line, start + 14, 2)
  const second = readDigits(line, start + 17, 2)
  const separator = line.charCodeAt(start + 10)
  if (line.charCodeAt(start + 4) !== 45 || line.charCodeAt(start + 7) !== 45 || (separator !== 84 && separator !== 32)) return Number.NaN
  if (line.charCodeAt(start + 13) !== 58 || line.charCodeAt(start + 16) !== 58) return Number.NaN
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) return Number.NaN
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN

  let pos = start + 19
  let millis = 0
  if (line.charCodeAt(pos) === 46 /* . */) {
    const fractionStart = ++pos
    let unit = 100
    while (pos < end && isDigit(line.charCodeAt(pos))) {
      millis += (line.charCodeAt(pos++) - 48) * unit
      unit /= 10
    }

    if (pos === fractionStart) return Number.NaN
    // Digits past the millisecond add a fraction of one: truncate, as Date.parse does.
    millis = Math.floor(millis)
  }

  let offsetMinutes = 0
  const zone = line.charCodeAt(pos)
  if (zone === 90 /* Z */) pos++
  else if (zone === 43 /* + */ || zone === 45 /* - */) {
    const hours = readDigits(line, pos + 1, 2)
    const colon = line.charCodeAt(pos + 3) === 58 ? 1 : 0
    const minutes = readDigits(line, pos + 3 + colon, 2)
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN
    offsetMinutes = (zone === 43 ? 1 : -1) * ((hours * 60) + minutes)
    pos += 5 + colon
  }

  if (pos !== end) return Number.NaN
  return epochMs(year, month - 1, day, (hour * 3600) + (minute * 60) + second - (offsetMinutes * 60)) + millis
}

/**
 * Epoch ms of a UTC calendar day (month 0-11) plus seconds into it, by arithmetic: Date.UTC is
 * a runtime call, and this runs on every platform line. (Days from civil, H. Hinnant.)
 */
function epochMs(year: number, month: number, day: number, seconds: number): number {
  const shiftedYear = month < 2 ? year - 1 : year
  const era = Math.floor(shiftedYear / 400)
  const yearOfEra = shiftedYear - (era * 400)
  const dayOfYear = Math.floor(((153 * (month < 2 ? month + 10 : month - 2)) + 2) / 5) + day - 1
  const dayOfEra = (yearOfEra * 365) + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = (era * 146_097) + dayOfEra - 719_468
  return ((days * 86_400) + seconds) * 1000
}

/** The 4-digit year a dated line starts with at `start` (already validated by `parseIsoTime`). */
function yearOf(line: string, start: number): number {
  return readDigits(line, start, 4)
}

/** The unsigned integer of exactly `count` digits at `start`, else -1. */
function readDigits(line: string, start: number, count: number): number {
  if (count <= 0 || count > MAX_DIGITS) return -1
  let value = 0
  for (let pos = start; pos < start + count; pos++) {
    const code = line.charCodeAt(pos)
    if (!isDigit(code)) return -1
    value = (value * 10) + code - 48
  }

  return value
}

/** MiB per unit: Heroku's `MB` (and `M`) is MiB; no unit means MB. NaN for an unknown unit. */
function sizeUnitFactor(line: string, start: number, end: number): number {
  if (start < 0 || end <= start) return 1
  switch (end - start) {
  case 1: {
    const unit = line.charCodeAt(start)
    if (unit === 77) return 1 // M
    if (unit === 71) return 1024 // G
    if (unit === 75 || unit === 107) return 1 / 1024 // K, k
    if (unit === 66) return 1 / (1024 * 1024) // B
    return Number.NaN
  }

  case 2: {
    if (line.charCodeAt(start + 1) !== 66) return Number.NaN
    const unit = line.charCodeAt(start)
    if (unit === 77) return 1 // MB
    if (unit === 71) return 1024 // GB
    if (unit === 75 || unit === 107) return 1 / 1024 // KB, kB
    return Number.NaN
  }

  case 3: {
    if (line.startsWith('MiB', start)) return 1
    if (line.startsWith('GiB', start)) return 1024
    if (line.startsWith('KiB', start)) return 1 / 1024
    return Number.NaN
  }

  default: {
    return Number.NaN
  }
  }
}

/** Three cheap features that tell the metric names apart; a candidate is then confirmed by one comparison. */
function metricKey(text: string, start: number, length: number): number {
  return (((text.charCodeAt(start + 7) * 128) + text.charCodeAt(start + 9)) * 32) + length
}

const METRIC_BY_KEY = new Map(METRIC_NAMES.map((name, index) => [metricKey(name, 0, name.length), index]))

/** The index of the metric named in `line[start, end)` (`memory_rss`, `load_avg_1m`, ...), else -1. */
function metricIndex(line: string, start: number, end: number): number {
  const index = METRIC_BY_KEY.get(metricKey(line, start, end - start))
  return index !== undefined && line.startsWith(METRIC_NAMES[index], start) ? index : -1
}

/**
 * Where a frame of `octets` UTF-8 bytes starting at `start` ends, as a string index (at most
 * `limit`). A U+FFFD in the frame may stand for one invalid byte the app wrote, so its length in
 * the string is unknown: the frame then takes the rest of the line, lest the app's own text be
 * read as the next (platform) frame.
 */
function frameEndIndex(line: string, start: number, octets: number, limit: number): number {
  // Each UTF-16 unit is at most 3 bytes: a count this large covers the rest of the line.
  if (octets >= 3 * (limit - start)) return limit
  let bytes = 0
  let pos = start
  while (pos < limit && bytes < octets) {
    const code = line.charCodeAt(pos++)
    if (code < 0x80) bytes += 1
    else if (code < 0x8_00) bytes += 2
    else if (code >= 0xD8_00 && code <= 0xDB_FF && pos < limit && line.charCodeAt(pos) >= 0xDC_00 && line.charCodeAt(pos) <= 0xDF_FF) {
      bytes += 4
      pos++
    } else if (code === 0xFF_FD) return limit
    else bytes += 3
  }

  return pos
}

/** `123 <` at `start`: an octet-counted syslog frame begins there. */
function isSyslogCount(line: string, start: number, end: number): boolean {
  let pos = start
  while (pos < end && isDigit(line.charCodeAt(pos))) pos++
  return pos > start && pos - start < 10 && line.charCodeAt(pos) === 32 && line.charCodeAt(pos + 1) === 60
}

/** The command between backticks (one-off dynos add ` by user ...` after them), else the rest of the line. */
function commandOf(line: string, start: number, end: number): string {
  if (line.charCodeAt(start) === 96 /* ` */) {
    const close = line.lastIndexOf('`', end - 1)
    if (close > start) return line.slice(start + 1, close)
  }

  return line.slice(start, end)
}

function isExactly(line: string, start: number, end: number, text: string): boolean {
  return end - start === text.length && line.startsWith(text, start)
}

/** A state name: non-empty, lower-case letters only (`up`, `starting`, `crashed`). */
function isWord(line: string, start: number, end: number): boolean {
  if (end <= start || end - start > 32) return false
  for (let pos = start; pos < end; pos++) {
    const code = line.charCodeAt(pos)
    if (code < 97 || code > 122) return false
  }

  return true
}

function monthIndex(line: string, start: number): number {
  for (const [index, name] of MONTHS.entries()) if (line.startsWith(name, start)) return index
  return -1
}

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month]
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
}

/** End of `line[start, end)` without trailing spaces, `\r` and `\n`. */
function trimmedEnd(line: string, start: number, end: number): number {
  let pos = end
  while (pos > start) {
    const code = line.charCodeAt(pos - 1)
    if (code !== 32 && code !== 13 && code !== 10) break
    pos--
  }

  return pos
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback
}
