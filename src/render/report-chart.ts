import type {SeriesPoint} from '../core/report/downsampled-series.js'

import {MAX_SAMPLE_INTERVAL_MS} from '../core/report/accumulator.js'

/** One chart column: the highest memory in its time slice, and what happened there. */
export interface ChartColumn {
  max: number
  r14: boolean
  r15: boolean
  restart: boolean
}

/**
 * Spreads a downsampled timeline over `width` equal time slices (peaks kept, marks kept). When the
 * slices are narrower than the samples are apart (a short window: 20 s samples, 13 s slices), a
 * slice between two samples of one continuous run holds the earlier sample's value, as the memory
 * did until the next sample; a longer silence (a missed sample, a dyno down) stays a gap.
 */
export function chartColumns(points: readonly SeriesPoint[], width: number, from: number, to: number): ChartColumn[] {
  const columns: ChartColumn[] = Array.from({length: width}, () => ({
    max: Number.NaN, r14: false, r15: false, restart: false,
  }))
  const span = Math.max(1, to - from)
  const columnOf = (time: number): number => Math.min(width - 1, Math.max(0, Math.floor(((time - from) / span) * width)))
  let previous: SeriesPoint | undefined
  for (const point of points) {
    const index = columnOf(point.time)
    const column = columns[index]
    if (point.count > 0 && !(point.max <= column.max)) column.max = point.max
    if (point.r14 > 0) column.r14 = true
    if (point.r15 > 0) column.r15 = true
    if (point.restarts > 0) column.restart = true
    if (point.count === 0) continue
    if (previous && point.time - previous.time <= MAX_SAMPLE_INTERVAL_MS) {
      for (let between = columnOf(previous.time) + 1; between < index; between++) {
        if (Number.isNaN(columns[between].max)) columns[between].max = previous.max
      }
    }

    previous = point
  }

  return columns
}

const EIGHTHS = ' ▁▂▃▄▅▆▇█'

export interface TerminalChartOptions {
  quota: number
  from: number
  to: number
  width?: number
  height?: number
}

/**
 * Memory over time as block characters, a quota line, and a marks row below: `!` R14,
 * `X` R15, `|` restart. Scaled from 0 to the larger of the peak and 110% of the quota.
 */
export function terminalChart(points: readonly SeriesPoint[], options: TerminalChartOptions): string[] {
  const width = options.width ?? 60
  const height = options.height ?? 8
  const columns = chartColumns(points, width, options.from, options.to)
  let top = options.quota * 1.1
  for (const column of columns) if (column.max > top) top = column.max
  const rowHeight = top / height
  const quotaRow = Math.min(height - 1, Math.floor(options.quota / rowHeight))
  const labels = new Map<number, string>([[0, '0'], [height - 1, `${Math.round(top)}`], [quotaRow, `${Math.round(options.quota)}`]])
  const labelWidth = Math.max(...[...labels.values()].map(label => label.length))
  const lines: string[] = []
  for (let row = height - 1; row >= 0; row--) {
    let line = ''
    for (const column of columns) {
      const filled = Number.isNaN(column.max) ? 0 : (column.max - (row * rowHeight)) / rowHeight
      if (filled >= 1) line += EIGHTHS[8]
      else if (filled > 0) line += EIGHTHS[Math.max(1, Math.round(filled * 8))]
      else line += row === quotaRow ? '─' : ' '
    }

    lines.push(`${(labels.get(row) ?? '').padStart(labelWidth)} ┤${line}`)
  }

  const marks = columns.map(column => markOf(column)).join('')
  lines.push(`${' '.repeat(labelWidth)} └${marks.trimEnd() === '' ? '─'.repeat(width) : marks}`)
  const long = options.to - options.from > 86_400_000
  const start = clock(options.from, long)
  const end = clock(options.to, long)
  lines.push(`${' '.repeat(labelWidth + 2)}${start}${end.padStart(Math.max(end.length + 1, width - start.length))}`)
  return lines
}

function markOf(column: ChartColumn): string {
  if (column.r15) return 'X'
  if (column.r14) return '!'
  return column.restart ? '|' : ' '
}

/** `14:05` (UTC), or `11-20 14:05` when a chart spans more than a day. */
function clock(time: number, long: boolean): string {
  return new Date(time).toISOString().slice(long ? 5 : 11, 16).replace('T', ' ')
}
