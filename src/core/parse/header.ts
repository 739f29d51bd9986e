/**
 * The header of a log line: who wrote it, which dyno, when. Each shape's reader (heroku-logs,
 * syslog, papertrail) only finds where the fields lie; `finishHeader` is the one step that judges
 * them, so every shape trusts a line on the same rule.
 */
import type {LinesDropped, RouterRequest} from '../events.js'
import type {LegacyGroups} from './legacy.js'
import type {ReadEnd} from './numbers.js'

import {Char} from './chars.js'
import {
  isoYear, NoYearCalendar, noYearTime, parseIsoTime,
} from './time.js'

/**
 * Who wrote a line: the platform about a dyno, the release log (`app[api]`, 2012's
 * `heroku[api]`), or the router (only when the parser was asked for router lines).
 */
export type Origin = 'api' | 'platform' | 'router'

/** Where a shape's reader found the header's fields; positions in the line. */
export interface HeaderFields {
  /** The source (`heroku`, `app`) is `line[sourceStart, dynoStart - 1)`: one separator lies between. */
  sourceStart: number
  dynoStart: number
  dynoEnd: number
  timeStart: number
  timeEnd: number
  /** The time is a BSD stamp without a year (`Nov 21 14:14:58`), else an ISO one. */
  noYear: boolean
  messageStart: number
  /** The message's end, trailing spaces left out. */
  messageEnd: number
  /** Syslog only: where the frame ends (the next frame of a drain body starts there). */
  frameEnd: number
}

/**
 * The line being read, as the message readers see it: its header (set by `finishHeader`), the
 * parser's scratch records, and the state that spans lines (legacy groups). One per parser,
 * reused for every line, so reading a line allocates nothing until it yields an event.
 */
export interface LineContext {
  origin: Origin
  dyno: string
  time: number
  readonly calendar: NoYearCalendar
  readonly legacy: LegacyGroups
  /** Scratch: where the last number read ended. */
  readonly read: ReadEnd
  /** Scratch: one metric line's values, by metric index. */
  readonly values: Float64Array
  /** Read `heroku[router]` lines (origin `router`): set when `onRouterRequest` is. */
  readonly routerLines: boolean
  readonly onLinesDropped: ((drop: LinesDropped) => void) | undefined
  readonly onRouterRequest: ((request: RouterRequest) => void) | undefined
}

export function emptyFields(): HeaderFields {
  return {
    dynoEnd: 0, dynoStart: 0, frameEnd: 0, messageEnd: 0, messageStart: 0, noYear: false, sourceStart: 0, timeEnd: 0, timeStart: 0,
  }
}

const MAX_DYNO_NAME = 64

/**
 * The one step after every shape: checks who wrote the line (before the time, so other lines
 * cost no more), reads the time, and sets the context's header. False when the line is not
 * one to read.
 */
export function finishHeader(line: string, fields: HeaderFields, context: LineContext): boolean {
  const origin = originOf(line, fields.sourceStart, fields.dynoStart, fields.dynoEnd, context.routerLines)
  if (origin === undefined) return false
  const {timeEnd, timeStart} = fields
  let time: number
  if (fields.noYear) {
    time = noYearTime(line, timeStart, timeEnd, context.calendar)
  } else {
    time = parseIsoTime(line, timeStart, timeEnd)
    if (!Number.isNaN(time)) context.calendar.noteDatedYear(isoYear(line, timeStart))
  }

  if (Number.isNaN(time)) return false
  context.origin = origin
  context.dyno = line.slice(fields.dynoStart, fields.dynoEnd)
  context.time = time
  return true
}

/**
 * Who wrote the line, from its header fields only: the platform (`heroku`, any dyno but the
 * router) or the release log (`app[api]`, `heroku[api]`). App output can hold any text,
 * including copies of platform lines: only these fields, which Logplex writes, are trusted.
 */
export function originOf(line: string, sourceStart: number, dynoStart: number, dynoEnd: number, routerLines: boolean): Origin | undefined {
  const sourceLength = dynoStart - 1 - sourceStart
  const dynoLength = dynoEnd - dynoStart
  const isApi = dynoLength === 3 && line.startsWith('api', dynoStart)
  if (sourceLength === 6 && line.startsWith('heroku', sourceStart)) {
    if (isApi) return 'api'
    if (dynoLength === 6 && line.startsWith('router', dynoStart)) return routerLines ? 'router' : undefined
    return isDynoName(line, dynoStart, dynoEnd) ? 'platform' : undefined
  }

  if (sourceLength === 3 && isApi && line.startsWith('app', sourceStart)) return 'api'
  return undefined
}

/** `web.1`, `run.1234`, `web-5d8f7c9b4-x2x7q`: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function isDynoName(line: string, start: number, end: number): boolean {
  if (end <= start || end - start > MAX_DYNO_NAME) return false
  for (let pos = start; pos < end; pos++) {
    const code = line.charCodeAt(pos)
    // Range checks written out: this runs on every character of every platform line's dyno.
    const alphanumeric = (code >= Char.Digit0 && code <= Char.Digit9) || (code >= Char.UpperA && code <= Char.UpperZ) || (code >= Char.LowerA && code <= Char.LowerZ)
    if (!alphanumeric && (pos === start || (code !== Char.Dot && code !== Char.Dash && code !== Char.Underscore))) return false
  }

  return true
}

/** `heroku` or `app` at `line[start, end)`: an app-name a syslog frame's header can carry. */
export function isSourceName(line: string, start: number, end: number): boolean {
  const length = end - start
  return (length === 6 && line.startsWith('heroku', start)) || (length === 3 && line.startsWith('app', start))
}
