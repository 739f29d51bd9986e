import {
  bold, green, red, yellow,
} from 'ansis'

import type {DynoReport, ProcessTypeReport, Report} from '../core/report/report-schema.js'

import {formatDuration, formatHours} from '../core/format-duration.js'
import {currentProjection} from '../core/report/current-instance.js'
import {releaseLabel} from '../core/report/release-timeline.js'
import {terminalChart} from './report-chart.js'
import {plural} from './units.js'
import {visibleLength, wrapText} from './wrap-text.js'

const SOURCE_NAMES = {
  files: 'saved logs', history: 'recent log history', live: 'live log stream', store: 'recorded history and recent log',
}

/** The readable report: header, per-type tables, verdicts, advice, and a chart per dyno. */
export function reportText(report: Report, options: {charts?: boolean; width?: number; wrap?: number} = {}): string {
  const out: string[] = []
  const where = report.source.app ? ` for ${bold(report.source.app)}` : ''
  if (report.dynos.length === 0) return `No memory samples${where}.\n`
  const window = `${isoMinute(report.from)} to ${isoMinute(report.to)} UTC (${formatDuration(report.spanSeconds)})`
  const readings = report.coverage ? ` and ${plural(report.readings ?? 0, 'reading')} over the quota` : ''
  out.push(`Memory report${where}: ${window}, ${plural(report.samples, 'sample')}${readings} from ${plural(report.dynos.length, 'dyno')}, ${SOURCE_NAMES[report.source.kind]}`)
  for (const note of report.notes) out.push(yellow(note))
  if (report.releases.length > 0) {
    out.push(`Releases: ${report.releases.map(release => `${releaseLabel(release)} ${isoMinute(release.time)}${release.version === undefined ? '' : ` ${release.description}`}`).join('; ')}`)
  }

  for (const type of report.processTypes) {
    const {listed, unlisted} = listedDynos(report.dynos.filter(dyno => dyno.type === type.type))
    out.push('', ...typeSection(type, listed, unlisted, options.wrap))
    if (options.charts !== false) for (const dyno of listed) out.push('', ...dynoChart(dyno, options.width ?? 60))
  }

  const failed = report.failOn.filter(result => result.met)
  if (failed.length > 0) out.push('', red(`--fail-on met: ${failed.map(result => `${result.condition}: ${result.detail}`).join('; ')}`))
  // Tables and charts fit by construction; prose wraps at spaces to the terminal (`wrap`: its width).
  return `${out.flatMap(line => (isProse(line) ? wrapText(line, options.wrap, hangingIndent(line)) : [line])).join('\n')}\n`
}

/** Chart rows and table rows (columns apart by two spaces or more) are drawn to fit; the rest is prose. */
function isProse(line: string): boolean {
  return !/[┤└─]/.test(line) && !/\S {2,}\S/.test(line)
}

/** Advice items (`  - ...`) hang under their text; other prose keeps its own indent. */
function hangingIndent(line: string): string {
  const item = /^(\s*)- /.exec(line)
  return item ? `${item[1]}  ` : /^\s*/.exec(line)![0] || '  '
}

/**
 * A process type's dynos listed (table rows, charts) at most: past it the text lists the
 * LISTED_OF_MANY that matter most (R15, R14, time over the quota, peak) and sums up the rest in
 * one line; --json and --html keep every dyno. A month of Scheduler jobs is thousands of
 * one-off `run` dynos, each a row and a chart.
 */
const MAX_LISTED = 40
const LISTED_OF_MANY = 20

function listedDynos(dynos: DynoReport[]): {listed: DynoReport[]; unlisted: DynoReport[]} {
  if (dynos.length <= MAX_LISTED) return {listed: dynos, unlisted: []}
  const first = new Set([...dynos].sort(byConcern).slice(0, LISTED_OF_MANY))
  return {listed: dynos.filter(dyno => first.has(dyno)), unlisted: dynos.filter(dyno => !first.has(dyno))}
}

/** R15 first, then R14, time over the quota, the peak's share of it; by name among equals. */
function byConcern(a: DynoReport, b: DynoReport): number {
  return b.r15 - a.r15 || b.r14 - a.r14 || b.secondsOverQuota - a.secondsOverQuota || b.peakPercentOfQuota - a.peakPercentOfQuota || a.name.localeCompare(b.name)
}

