/**
 * Syslog frames (RFC 5424) as Logplex drains send them, one or several to a body:
 * - `335 <134>1 2023-08-24T10:28:47.153192+00:00 host heroku web.1 - MESSAGE` (the octet count is optional)
 * - no host field: `<45>1 2021-06-14T08:02:41.208317+00:00 heroku web.1 - - MESSAGE`
 * - the 2012 drain layout, the drain's token as MSGID: `<40>1 2012-10-02T19:21:07+00:00 heroku web.2 d.<token> - MESSAGE`
 * - after a log collector's receive time: `14 Jun 2021 16:02:41.731204 <45>1 ...`, or
 *   `2015-10-14 17:47:27.564 295 <158>1 ...` (Logentries)
 * - stored without `<PRI>VERSION`, the stamp's date and clock apart by a space:
 *   `2015-01-26 00:16:57.648942+00:00 heroku web.1 - - MESSAGE`
 */
import type {HeaderFields} from './header.js'

import {
  Char, digitsEnd, isDigit, trimmedEnd,
} from './chars.js'
import {isSourceName} from './header.js'
import {monthIndex, parseIsoTime} from './time.js'

/** An octet count has at most 9 digits. */
const MAX_COUNT_DIGITS = 9
/** `<PRI>` is `<` and 1 to 3 digits. */
const MAX_PRI_LENGTH = 4

/**
 * Finds the fields of the frame `[OCTETS ]<PRI>VERSION TIMESTAMP [HOST] APP-NAME PROCID MSGID [-] MESSAGE`
 * at `start`. Sets `fields.frameEnd` (by the octet count, else `end`) as soon as the count is read,
 * even when the frame is not one to read, so a body's next frame is found.
 */
export function readSyslogFields(line: string, start: number, end: number, fields: HeaderFields): boolean {
  let pos = start
  let frameEnd = end
  if (isDigit(line.charCodeAt(pos))) {
    let octets = 0
    while (pos < end && isDigit(line.charCodeAt(pos)) && pos - start < MAX_COUNT_DIGITS) octets = (octets * 10) + line.charCodeAt(pos++) - Char.Digit0
    if (line.charCodeAt(pos) !== Char.Space) return false
    pos++
    frameEnd = frameEndIndex(line, pos, octets, end)
  }

  fields.frameEnd = frameEnd
  if (line.charCodeAt(pos) !== Char.LessThan) return false
  const priEnd = line.indexOf('>', pos)
  if (priEnd === -1 || priEnd - pos > MAX_PRI_LENGTH || priEnd - pos < 2) return false
  const timeStart = line.indexOf(' ', priEnd) + 1
  if (timeStart === 0 || timeStart - priEnd > 4) return false
  return readFrameHeader(line, timeStart, line.indexOf(' ', timeStart), frameEnd, fields)
}

/**
 * A frame after an ISO stamp at the line's start, the stamp's end found as readHerokuLogsFields
 * finds it (the first space from its 20th character on): either a log collector's receive time
 * then a whole frame (`2015-10-14 17:47:27.564 295 <158>1 2015-10-14T17:46:05.971610+00:00 heroku
 * router - - ...`, as Logentries shows it; the frame's own time is the event's), or the frame's
 * own stamp with its `<PRI>VERSION` left out (`2015-01-26 00:16:57.648942+00:00 heroku web.1 - -
 * MESSAGE`). False when it is neither.
 */
export function readStampedFrameFields(line: string, end: number, fields: HeaderFields): boolean {
  const timeEnd = line.indexOf(' ', 19)
  if (timeEnd === -1 || timeEnd >= end) return false
  const next = timeEnd + 1
  if (line.charCodeAt(next) === Char.LessThan || isSyslogCount(line, next, end)) {
    return !Number.isNaN(parseIsoTime(line, 0, timeEnd)) && readSyslogFields(line, next, end, fields)
  }

  fields.frameEnd = end
  return readFrameHeader(line, 0, timeEnd, end, fields)
}

/**
 * The fields of `TIMESTAMP [HOST] APP-NAME PROCID MSGID [-] MESSAGE`, the stamp at
 * `line[timeStart, timeEnd)`, up to `frameEnd`. The header has a host field when its second field
 * is an app-name (`heroku`, `app`), as Logplex writes it.
 */
