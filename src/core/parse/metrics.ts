/**
 * `key=value` metric lines: the current `sample#memory_*` / `sample#load_avg_*` lines, and the
 * 2013 legacy `measure=... val=... units=...` lines (handed to the context's legacy groups).
 */
import type {LogEvent} from '../events.js'
import type {LineContext} from './header.js'

import {Char, isExactly} from './chars.js'
import {isDynoName} from './header.js'
import {readNumber, sizeUnitFactor} from './numbers.js'
import {
  isLoadMetric, isPageCount, Metric, METRIC_NAMES, metricIndex, sampleEvent,
} from './samples.js'

/** A decimal as `readNumber` reads it: digits, with at most one `.`, at least one digit. */
const USUAL_NUMBER = String.raw`(?:\d+\.?\d*|\.\d+)`
/** The platform's memory line, metrics in the order it writes them: see `usualMemoryLine`. */
const USUAL_MEMORY_LINE = new RegExp(
  `source=[^ ]* dyno=[^ ]* sample#memory_total=${USUAL_NUMBER}MB sample#memory_rss=${USUAL_NUMBER}MB `
  + `sample#memory_cache=${USUAL_NUMBER}MB sample#memory_swap=${USUAL_NUMBER}MB sample#memory_pgpgin=${USUAL_NUMBER}(?:pages)? `
  + `sample#memory_pgpgout=${USUAL_NUMBER}(?:pages)? sample#memory_quota=${USUAL_NUMBER}MB`,
  'y',
)
/** Length of `sample#<name>=`, by metric index. */
const USUAL_KEY_LENGTHS = METRIC_NAMES.map(name => name.length + 8)
/** `source=` */
const SOURCE_KEY_LENGTH = 7
/** ` dyno=` */
const INSTANCE_KEY_LENGTH = 6

/** The event of a metric line in `line[start, end)`, else undefined (a legacy line may only feed a group). */
export function metricEvent(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  const usual = usualMemoryLine(line, start, end, context)
  if (usual !== false) return usual
  const sample = line.indexOf('sample#', start)
  const legacy = sample === -1 || sample >= end ? line.indexOf('measure=', start) : -1
  if ((sample === -1 || sample >= end) && (legacy === -1 || legacy >= end)) return undefined

  const {read, values} = context
  values.fill(Number.NaN)
  let sourceStart = -1
  let sourceEnd = -1
  let instanceStart = -1
  let instanceEnd = -1
  let measure = -1
  let legacyValue = Number.NaN
  let unitsStart = -1
  let unitsEnd = -1
  let pos = start
  while (pos < end) {
    let tokenEnd = line.indexOf(' ', pos)
    if (tokenEnd === -1 || tokenEnd > end) tokenEnd = end
    const eq = line.indexOf('=', pos)
    if (eq !== -1 && eq < tokenEnd) {
      const keyLength = eq - pos
      const valueStart = eq + 1
      if (keyLength > 7 && line.startsWith('sample#', pos)) {
        const index = metricIndex(line, pos + 7, eq)
        if (index !== -1) values[index] = metricValue(index, line, valueStart, tokenEnd, tokenEnd === end, context)
      } else if (keyLength === 6 && line.startsWith('source', pos)) {
        sourceStart = valueStart
        sourceEnd = tokenEnd
      } else if (keyLength === 4 && line.startsWith('dyno', pos)) {
        instanceStart = valueStart
        instanceEnd = tokenEnd
      } else if (keyLength === 7 && line.startsWith('measure', pos)) {
        measure = metricIndex(line, valueStart, tokenEnd)
      } else if (keyLength === 3 && line.startsWith('val', pos)) {
        legacyValue = readNumber(line, valueStart, tokenEnd, read)
        if (read.end !== tokenEnd) legacyValue = Number.NaN
      } else if (keyLength === 5 && line.startsWith('units', pos)) {
        unitsStart = valueStart
        unitsEnd = tokenEnd
      }
    }

    pos = tokenEnd + 1
  }

  if (legacy !== -1) {
    if (measure === -1 || Number.isNaN(legacyValue)) return undefined
    // Legacy `source=` is the instance (`heroku.<app>.web.1.<uuid>`); the dyno is the header's.
    const instance = sourceStart !== -1 && sourceEnd > sourceStart ? line.slice(sourceStart, sourceEnd) : undefined
    const factor = isLoadMetric(measure) || isPageCount(measure) ? 1 : sizeUnitFactor(line, unitsStart, unitsEnd)
    return context.legacy.add(context.dyno, instance, context.time, measure, legacyValue * factor)
  }

  const dyno = sourceDyno(line, sourceStart, sourceEnd, context.dyno)
  const instance = instanceEnd > instanceStart ? line.slice(instanceStart, instanceEnd) : undefined
  return sampleEvent(values, dyno, instance, context.time)
}

