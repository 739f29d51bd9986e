/**
 * `Error L10 (output buffer overflow)`: Logplex could not keep up and dropped lines of the log.
 * Two wordings are known:
 * - `Error L10 (output buffer overflow): drain 'd.<token>' dropped 12 messages since 2025-10-22T14:24:27.798935+00:00.`
 * - `Error L10 (output buffer overflow): 500 messages dropped since 2013-04-17T19:04:46+00:00.`
 */
import type {LinesDropped, LogEvent} from '../events.js'
import type {LineContext} from './header.js'

import {Char} from './chars.js'
import {parseIsoTime} from './time.js'

const L10 = 'Error L10'
const DETAILS = /(?:dropped (\d{1,9}) messages?|(\d{1,9}) messages? dropped) since (\S+?)\.?$/

/**
 * Hands an L10 line to the context's `onLinesDropped`, when the caller asked for them; never a
 * `LogEvent` itself (undefined), so callers that did not ask see nothing new.
 */
export function linesDropped(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  const {onLinesDropped} = context
  if (onLinesDropped === undefined || !line.startsWith(L10, start)) return undefined
  const after = start + L10.length
  if (after < end && line.charCodeAt(after) !== Char.Space) return undefined
  const details = DETAILS.exec(line.slice(after, end))
  const count = details ? Number(details[1] ?? details[2]) : Number.NaN
  const since = details ? parseIsoTime(details[3], 0, details[3].length) : Number.NaN
  const drop: LinesDropped = {kind: 'dropped', time: context.time}
  if (Number.isFinite(count)) drop.count = count
  if (Number.isFinite(since)) drop.since = since
  onLinesDropped(drop)
  return undefined
}