function readFrameHeader(line: string, timeStart: number, timeEnd: number, frameEnd: number, fields: HeaderFields): boolean {
  const firstEnd = timeEnd === -1 ? -1 : line.indexOf(' ', timeEnd + 1)
  const secondEnd = firstEnd === -1 ? -1 : line.indexOf(' ', firstEnd + 1)
  const thirdEnd = secondEnd === -1 ? -1 : line.indexOf(' ', secondEnd + 1)
  if (thirdEnd === -1) return false
  let msgIdEnd: number
  if (isSourceName(line, firstEnd + 1, secondEnd)) {
    // HOST APP-NAME PROCID MSGID
    msgIdEnd = line.indexOf(' ', thirdEnd + 1)
    fields.sourceStart = firstEnd + 1
    fields.dynoStart = secondEnd + 1
    fields.dynoEnd = thirdEnd
  } else {
    // APP-NAME PROCID MSGID, where MSGID is nil or a drain token.
    const msgIdStart = secondEnd + 1
    if (!(thirdEnd === msgIdStart + 1 && line.charCodeAt(msgIdStart) === Char.Dash) && !line.startsWith('d.', msgIdStart)) return false
    msgIdEnd = thirdEnd
    fields.sourceStart = timeEnd + 1
    fields.dynoStart = firstEnd + 1
    fields.dynoEnd = secondEnd
  }

  if (msgIdEnd === -1 || msgIdEnd >= frameEnd) return false
  let messageStart = msgIdEnd + 1
  // A strict RFC 5424 relay may add a nil STRUCTURED-DATA `-`; no platform message starts with `- `.
  if (line.charCodeAt(messageStart) === Char.Dash && line.charCodeAt(messageStart + 1) === Char.Space) messageStart += 2
  fields.timeStart = timeStart
  fields.timeEnd = timeEnd
  fields.noYear = false
  fields.messageStart = messageStart
  fields.messageEnd = trimmedEnd(line, messageStart, frameEnd)
  return true
}

/** `123 <` at `start`: an octet-counted syslog frame begins there. */
export function isSyslogCount(line: string, start: number, end: number): boolean {
  const pos = digitsEnd(line, start, end)
  return pos > start && pos - start <= MAX_COUNT_DIGITS && line.charCodeAt(pos) === Char.Space && line.charCodeAt(pos + 1) === Char.LessThan
}

/**
 * Where the frame after a log collector's receive time starts (`14 Jun 2021 16:02:41.731204 <45>1 ...`:
 * the index of its `<`), else -1. The frame's own time is the event's; the receive time is dropped.
 */
export function collectorFrameStart(line: string, end: number): number {
  // `D[D] Mon YYYY HH:MM:SS[.ffffff] <`
  const dayEnd = digitsEnd(line, 0, 3)
  if (dayEnd === 0 || dayEnd > 2 || monthIndex(line, dayEnd + 1) === -1 || line.charCodeAt(dayEnd + 4) !== Char.Space) return -1
  const yearStart = dayEnd + 5
  const clockStart = yearStart + 5
  if (digitsEnd(line, yearStart, end) !== clockStart - 1 || line.charCodeAt(clockStart - 1) !== Char.Space) return -1
  if (digitsEnd(line, clockStart, end) !== clockStart + 2 || line.charCodeAt(clockStart + 2) !== Char.Colon) return -1
  if (digitsEnd(line, clockStart + 3, end) !== clockStart + 5 || line.charCodeAt(clockStart + 5) !== Char.Colon) return -1
  let pos = clockStart + 6
  if (digitsEnd(line, pos, end) !== pos + 2) return -1
  pos += 2
  if (line.charCodeAt(pos) === Char.Dot) pos = digitsEnd(line, pos + 1, end)
  return line.charCodeAt(pos) === Char.Space && line.charCodeAt(pos + 1) === Char.LessThan ? pos + 1 : -1
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
    else if (isHighSurrogate(code) && pos < limit && isLowSurrogate(line.charCodeAt(pos))) {
      bytes += 4
      pos++
    } else if (code === 0xFF_FD) return limit
    else bytes += 3
  }

  return pos
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xD8_00 && code <= 0xDB_FF
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xDC_00 && code <= 0xDF_FF
}
