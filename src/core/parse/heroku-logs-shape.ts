/**
 * The shape `heroku logs` prints: `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: MESSAGE`.
 * Some drains store it with the drain's token before the source:
 * `2013-04-17T19:04:46+00:00 d.1234-drain-identifier-567 heroku[logplex]: MESSAGE`.
 */
import type {HeaderFields} from './header.js'

import {Char} from './chars.js'

/** `heroku` is the longest source before the `[`. */
const MAX_SOURCE = 6

/** Finds the fields of a line that starts with an ISO date (`YYYY-`); false when it is not this shape. */
export function readHerokuLogsFields(line: string, end: number, fields: HeaderFields): boolean {
  const timeEnd = line.indexOf(' ', 19)
  if (timeEnd === -1 || timeEnd >= end) return false
  let sourceStart = timeEnd + 1
  let open = line.indexOf('[', sourceStart)
  if ((open === -1 || open - sourceStart > MAX_SOURCE) && line.startsWith('d.', sourceStart)) {
    sourceStart = line.indexOf(' ', sourceStart) + 1
    open = sourceStart === 0 ? -1 : line.indexOf('[', sourceStart)
  }

  if (open === -1 || open - sourceStart > MAX_SOURCE) return false
  const close = line.indexOf(']', open)
  if (close === -1 || close + 2 >= end || line.charCodeAt(close + 1) !== Char.Colon || line.charCodeAt(close + 2) !== Char.Space) return false
  fields.sourceStart = sourceStart
  fields.dynoStart = open + 1
  fields.dynoEnd = close
  fields.timeStart = 0
  fields.timeEnd = timeEnd
  fields.noYear = false
  fields.messageStart = close + 3
  fields.messageEnd = end
  return true
}
