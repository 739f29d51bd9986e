import type {BlameResult, BlameSuspect} from '../core/blame/blame-schema.js'

import {
  count, formatMb, formatTime, plural,
} from './units.js'

/**
 * mem:blame as text: the ranked suspects (route, requests, effect with its interval or p-value,
 * what it rests on), or a plain "nothing stands out"; then what each type's analysis saw and what
 * this log cannot show.
 *
 *   Suspects (web, 2026-11-20T06:00:00Z to 10:00:00Z)
 *   #  route                requests  effect                       evidence
 *   1  GET /reports/:id       8,012  leak 43MB/1000 req (28-52)   p=0.0002 (Holm), 340MB of growth
 */
export const NOTHING_STANDS_OUT = 'Nothing stands out: no route\'s requests explain memory growth or jumps beyond chance.'

export function blameText(result: BlameResult): string {
  const lines: string[] = [`Memory blame from ${formatTime(result.from)} to ${formatTime(result.to)}: ${plural(result.requests, 'request')}, ${plural(result.samples, 'memory sample')}`, '']
  if (result.suspects.length === 0) {
    lines.push(NOTHING_STANDS_OUT, '')
  } else {
    lines.push('Suspects (most memory first):', ...table(result.suspects), '')
    const tied = result.suspects.filter(suspect => suspect.tiedWith)
    for (const suspect of tied) lines.push(`Note: ${suspect.tiedWith!.join(' and ')} always come together: their costs cannot be told apart.`)
    if (tied.length > 0) lines.push('')
  }

  for (const type of result.types) {
    const background = type.backgroundMbPerHour === undefined
      ? 'not fitted (too few samples)'
      : `${formatMb(type.backgroundMbPerHour)}/h + ${formatMb(type.sharedMbPer1000 ?? 0)}/1000 requests of any route`
    lines.push(`${type.type}: ${plural(type.dynos, 'dyno')}, ${plural(type.intervals, 'interval')}, ${plural(type.requests, 'request')} placed, ${plural(type.jumps, 'jump')} (>= ${formatMb(type.jumpThresholdMb)}), background growth ${background}`)
  }

  if (result.limits.length > 0) {
    lines.push('', 'What this log cannot show:')
    for (const limit of result.limits) lines.push(`  - ${limit.message}`)
  }

  return `${lines.join('\n')}\n`
}

function table(suspects: BlameSuspect[]): string[] {
  const rows = suspects.map((suspect, index) => [String(index + 1), suspect.route, count(suspect.requests), effect(suspect), evidence(suspect)])
  const header = ['#', 'route', 'requests', 'effect', 'evidence']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column].length)))
  const format = (row: string[]) => `  ${row.map((cell, column) => (column === 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd()}`
  return [format(header), ...rows.map(row => format(row))]
}

/** `leak 92MB/1000 req (95% 78MB-101MB); in 13 of 17 jumps, 73.3x its share` */
export function effect(suspect: BlameSuspect): string {
  const parts: string[] = []
  if (suspect.leak) {
    const {mbPer1000, mbPer1000Lower, mbPer1000Upper} = suspect.leak
    parts.push(`leak ${formatMb(mbPer1000)}/1000 req (95% ${formatMb(mbPer1000Lower)}-${formatMb(mbPer1000Upper)})`)
  }

  if (suspect.jumps) parts.push(`in ${suspect.jumps.jumpsWithRoute} of ${suspect.jumps.jumps} jumps, ${suspect.jumps.lift.toFixed(1)}x its share`)
  return parts.join('; ')
}

/** `p=<0.0001 (Holm), 490MB of growth, web` */
export function evidence(suspect: BlameSuspect): string {
  const p = Math.min(...[suspect.leak?.adjustedP, suspect.jumps?.adjustedP].filter((value): value is number => value !== undefined))
  return `p=${p < 0.0001 ? '<0.0001' : p.toFixed(4)} (Holm), ${formatMb(suspect.mbExplained)} of growth, ${suspect.type}`
}

