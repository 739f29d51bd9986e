/**
 * Router lines, one per request, read only for a caller that asks (`onRouterRequest`):
 * `at=info method=GET path="/x?y=1" host=acme.herokuapp.com request_id=3f1c fwd="203.0.113.7"
 * dyno=web.3 connect=0ms service=2340ms status=200 bytes=880123 protocol=https`
 * (`at=error` lines add `code=H12 desc="Request timeout"`; 2013 lines leave `path` unquoted).
 */
import type {LogEvent, RouterRequest} from '../events.js'
import type {LineContext} from './header.js'

import {processTypeOf} from '../events.js'
import {Char} from './chars.js'
import {isDynoName} from './header.js'
import {readNumber} from './numbers.js'

/**
 * Hands the request of a router line to the context's `onRouterRequest`; never a `LogEvent`
 * itself (undefined). A quoted value (`path`, `desc`, `fwd`) is skipped whole, so text the
 * client chose can never pose as another field; of a repeated key the first counts.
 */
export function routerRequest(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  const {onRouterRequest} = context
  if (onRouterRequest === undefined) return undefined
  let method: string | undefined
  let path: string | undefined
  let dyno: string | undefined
  let code: string | undefined
  let serviceMs = Number.NaN
  let status = Number.NaN
  let bytes = Number.NaN
  let pos = start
  while (pos < end) {
    const eq = line.indexOf('=', pos)
    if (eq === -1 || eq >= end) break
    const quoted = line.charCodeAt(eq + 1) === Char.Quote
    const valueStart = quoted ? eq + 2 : eq + 1
    let valueEnd = line.indexOf(quoted ? '"' : ' ', valueStart)
    if (valueEnd === -1 || valueEnd > end) valueEnd = end
    const key = line.slice(pos, eq)
    switch (key) {
    case 'method': {
      method ??= line.slice(valueStart, valueEnd)
      break;
    }

    case 'path': {
      path ??= line.slice(valueStart, valueEnd)
      break;
    }

    case 'dyno': {
      dyno ??= isDynoName(line, valueStart, valueEnd) ? line.slice(valueStart, valueEnd) : ''
      break;
    }

    case 'code': {
      code ??= line.slice(valueStart, valueEnd)
      break;
    }

    default: {if (key === 'service' && Number.isNaN(serviceMs)) serviceMs = millis(line, valueStart, valueEnd, context)
    else if (key === 'status' && Number.isNaN(status)) status = wholeNumber(line, valueStart, valueEnd, context)
    else if (key === 'bytes' && Number.isNaN(bytes)) bytes = wholeNumber(line, valueStart, valueEnd, context)
    }
    }

    pos = line.indexOf(' ', quoted ? valueEnd + 1 : valueEnd)
    if (pos === -1) break
    while (pos < end && line.charCodeAt(pos) === Char.Space) pos++
  }

  if (method === undefined || path === undefined || Number.isNaN(status) || Number.isNaN(serviceMs)) return undefined
  const served = dyno ?? ''
  const request: RouterRequest = {
    dyno: served, kind: 'router', method, path, serviceMs, status, time: context.time, type: processTypeOf(served),
  }
  if (Number.isFinite(bytes)) request.bytes = bytes
  if (code !== undefined) request.code = code
  onRouterRequest(request)
  return undefined
}

/** `2340ms` to 2340; NaN when malformed. */
function millis(line: string, start: number, end: number, context: LineContext): number {
  const value = readNumber(line, start, end, context.read)
  return context.read.end === end - 2 && line.startsWith('ms', end - 2) ? value : Number.NaN
}

function wholeNumber(line: string, start: number, end: number, context: LineContext): number {
  const value = readNumber(line, start, end, context.read)
  return context.read.end === end && Number.isInteger(value) ? value : Number.NaN
}
