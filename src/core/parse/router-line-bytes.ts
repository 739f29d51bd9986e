/**
 * A router line read straight from its UTF-8 bytes, for a caller that asks for router lines
 * (mem:blame, the HTML report): `2026-11-20T10:12:00.123456+00:00 heroku[router]: at=info
 * method=GET path="/x" host=... dyno=web.3 connect=0ms service=2340ms status=200 bytes=880123
 * protocol=https`, or the same as a drain's frame. Router lines are most of a busy app's log;
 * the string path decodes each whole line, parses its stamp afresh and slices its fields, where
 * this decodes only the path (and reuses the method and dyno strings) and reads the stamp's hour
 * once. It reads exactly as router-lines.ts does: keys, quotes and spaces are ASCII, and UTF-8
 * never hides an ASCII byte inside another character, so the fields lie between the same
 * delimiters in the bytes as in the decoded line. A kept text value (method, path, code) with a
 * byte over 0x7F, a header it does not know or any other doubt leaves the line to the string
 * path (false), which has the last word.
 */
import type {RouterRequest} from '../events.js'
import type {LineContext} from './header.js'

import {Char} from './chars.js'
import {
  type ByteLineState, equalsText, nameEnd, readPlatformHeader,
} from './memory-line-bytes.js'
import {type ReadEnd, readNumberBytes} from './numbers.js'

/** The usual methods: a line carrying one of them gets this string, not a new one. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']
const ASCII_LIMIT = 0x80

/**
 * Hands the request of the router line `bytes[start, end)` (end: after trailing spaces and `\r`)
 * to the context's `onRouterRequest`, as the string path would, and returns true; false when the
 * line is not one this reads (then the string path reads it, and decides).
 */
export function routerLineBytes(bytes: Uint8Array, start: number, end: number, context: LineContext, state: ByteLineState): boolean {
  state.use(bytes)
  return readPlatformHeader(bytes, start, end, state) && routerRequestBytes(bytes, end, context, state)
}

/**
 * `routerLineBytes` once `readPlatformHeader` has read the line's header into `state.head`
 * (LogParser.parseAllBytes reads it once for both byte readers).
 */
export function routerRequestBytes(bytes: Uint8Array, end: number, context: LineContext, state: ByteLineState): boolean {
  const {onRouterRequest} = context
  if (onRouterRequest === undefined) return false
  const {head} = state
  if (!equalsText(bytes, head.dynoStart, head.dynoEnd, 'router')) return false
  const time = state.isoTime(bytes, head.timeStart, head.timeEnd)
  if (Number.isNaN(time)) return false
  const {messageStart} = head
  if (messageStart >= end) return false

  let method: string | undefined
  let path: string | undefined
  let dyno: string | undefined
  let type = ''
  let code: string | undefined
  let serviceMs = Number.NaN
  let status = Number.NaN
  let size = Number.NaN
  let pos = messageStart
  while (pos < end) {
    const eq = indexOfByte(bytes, Char.Equals, pos, end)
    if (eq === -1) break
    const quoted = eq + 1 < end && bytes[eq + 1] === Char.Quote
    const valueStart = quoted ? eq + 2 : eq + 1
    let valueEnd = indexOfByte(bytes, quoted ? Char.Quote : Char.Space, valueStart, end)
    if (valueEnd === -1) valueEnd = end
    // The keys the string path keeps, compared in place; of a repeated key the first counts.
    switch (eq - pos) {
    case 4: {
      if (path === undefined && equalsText(bytes, pos, eq, 'path')) {
        if (!isAscii(bytes, valueStart, valueEnd)) return false
        path = state.text(bytes, valueStart, valueEnd)
      } else if (dyno === undefined && equalsText(bytes, pos, eq, 'dyno')) {
        // A dyno name (as isDynoName, header.ts, accepts it), else ''.
        const named = nameEnd(bytes, valueStart, valueEnd) === valueEnd ? state.dyno(bytes, valueStart, valueEnd) : undefined
        dyno = named?.name ?? ''
        type = named?.type ?? ''
      } else if (code === undefined && equalsText(bytes, pos, eq, 'code')) {
        if (!isAscii(bytes, valueStart, valueEnd)) return false
        code = state.text(bytes, valueStart, valueEnd)
      }

      break
    }

    case 5: {
      if (Number.isNaN(size) && equalsText(bytes, pos, eq, 'bytes')) size = wholeNumber(bytes, valueStart, valueEnd, context.read)
      break
    }

    case 6: {
      if (method === undefined && equalsText(bytes, pos, eq, 'method')) {
        method = methodOf(bytes, valueStart, valueEnd, state)
        if (method === undefined) return false
      } else if (Number.isNaN(status) && equalsText(bytes, pos, eq, 'status')) {
        status = wholeNumber(bytes, valueStart, valueEnd, context.read)
      }

      break
    }

    case 7: {
      if (Number.isNaN(serviceMs) && equalsText(bytes, pos, eq, 'service')) serviceMs = millis(bytes, valueStart, valueEnd, context.read)
      break
    }
    }

    // The next key starts after the next space (after a quoted value's closing quote) and any more spaces.
    const next = indexOfByte(bytes, Char.Space, quoted ? valueEnd + 1 : valueEnd, end)
    if (next === -1) break
    pos = next
    while (pos < end && bytes[pos] === Char.Space) pos++
  }

  context.calendar.noteDatedYear(state.hourYear)
  context.origin = 'router'
  context.dyno = 'router'
  context.time = time
  if (method === undefined || path === undefined || Number.isNaN(status) || Number.isNaN(serviceMs)) return true
  const request: RouterRequest = {
    dyno: dyno ?? '', kind: 'router', method, path, serviceMs, status, time, type,
  }
  if (Number.isFinite(size)) request.bytes = size
  if (code !== undefined) request.code = code
  onRouterRequest(request)
  return true
}

/** The method's string (one of the usual ones reused); undefined when it is not ASCII. */
function methodOf(bytes: Uint8Array, start: number, end: number, state: ByteLineState): string | undefined {
  for (const method of METHODS) if (equalsText(bytes, start, end, method)) return method
  return isAscii(bytes, start, end) ? state.text(bytes, start, end) : undefined
}

/** A non-negative decimal as readNumber reads it, which must end at `end - 2` before `ms`; NaN otherwise. */
function millis(bytes: Uint8Array, start: number, end: number, read: ReadEnd): number {
  if (end - start < 2 || bytes[end - 2] !== Char.LowerM || bytes[end - 1] !== Char.LowerS) return Number.NaN
  return decimal(bytes, start, end - 2, read)
}

/** A whole number as readNumber reads it, filling `[start, end)` exactly; NaN otherwise. */
function wholeNumber(bytes: Uint8Array, start: number, end: number, read: ReadEnd): number {
  const value = decimal(bytes, start, end, read)
  return Number.isInteger(value) ? value : Number.NaN
}

/** readNumber's decimal filling `[start, end)` exactly; NaN otherwise. */
function decimal(bytes: Uint8Array, start: number, end: number, read: ReadEnd): number {
  const value = readNumberBytes(bytes, start, end, read)
  return read.end === end ? value : Number.NaN
}

/** The first `byte` in `bytes[from, end)`, else -1. */
function indexOfByte(bytes: Uint8Array, byte: number, from: number, end: number): number {
  for (let pos = from; pos < end; pos++) if (bytes[pos] === byte) return pos
  return -1
}

function isAscii(bytes: Uint8Array, from: number, end: number): boolean {
  for (let pos = from; pos < end; pos++) if (bytes[pos] >= ASCII_LIMIT) return false
  return true
}
