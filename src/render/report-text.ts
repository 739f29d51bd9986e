import {
  bold, green, red, yellow,
} from 'ansis'

import type {DynoReport, ProcessTypeReport, Report} from '../core/report/report-schema.js'

import {formatHours} from '../core/report/classify.js'
import {releaseLabel} from '../core/report/release-timeline.js'
import {formatSpan} from '../core/report/report.js'
import {terminalChart} from './report-chart.js'

const SOURCE_NAMES = {
  files: 'saved logs', history: 'recent log history', live: 'live log stream', store: 'recorded history and recent log',
}

/** The readable report: header, per-type tables, verdicts, advice, and a chart per dyno. */
export function reportText(report: Report, options: {charts?: boolean; width?: number} = {}): string {
  const out: string[] = []
  const where = report.source.app ? ` for ${bold(report.source.app)}` : ''
  if (report.samples === 0) return `No memory samples${where}.\n`
  const window = `${isoMinute(report.from)} to ${isoMinute(report.to)} UTC (${formatSpan(report.spanSeconds)})`
  out.push(`Memory report${where}: ${window}, ${report.samples} samples from ${plural(report.dynos.length, 'dyno')}, ${SOURCE_NAMES[report.source.kind]}`)
  for (const note of report.notes) out.push(yellow(note))
  if (report.releases.length > 0) {
    out.push(`Releases: ${report.releases.map(release => `${releaseLabel(release)} ${isoMinute(release.time)}${release.version === undefined ? '' : ` ${release.description}`}`).join('; ')}`)
  }

  for (const type of report.processTypes) {
    out.push('', ...typeSection(type, report.dynos.filter(dyno => dyno.type === type.type)))
    if (options.charts !== false) {
      for (const dyno of report.dynos.filter(member => member.type === type.type)) out.push('', ...dynoChart(dyno, options.width ?? 60))
    }
  }

  const failed = report.failOn.filter(result => result.met)
  if (failed.length > 0) out.push('', red(`--fail-on met: ${failed.map(result => `${result.condition}: ${result.detail}`).join('; ')}`))
  return `${out.join('\n')}\n`
}

function typeSection(type: ProcessTypeReport, dynos: DynoReport[]): string[] {
  const size = type.size === undefined ? '' : `${type.size}, `
  const lines = [
    `${bold(type.type)} (${dynos.length} dyno${dynos.length === 1 ? '' : 's'}, ${size}quota ${type.quotaMb} MB): ${verdictText(type.verdict, type.confidence)}${patternText(type)}`,
    `  ${type.story}`,
    '',
    ...table([
      ['dyno', 'samples', 'span', 'rss p50', 'p95', 'max', 'rss+swap', '% quota', 'over quota', 'swap max', 'R14', 'R15', 'restarts', 'verdict'],
      ...dynos.map(dyno => [
        dyno.name,
        String(dyno.samples),
        formatSpan((dyno.to - dyno.from) / 1000),
        mb(dyno.rss.p50),
        mb(dyno.rss.p95),
        mb(dyno.rss.max),
        mb(dyno.memoryMaxMb),
        `${Math.round(dyno.peakPercentOfQuota)}%`,
        formatSpan(dyno.secondsOverQuota),
        mb(dyno.swapMaxMb),
        String(dyno.r14),
        String(dyno.r15),
        restartsText(dyno.restarts),
        dynoVerdict(dyno),
      ]),
    ]).map(line => `  ${line}`),
  ]
  if (type.advice.length > 0) lines.push('', '  What to do:', ...type.advice.map(advice => `  - ${advice.text}`))
  return lines
}

function dynoChart(dyno: DynoReport, width: number): string[] {
  const trend = dyno.judgedBy
  const detail = trend ? `: ${trend.reason}` : ''
  let projection = ''
  if (trend?.hoursToQuota !== undefined) {
    const kill = `R15 in ~${formatHours(trend.hoursToKill ?? 0)}`
    projection = trend.hoursToQuota === 0 ? `; over the quota, ${kill}` : `; quota in ~${formatHours(trend.hoursToQuota)}, ${kill}`
  }

  return [
    `${bold(dyno.name)} RSS + swap, MB (${verdictText(dyno.verdict, dyno.confidence)}${detail}${projection})`,
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
  const widths = rows[0].map((_, column) => Math.max(...rows.map(row => row[column].length)))
  return rows.map(row => row.map((cell, column) => (column === 0 || column === row.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd())
}

function mb(value: number): string {
  return `${Math.round(value)}`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function isoMinute(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ')
}
