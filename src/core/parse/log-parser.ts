/**
 * LogParser: the one parser of every log shape the plugin reads, one raw line at a time.
 *
 * Shapes (they may be mixed in one input):
 * 1. `heroku logs`:          `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: MESSAGE` (heroku-logs-shape.ts)
 * 2. syslog drain frames:    `335 <134>1 2023-08-24T10:28:47.153192+00:00 host heroku web.1 - MESSAGE`,
 *                            with or without host field and octet count, several to a body, after a
 *                            collector's receive time, or stored without `<PRI>VERSION` (syslog-shape.ts)
 * 3. 2013 legacy metrics:    `measure=memory_total val=509 units=MB`, one metric a line, in any shape (legacy.ts)
 * 4. Papertrail archive TSV: `id \t generated_at \t received_at \t ... \t program \t message`
 * 5. no-year syslog lines:   `Nov 21 14:14:58 myapp heroku/web.4: MESSAGE`, and drains stored by rsyslog/Splunk,
 *                            `Sep  3 07:15:22 d.<token> heroku[web.1] - MESSAGE` (papertrail-shapes.ts)
 * test/fixtures/logs/every-shape.log holds one line of each, with where it comes from. Any of them
 * may come with terminal colour codes (a saved `FORCE_COLOR=1 heroku logs`), or indented by a
 * Markdown copy (an issue's or a README's code block): `parse` drops both first.
 *
 * Only the line's own source field decides whether it is the platform speaking (`heroku[...]`,
 * syslog app-name `heroku`, program `heroku/...`): see `finishHeader`. The only app lines
 * accepted are release lines of dyno `api`.
 *
 * Hot path: most lines are router or app lines; they are rejected by a few index checks on the
 * header, before any timestamp parsing, regex or allocation.
 */
import type {LinesDropped, LogEvent, RouterRequest} from '../events.js'
import type {HeaderFields, LineContext} from './header.js'

import {
  blanksEnd, Char, digitsEnd, isDigit, isUpper, trimmedEnd,
} from './chars.js'
import {emptyFields, finishHeader} from './header.js'
import {readHerokuLogsFields} from './heroku-logs-shape.js'
import {LegacyGroups} from './legacy.js'
import {ByteLineState, memorySampleBytes, readPlatformHeader} from './memory-line-bytes.js'
import {messageEvent} from './messages.js'
import {readArchiveFields, readNoYearFields} from './papertrail-shapes.js'
import {routerRequestBytes} from './router-line-bytes.js'
import {METRIC_NAMES} from './samples.js'
import {
  collectorFrameStart, isSyslogCount, readStampedFrameFields, readSyslogFields,
} from './syslog-shape.js'
import {withoutTerminalCodes} from './terminal-codes.js'
import {NoYearCalendar} from './time.js'

export interface LogParserOptions {
  /**
   * The year of the first line of a shape that carries no year (Papertrail search output); later
   * lines roll over to the next year when the month steps back (Dec -> Jan). Callers pass the
   * current year. Without it, the year of the last fully dated line seen is used, and no-year lines
   * met before any dated line are skipped.
   */
  defaultYear?: number
  /**
   * Called with each `Error L10` line (Logplex dropped lines: the log has a gap). Without it,
   * those lines give nothing. A reader that drops lines by EVENT_NEEDLES must also keep those
   * holding `Error L10`.
   */
  onLinesDropped?: (drop: LinesDropped) => void
  /**
   * Called with each router line's request (for per-request analysis). Without it, router lines
   * are rejected by their header as before, at no cost. EVENT_NEEDLES do not find router lines:
   * a reader that prefilters must keep those holding `status=` too.
   */
  onRouterRequest?: (request: RouterRequest) => void
}

/** The shortest line that can be an event. */
const MIN_LINE = 16
/** Lines the byte reader leaves to the string path are decoded as Buffer#toString does it (a BOM kept). */
const UTF8 = new TextDecoder('utf8', {ignoreBOM: true})

/**
 * Turns raw log lines into `LogEvent`s. Keeps state only for the 2013 legacy format (one metric a
 * line, grouped into one sample) and for the year of no-year lines: use one parser per input.
 */
export class LogParser {
  private readonly bytes = new ByteLineState()
  private readonly context: LineContext
  /** Where the header fields of the line being read lie. */
  private readonly fields: HeaderFields = emptyFields()

  constructor(options: LogParserOptions = {}) {
    const year = options.defaultYear
    const defaultYear = year !== undefined && Number.isInteger(year) && year >= 1970 && year <= 9999 ? year : undefined
    this.context = {
      calendar: new NoYearCalendar(defaultYear),
      dyno: '',
      legacy: new LegacyGroups(),
      onLinesDropped: options.onLinesDropped,
      onRouterRequest: options.onRouterRequest,
      origin: 'platform',
      read: {end: 0},
      routerLines: options.onRouterRequest !== undefined,
      time: 0,
      values: new Float64Array(METRIC_NAMES.length),
    }
  }

  /** Legacy groups still waiting for their last metric, oldest first; call at the end of input. */
  flush(): LogEvent[] {
    return this.context.legacy.flush()
  }

