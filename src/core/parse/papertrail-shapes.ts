/**
 * Saved logs from log add-ons and syslog servers:
 * - Papertrail archive TSV: `id \t generated_at \t received_at \t ... \t program \t message`
 * - BSD syslog lines, no year: Papertrail search output and viewer copies
 *   (`Nov 21 14:14:58 myapp heroku/web.4: MESSAGE`, sometimes with two spaces after the colon),
 *   and drains stored by rsyslog or Splunk (`Sep  3 07:15:22 d.<token> heroku[web.1] - MESSAGE`,
 *   also seen without the ` -`).
 */
import type {HeaderFields} from './header.js'

import {Char, spacesEnd} from './chars.js'
import {noYearStampEnd} from './time.js'

/** Columns between generated_at and program: received_at, source_id, source_name, source_ip, facility_name, severity_name. */
const SKIPPED_COLUMNS = 6

/** Finds the fields of an archive row whose `generated_at` starts at `generatedStart`; false when it is not this shape. */
export function readArchiveFields(line: string, generatedStart: number, end: number, fields: HeaderFields): boolean {
  const generatedEnd = line.indexOf('\t', generatedStart)
  let programStart = generatedEnd
  for (let skipped = 0; skipped < SKIPPED_COLUMNS && programStart !== -1; skipped++) programStart = line.indexOf('\t', programStart + 1)
  if (programStart === -1 || programStart >= end) return false
  programStart++
  const programEnd = line.indexOf('\t', programStart)
  if (programEnd === -1 || programEnd >= end) return false
  const slash = line.indexOf('/', programStart)
  if (slash === -1 || slash > programEnd) return false
  fields.sourceStart = programStart
  fields.dynoStart = slash + 1
  fields.dynoEnd = programEnd
  fields.timeStart = generatedStart
  fields.timeEnd = generatedEnd
  fields.noYear = false
  fields.messageStart = programEnd + 1
  fields.messageEnd = end
  return true
}

/**
 * Finds the fields of `Mon D HH:MM:SS HOST PROGRAM MESSAGE`, where PROGRAM is `heroku/web.4:`,
 * `heroku[web.4]:`, `heroku[web.4] -` or `heroku[web.4]`; false when it is not this shape.
 */
export function readNoYearFields(line: string, end: number, fields: HeaderFields): boolean {
  const stampEnd = noYearStampEnd(line, 0)
  if (stampEnd === -1) return false
  const hostEnd = line.indexOf(' ', stampEnd + 1)
  if (hostEnd === -1 || hostEnd === stampEnd + 1) return false
  const programStart = hostEnd + 1
  let programEnd = line.indexOf(' ', programStart)
  if (programEnd === -1 || programEnd + 1 >= end) return false
  let messageStart = programEnd + 1
  if (line.charCodeAt(programEnd - 1) === Char.Colon) {
    programEnd--
  } else if (line.charCodeAt(programEnd - 1) === Char.CloseBracket) {
    // A nil STRUCTURED-DATA `-` after the program; no platform message starts with `- `.
    if (line.charCodeAt(messageStart) === Char.Dash && line.charCodeAt(messageStart + 1) === Char.Space) messageStart += 2
  } else {
    return false
  }

  let dynoStart: number
  let dynoEnd: number
  if (line.charCodeAt(programEnd - 1) === Char.CloseBracket) {
    dynoStart = line.indexOf('[', programStart) + 1
    dynoEnd = programEnd - 1
  } else {
    dynoStart = line.indexOf('/', programStart) + 1
    dynoEnd = programEnd
  }

  if (dynoStart === 0 || dynoStart > dynoEnd) return false
  fields.sourceStart = programStart
  fields.dynoStart = dynoStart
  fields.dynoEnd = dynoEnd
  fields.timeStart = 0
  fields.timeEnd = stampEnd
  fields.noYear = true
  // A viewer's copy may put two spaces after the program.
  fields.messageStart = spacesEnd(line, messageStart, end)
  fields.messageEnd = end
  return true
}
