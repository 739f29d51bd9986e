/**
 * The header of a drain's syslog frame read from its bytes, for the byte reader of memory lines
 * (memory-line-bytes.ts): `335 <45>1 2023-08-24T10:28:47.153192+00:00 host heroku web.1 - MESSAGE`,
 * with or without the octet count and the host field. Only a line that is one whole frame is
 * taken (a count that covers the rest of the line, or none); the fields are found exactly as
 * readSyslogFields finds them in the decoded line (syslog-shape.ts), so anything this reads, the
 * string path reads the same way, and anything else is left to it.
 */
import {Char, isDigit} from './chars.js'

/** Where a line's header fields lie (byte offsets). */
export interface HeaderSpan {
  dynoEnd: number
  dynoStart: number
  messageStart: number
  timeEnd: number
  timeStart: number
}

/** As syslog-shape.ts: an octet count has at most 9 digits, `<PRI>` is 1 to 3 characters between `<` and `>`. */
const MAX_COUNT_DIGITS = 9
const MAX_PRI_LENGTH = 4

/**
 * Whether `bytes[start, end)` (end: after trailing spaces and `\r`) is one whole drain frame
 * whose source is `heroku`; its fields into `head`.
 */
export function readDrainHeaderBytes(bytes: Uint8Array, start: number, end: number, head: HeaderSpan): boolean {
  let pos = start
  if (isDigit(bytes[pos])) {
    let octets = 0
    while (pos < end && isDigit(bytes[pos]) && pos - start < MAX_COUNT_DIGITS) octets = (octets * 10) + bytes[pos++] - Char.Digit0
    if (bytes[pos] !== Char.Space) return false
    pos++
    // A shorter count: more frames follow on the line (a drain body), which the string path splits.
    if (octets < end - pos) return false
  }

  if (bytes[pos] !== Char.LessThan) return false
  const priEnd = indexOfByte(bytes, Char.GreaterThan, pos, end)
  if (priEnd === -1 || priEnd - pos > MAX_PRI_LENGTH || priEnd - pos < 2) return false
  const timeStart = indexOfByte(bytes, Char.Space, priEnd, end) + 1
  if (timeStart === 0 || timeStart - priEnd > 4) return false
  const timeEnd = indexOfByte(bytes, Char.Space, timeStart, end)
  const firstEnd = timeEnd === -1 ? -1 : indexOfByte(bytes, Char.Space, timeEnd + 1, end)
  const secondEnd = firstEnd === -1 ? -1 : indexOfByte(bytes, Char.Space, firstEnd + 1, end)
  const thirdEnd = secondEnd === -1 ? -1 : indexOfByte(bytes, Char.Space, secondEnd + 1, end)
  if (thirdEnd === -1) return false
  let msgIdEnd: number
  let sourceStart: number
  if (isSourceName(bytes, firstEnd + 1, secondEnd)) {
    // HOST APP-NAME PROCID MSGID
    msgIdEnd = indexOfByte(bytes, Char.Space, thirdEnd + 1, end)
    sourceStart = firstEnd + 1
    head.dynoStart = secondEnd + 1
    head.dynoEnd = thirdEnd
  } else {
    // APP-NAME PROCID MSGID, where MSGID is nil or a drain token.
    const msgIdStart = secondEnd + 1
    const nil = thirdEnd === msgIdStart + 1 && bytes[msgIdStart] === Char.Dash
    if (!nil && !(bytes[msgIdStart] === Char.LowerD && bytes[msgIdStart + 1] === Char.Dot)) return false
    msgIdEnd = thirdEnd
    sourceStart = timeEnd + 1
    head.dynoStart = firstEnd + 1
    head.dynoEnd = secondEnd
  }

  if (msgIdEnd === -1) return false
  // The platform's frames only (the release log, `app api`, is the string path's).
  if (!isHeroku(bytes, sourceStart, head.dynoStart - 1)) return false
  let messageStart = msgIdEnd + 1
  // A strict RFC 5424 relay may add a nil STRUCTURED-DATA `-`; no platform message starts with `- `.
  if (bytes[messageStart] === Char.Dash && bytes[messageStart + 1] === Char.Space) messageStart += 2
  head.timeStart = timeStart
  head.timeEnd = timeEnd
  head.messageStart = messageStart
  return true
}

/** The first `byte` in `bytes[from, end)`, else -1. */
function indexOfByte(bytes: Uint8Array, byte: number, from: number, end: number): number {
  for (let pos = from; pos < end; pos++) if (bytes[pos] === byte) return pos
  return -1
}

/** `heroku` or `app`, as isSourceName (header.ts). */
function isSourceName(bytes: Uint8Array, start: number, end: number): boolean {
  return isHeroku(bytes, start, end) || (end - start === 3 && bytes[start] === 0x61 && bytes[start + 1] === 0x70 && bytes[start + 2] === 0x70)
}

function isHeroku(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 6) return false
  for (let i = 0; i < 6; i++) if (bytes[start + i] !== 'heroku'.charCodeAt(i)) return false
  return true
}