/** The dynos not listed, in one line: how high they went and what happened to them. */
function unlistedLine(type: string, dynos: DynoReport[]): string {
  const peaks = dynos.map(dyno => dyno.memoryMaxMb)
  const sum = (count: (dyno: DynoReport) => number): number => dynos.reduce((total, dyno) => total + count(dyno), 0)
  const highest = Math.max(...dynos.map(dyno => dyno.peakPercentOfQuota))
  const [lowest, peak] = [Math.min(...peaks), Math.max(...peaks)]
  return `  ... and ${dynos.length} more ${type} dynos, not listed: ${lowest === peak ? `peaks ${mb(peak)} MB` : `peaks ${mb(lowest)} to ${mb(peak)} MB`}`
    + ` (at most ${Math.round(highest)}% of the quota), ${sum(dyno => dyno.r14)} R14, ${sum(dyno => dyno.r15)} R15,`
    + ` ${formatDuration(sum(dyno => dyno.secondsOverQuota))} over the quota (every dyno: --json or --html)`
}

function typeSection(type: ProcessTypeReport, listed: DynoReport[], unlisted: DynoReport[], wrap?: number): string[] {
  const size = type.size === undefined ? '' : `${type.size}, `
  const count = listed.length + unlisted.length
  const dynos = listed.filter(dyno => !dyno.readingsOnly)
  const readingsOnly = listed.filter(dyno => dyno.readingsOnly)
  const verdict = dynos.length === 0 ? 'no verdict without samples' : verdictText(type.verdict, type.confidence)
  const lines = [
    `${bold(type.type)} (${plural(count, 'dyno')}, ${size}quota ${type.quotaMb} MB): ${verdict}${patternText(type)}`,
    `  ${type.story}`,
  ]
  if (dynos.length > 0) lines.push('', ...sampledTable(dynos, wrap))
  if (unlisted.length > 0) lines.push(unlistedLine(type.type, unlisted))
  if (readingsOnly.length > 0) lines.push('', ...readingsTable(readingsOnly))
  if (type.advice.length > 0) lines.push('', '  What to do:', ...type.advice.map(advice => `  - ${advice.text}`))
  return lines
}

/** Dynos seen only through `Process running` readings (no log-runtime-metrics): what those show. */
function readingsTable(dynos: DynoReport[]): string[] {
  return [
    '  Over the quota (from "Process running" readings; below the quota unseen):',
    ...table([
      ['dyno', 'readings', 'over quota', 'peak MB', '% quota', 'R14', 'R15', 'restarts'],
      ...dynos.map(dyno => [
        dyno.name,
        String(dyno.readings ?? 0),
        formatDuration(dyno.secondsOverQuota),
        mb(dyno.memoryMaxMb),
        `${Math.round(dyno.peakPercentOfQuota)}%`,
        String(dyno.r14),
        String(dyno.r15),
        restartsText(dyno.restarts),
      ]),
    ]).map(line => `  ${line}`),
  ]
}

interface SampledColumn {
  cell: (dyno: DynoReport) => string
  title: string
}

const SAMPLED_COLUMNS: SampledColumn[] = [
  {cell: dyno => dyno.name, title: 'dyno'},
  {cell: dyno => String(dyno.samples), title: 'samples'},
  {cell: dyno => formatDuration((dyno.to - dyno.from) / 1000), title: 'span'},
  {cell: dyno => mb(dyno.rss.p50), title: 'rss p50'},
  {cell: dyno => mb(dyno.rss.p95), title: 'p95'},
  {cell: dyno => mb(dyno.rss.max), title: 'max'},
  {cell: dyno => mb(dyno.memoryMaxMb), title: 'rss+swap'},
  {cell: dyno => `${Math.round(dyno.peakPercentOfQuota)}%`, title: '% quota'},
  {cell: dyno => formatDuration(dyno.secondsOverQuota), title: 'over quota'},
  {cell: dyno => mb(dyno.swapMaxMb), title: 'swap max'},
  {cell: dyno => String(dyno.r14), title: 'R14'},
  {cell: dyno => String(dyno.r15), title: 'R15'},
  {cell: dyno => restartsText(dyno.restarts), title: 'restarts'},
  {cell: dynoVerdict, title: 'verdict'},
]