  /**
   * One raw line (no trailing newline; a trailing `\r` is fine) to its event, or undefined when it
   * is not a platform event (or, for legacy lines, when the group it belongs to is not complete).
   * A drain body with several frames on one line yields its first frame only: kept for the callers
   * that read one event a line; new callers use `parseAll`, which gives them all. Never throws.
   */
  parse(raw: string): LogEvent | undefined {
    // A saved `heroku logs` output may be coloured: the platform's text lies between the codes.
    const line = withoutIndent(withoutTerminalCodes(raw))
    const end = trimmedEnd(line, 0, line.length)
    if (end < MIN_LINE) return undefined
    const {context, fields} = this
    const first = line.charCodeAt(0)
    let found = false
    if (isDigit(first)) {
      const pos = digitsEnd(line, 1, end)
      const next = line.charCodeAt(pos)
      if (next === Char.Dash && pos === 4) found = readHerokuLogsFields(line, end, fields) || readStampedFrameFields(line, end, fields)
      else if (next === Char.Space) found = readFrameFields(line, isSyslogCount(line, 0, end) ? 0 : collectorFrameStart(line, end), end, fields)
      else if (next === Char.Tab) found = readArchiveFields(line, pos + 1, end, fields)
    } else if (first === Char.LessThan) {
      found = readSyslogFields(line, 0, end, fields)
    } else if (isUpper(first)) {
      found = readNoYearFields(line, end, fields)
    }

    // The one step every shape shares: judge the header, then read the message.
    if (!found || !finishHeader(line, fields, context)) return undefined
    return messageEvent(line, fields.messageStart, fields.messageEnd, context)
  }

  /**
   * `parseAll` for a line still in UTF-8 bytes, `bytes[start, end)` (no newline): the entry for
   * readers of saved logs. The usual memory line, most of what they hold, is read from the bytes
   * (memory-line-bytes.ts: no string per line), and so are router lines when they are asked for
   * (router-line-bytes.ts); any other line is decoded and read by `parseAll`.
   * Gives the same events as `parseAll` of the decoded line.
   */
  parseAllBytes(bytes: Uint8Array, start: number, end: number, emit: (event: LogEvent) => void): void {
    let trimmed = end
    while (trimmed > start && isTrailing(bytes[trimmed - 1])) trimmed--
    const {bytes: state, context} = this
    state.use(bytes)
    // The header is read once; the router's lines go to the router reader, the others to the memory reader.
    if (readPlatformHeader(bytes, start, trimmed, state)) {
      if (context.routerLines && routerRequestBytes(bytes, trimmed, context, state)) return
      const sample = memorySampleBytes(bytes, trimmed, context, state)
      if (sample) {
        emit(sample)
        return
      }
    }

    this.parseAll(UTF8.decode(bytes.subarray(start, end)), emit)
  }

  /**
   * Every event of one raw line, in order, to `emit`: the call for every reader (live tail,
   * watchdog, history and files alike), e.g. `parser.parseAll(line, event => board.add(event))`.
   * A line may be a drain body holding several octet-counted syslog frames, glued or apart by
   * spaces or line breaks; they are split by their octet counts only, so text inside one frame's
   * message can never pose as another frame. Any other line is read as `parse` reads it. Nothing
   * is allocated beyond the events themselves (pass a callback made once, not one a line).
   */
  parseAll(raw: string, emit: (event: LogEvent) => void): void {
    const line = withoutIndent(raw)
    const end = trimmedEnd(line, 0, line.length)
    if (!isDigit(line.charCodeAt(0)) || !isSyslogCount(line, 0, end)) {
      const event = this.parse(line)
      if (event) emit(event)
      return
    }

    const {context, fields} = this
    let start = 0
    while (start < end) {
      fields.frameEnd = end
      const event = readSyslogFields(line, start, end, fields) && finishHeader(line, fields, context)
        ? messageEvent(line, fields.messageStart, fields.messageEnd, context)
        : undefined
      if (event) emit(event)
      start = fields.frameEnd
      while (start < end && isFrameSeparator(line.charCodeAt(start))) start++
      if (!isSyslogCount(line, start, end)) return
    }
  }
}

/**
 * The line without the spaces or tabs a Markdown copy puts before it (an indented code block, a
 * list item's fenced block): no log shape starts with one. The line itself when it has none.
 */
function withoutIndent(line: string): string {
  const code = line.charCodeAt(0)
  return code === Char.Space || code === Char.Tab ? line.slice(blanksEnd(line, 0, line.length)) : line
}

/** What trimmedEnd drops at a line's end: spaces, `\r`, `\n`. */
function isTrailing(code: number): boolean {
  return code === Char.Space || code === Char.CarriageReturn || code === Char.LineFeed
}

/** Frames of a body may be glued, or apart by spaces or line breaks. */
function isFrameSeparator(code: number): boolean {
  return code === Char.Space || code === Char.LineFeed || code === Char.CarriageReturn
}

/** The syslog frame at `start`, -1 meaning there is none. */
function readFrameFields(line: string, start: number, end: number, fields: HeaderFields): boolean {
  return start !== -1 && readSyslogFields(line, start, end, fields)
}
