/**
 * The shape `heroku logs` prints: `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: MESSAGE`.
 * Drains write their token before the source, with or without the colon:
 * `2013-04-17T19:04:46+00:00 d.1234-drain-identifier-567 heroku[logplex]: MESSAGE`,
 * `2013-01-01T01:01:01.000000+00:00 d.9173ea1f-6f14-4976-9cf0-7cd0dafdcdbc heroku[web.1] MESSAGE`.
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
  let drainToken = false
  if ((open === -1 || open - sourceStart > MAX_SOURCE) && line.startsWith('d.', sourceStart)) {
    drainToken = true
    sourceStart = line.indexOf(' ', sourceStart) + 1
    open = sourceStart === 0 ? -1 : line.indexOf('[', sourceStart)
  }

  if (open === -1 || open - sourceStart > MAX_SOURCE) return false
  const close = line.indexOf(']', open)
  if (close === -1 || close + 2 >= end) return false
  let messageStart = close + 3
  if (line.charCodeAt(close + 1) !== Char.Colon || line.charCodeAt(close + 2) !== Char.Space) {
    if (!drainToken || line.charCodeAt(close + 1) !== Char.Space) return false
    messageStart = close + 2
  }

  fields.sourceStart = sourceStart
  fields.dynoStart = open + 1
  fields.dynoEnd = close
  fields.timeStart = 0
  fields.timeEnd = timeEnd
  fields.noYear = false
  fields.messageStart = messageStart
  fields.messageEnd = end
  return true
}