/**
 * The memory line as the platform writes it, `source=S dyno=D` then the seven
 * `sample#memory_*` metrics in MiB and pages, in that order and nothing else: checked by one
 * regular expression (native code; no captures, so nothing to allocate), then read by
 * position with no key lookups. `false` on any other shape, which `metricEvent` then reads in
 * general; for this shape both readings give the same event.
 */
function usualMemoryLine(line: string, start: number, end: number, context: LineContext): LogEvent | false | undefined {
  USUAL_MEMORY_LINE.lastIndex = start
  if (!USUAL_MEMORY_LINE.test(line) || USUAL_MEMORY_LINE.lastIndex !== end) return false
  const sourceStart = start + SOURCE_KEY_LENGTH
  const sourceEnd = line.indexOf(' ', sourceStart)
  const instanceStart = sourceEnd + INSTANCE_KEY_LENGTH
  const instanceEnd = line.indexOf(' ', instanceStart)
  const {read, values} = context
  let pos = instanceEnd + 1
  for (let index = Metric.Total; index <= Metric.Quota; index++) {
    values[index] = readNumber(line, pos + USUAL_KEY_LENGTHS[index], end, read)
    // Past the unit the expression allowed (`MB`, `pages` or none) and the space.
    const unit = line.charCodeAt(read.end)
    pos = read.end + (unit === Char.UpperM ? 3 : (unit === Char.LowerP ? 6 : 1))
  }

  values[Metric.Load1m] = Number.NaN
  values[Metric.Load5m] = Number.NaN
  values[Metric.Load15m] = Number.NaN
  const dyno = sourceDyno(line, sourceStart, sourceEnd, context.dyno)
  const instance = instanceEnd > instanceStart ? line.slice(instanceStart, instanceEnd) : undefined
  return sampleEvent(values, dyno, instance, context.time)
}

/** The dyno a metric line's `source=` names, else the header's; the header's string when they are equal (no copy). */
function sourceDyno(line: string, sourceStart: number, sourceEnd: number, headerDyno: string): string {
  if (sourceEnd <= sourceStart) return headerDyno
  if (sourceEnd - sourceStart === headerDyno.length && line.startsWith(headerDyno, sourceStart)) return headerDyno
  return isDynoName(line, sourceStart, sourceEnd) ? line.slice(sourceStart, sourceEnd) : headerDyno
}

/**
 * One metric's value, MiB for sizes, pages for paging counters; NaN when malformed. A size with
 * no unit is MiB, except as the line's last word: the platform always writes the unit, so there
 * the line was cut (a copy from a viewer or an issue: `sample#memory_quota=5` of `512.00MB`).
 */
function metricValue(index: number, line: string, start: number, end: number, last: boolean, context: LineContext): number {
  const {read} = context
  const amount = readNumber(line, start, end, read)
  if (isLoadMetric(index)) return read.end === end ? amount : Number.NaN
  if (isPageCount(index)) return read.end === end || isExactly(line, read.end, end, 'pages') ? amount : Number.NaN
  if (last && read.end === end) return Number.NaN
  return amount * sizeUnitFactor(line, read.end, end)
}