/**
 * On a terminal narrower than the table (it is ~120 columns: 80 wrapped every row in two), these
 * columns are left out in this order; a pipe or a file keeps them all. The peak, % of quota,
 * R14/R15, restarts and the verdict always stay; without p50 and p95 the RSS column is "rss max".
 */
const NARROW_DROPS = [['samples'], ['span'], ['rss p50', 'p95'], ['swap max'], ['over quota']]

function sampledTable(dynos: DynoReport[], width?: number): string[] {
  let columns = SAMPLED_COLUMNS
  const draw = () => table([columns.map(column => column.title), ...dynos.map(dyno => columns.map(column => column.cell(dyno)))]).map(line => `  ${line}`)
  let lines = draw()
  for (const dropped of NARROW_DROPS) {
    if (width === undefined || lines.every(line => visibleLength(line) <= width)) break
    const kept = columns.filter(column => !dropped.includes(column.title))
    columns = kept.map(column => (column.title === 'max' && dropped.includes('p95') ? {...column, title: 'rss max'} : column))
    lines = draw()
  }

  return lines
}

function dynoChart(dyno: DynoReport, width: number): string[] {
  const trend = dyno.judgedBy
  const detail = trend ? `: ${trend.reason}` : ''
  let projection = ''
  // The instance running now: after an R15 kill the measured one is gone.
  const now = currentProjection(dyno)
  if (now) {
    const kill = `R15 in ~${formatHours(now.hoursToKill)}`
    const who = now.previous ? `; now at ${Math.round(now.levelMb)} MB` : ''
    projection = now.hoursToQuota === 0 ? `${who}; over the quota, ${kill}` : `${who}; quota in ~${formatHours(now.hoursToQuota)}, ${kill}`
  }

  const title = dyno.readingsOnly
    ? `${bold(dyno.name)} memory over the quota, MB ("Process running" readings; below the quota unseen)`
    : `${bold(dyno.name)} RSS + swap, MB (${verdictText(dyno.verdict, dyno.confidence)}${detail}${projection})`
  return [
    title,
    ...terminalChart(dyno.timeline, {
      from: dyno.from, quota: dyno.quotaMb, to: dyno.to, width,
    }),
    `  ─ quota ${dyno.quotaMb} MB   ! R14   X R15   | restart`,
  ]
}

function verdictText(verdict: string, confidence: number): string {
  if (verdict === 'insufficient') return 'not enough data'
  const colour = verdict === 'leak' ? red : (verdict === 'steady' ? green : yellow)
  return `${colour(verdict)} (${confidenceWord(confidence)} confidence)`
}

export function confidenceWord(confidence: number): string {
  if (confidence >= 0.75) return 'high'
  return confidence >= 0.45 ? 'medium' : 'low'
}

function patternText(type: ProcessTypeReport): string {
  if (type.verdict !== 'leak' && type.verdict !== 'bloat') return ''
  if (type.pattern === 'app') return `, all ${type.affected.length} dynos alike: the app`
  if (type.pattern === 'single-dyno') return `, ${type.affected[0]} only: a request or job`
  if (type.pattern === 'some') return `, ${type.affected.join(', ')}`
  return ''
}

function dynoVerdict(dyno: DynoReport): string {
  const trend = dyno.judgedBy
  if (!trend) return 'not enough data'
  if (trend.verdict === 'leak') return `leak ${Math.round(trend.recentSlopeMbPerHour)} MB/h`
  return trend.verdict
}

function restartsText(restarts: DynoReport['restarts']): string {
  const parts: string[] = []
  if (restarts.restart > 0) parts.push(`${restarts.restart} restart`)
  if (restarts.crash > 0) parts.push(`${restarts.crash} crash`)
  if (restarts.cycling > 0) parts.push(`${restarts.cycling} cycling`)
  return parts.length > 0 ? parts.join(', ') : '0'
}

function table(rows: string[][]): string[] {
  // A loop, not Math.max(...rows): spreading 100k rows overflows the stack.
  const widths = rows[0].map(() => 0)
  for (const row of rows) for (const [column, cell] of row.entries()) if (cell.length > widths[column]) widths[column] = cell.length
  return rows.map(row => row.map((cell, column) => (column === 0 || column === row.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd())
}

function mb(value: number): string {
  return `${Math.round(value)}`
}

function isoMinute(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ')
}
