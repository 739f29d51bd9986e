import ansis from 'ansis'

import type {DynoStatus} from '../core/dyno-state.js'
import type {LogEvent} from '../core/events.js'
import type {FeedUpdate} from '../core/ports/feed-update.js'

import {usedMemory} from '../core/events.js'
import {
  formatMb, formatPercent, formatTime, percentOf, sparkline,
} from './units.js'

/** How `mem:tail` shows what the feed reports; one per output mode. */
export interface TailOutput {
  close(): void
  update(update: FeedUpdate): void
}

type Json = Record<string, unknown>

const round = (value: number) => Math.round(value * 100) / 100

/** The `--json` object for one feed update (schema in the README); undefined for what it does not show. */
export function tailJson(update: FeedUpdate): Json | undefined {
  if (update.kind === 'forgotten') return undefined
  if (update.kind === 'stream') {
    const {notice} = update
    if (notice.kind === 'gap') return {
      type: 'stream', event: 'gap', from: formatTime(notice.from), to: formatTime(notice.to),
    }
    if (notice.kind === 'reconnecting') return {
      type: 'stream', event: 'reconnecting', attempt: notice.attempt, delay_ms: notice.delayMs, reason: notice.reason,
    }
    if (notice.kind === 'stalled') return {type: 'stream', event: 'stalled', silent_ms: notice.silentMs}
    return {type: 'stream', event: 'connected', resumed: notice.resumed}
  }

  if (update.kind === 'silent') {
    return {
      type: 'silent', dyno: update.dyno.name, process_type: update.dyno.type, last_seen: formatTime(update.since),
    }
  }

  return eventJson(update.event, update.dyno)
}

function eventJson(event: LogEvent, dyno: DynoStatus): Json | undefined {
  if (event.kind === 'release' || event.kind === 'load') return undefined
  const base = {time: formatTime(event.time), dyno: event.dyno, process_type: event.type}
  switch (event.kind) {
  case 'memory': {
    const used = usedMemory(event)
    return {
      type: 'sample', ...base, instance: event.instance ?? null, rss_mb: round(event.rss), swap_mb: round(event.swap), cache_mb: round(event.cache),
      total_mb: round(event.total), used_mb: round(used), quota_mb: round(dyno.quota), percent_of_quota: round(percentOf(used, dyno.quota)),
    }
  }

  case 'error': {
    return {type: 'memory_error', ...base, code: event.code}
  }

  case 'reading': {
    return {
      type: 'memory_reading', ...base, mem_mb: event.mem, percent_of_quota: event.percent ?? null,
    }
  }

  case 'dyno': {
    const extra: Json = {}
    if ('from' in event) Object.assign(extra, {from: event.from, to: event.to})
    if ('status' in event) extra.status = event.status
    return {
      type: 'dyno_event', ...base, action: event.action, ...extra,
    }
  }
  }
}

/** One plain line for one update (piped output); undefined for what it does not show. */
export function tailLine(update: FeedUpdate): string | undefined {
  if (update.kind === 'stream' || update.kind === 'forgotten') return undefined
  if (update.kind === 'silent') return `${formatTime(update.since)} ${update.dyno.name} silent: no samples since this time`
  const {dyno, event} = update
  if (event.kind === 'release' || event.kind === 'load') return undefined
  const head = `${formatTime(event.time)} ${event.dyno}`
  switch (event.kind) {
  case 'memory': {
    const used = usedMemory(event)
    return `${head} rss=${formatMb(event.rss)} swap=${formatMb(event.swap)} total=${formatMb(event.total)} quota=${formatMb(dyno.quota)} used=${formatPercent(percentOf(used, dyno.quota))}`
  }

  case 'error': {
    return `${head} ${event.code} ${event.code === 'R14' ? 'memory quota exceeded' : 'memory quota vastly exceeded'}`
  }

  case 'reading': {
    const percent = event.percent === undefined ? '' : ` (${formatPercent(event.percent)})`
    return `${head} platform reading mem=${formatMb(event.mem)}${percent}`
  }

  case 'dyno': {
    return `${head} ${describeDynoEvent(event)}`
  }
  }
}

/** Stream notices for people, on stderr in the line and table modes. */
export function noticeText(update: FeedUpdate): string | undefined {
  if (update.kind !== 'stream') return undefined
  const {notice} = update
  if (notice.kind === 'reconnecting') return `log stream ended (${notice.reason}); reconnecting in ${(notice.delayMs / 1000).toFixed(1)}s`
  if (notice.kind === 'gap') return `gap in the log: nothing received between ${formatTime(notice.from)} and ${formatTime(notice.to)}`
  if (notice.kind === 'stalled') return `log stream stalled: no line for ${Math.round(notice.silentMs / 1000)}s (the platform logs a sample every ~20s per dyno); reopening it`
  return notice.resumed ? 'log stream resumed' : undefined
}

function describeDynoEvent(event: LogEvent & {kind: 'dyno'}): string {
  switch (event.action) {
  case 'crashed':
  case 'state': {
    return `state ${event.from} -> ${event.to}`
  }

  case 'exited': {
    return event.status === undefined ? 'process exited' : `process exited with status ${event.status}`
  }

  case 'starting': {
    return 'starting process'
  }

  case 'sigkill': {
    return 'killed (SIGKILL)'
  }

  case 'stopping': {
    return 'stopping (SIGTERM)'
  }

  default: {
    return event.action
  }
  }
}

export class JsonTailOutput implements TailOutput {
  constructor(private readonly write: (text: string) => void) {}

  close(): void {}

  update(update: FeedUpdate): void {
    const json = tailJson(update)
    if (json) this.write(JSON.stringify(json) + '\n')
  }
}

export class LineTailOutput implements TailOutput {
  constructor(private readonly write: (text: string) => void, private readonly warn: (text: string) => void) {}

  close(): void {}

  update(update: FeedUpdate): void {
    const line = tailLine(update)
    if (line) this.write(line + '\n')
    const notice = noticeText(update)
    if (notice) this.warn(notice + '\n')
  }
}

function colourPercent(percent: number, text: string): string {
  if (percent >= 100) return ansis.red.bold(text)
  if (percent >= 85) return ansis.red(text)
  if (percent >= 70) return ansis.yellow(text)
  return ansis.green(text)
}

const COLUMNS = ['DYNO', 'SIZE', 'RSS', 'SWAP', 'TOTAL', '% QUOTA', 'TREND', 'R14', 'R15', 'RESTARTS', 'LAST SAMPLE'] as const
type Column = typeof COLUMNS[number]
const TREND_WIDTH = 24
const MIN_TREND_WIDTH = 6
/**
 * The columns left out, in this order, while the table is wider than the terminal (80 columns
 * cut RESTARTS, 60 columns R14 and R15, when the line was only cut at its end): % quota and the
 * R14/R15 counts are what the table is for; the size and the total (cache included) matter least.
 */
const DROP_ORDER: Column[] = ['SIZE', 'LAST SAMPLE', 'TOTAL', 'TREND', 'SWAP', 'RESTARTS']
const COLUMN_GAP = 2

/**
 * Cuts a line to `width` visible characters, keeping its escape sequences: a line that wrapped
 * would break the in-place redraw (the cursor moves up by lines, not by screen rows).
 */
export function fitToWidth(line: string, width: number): string {
  let visible = 0
  let index = 0
  while (index < line.length) {
    if (line.charCodeAt(index) === 27) {
      const end = line.indexOf('m', index)
      index = end === -1 ? line.length : end + 1
      continue
    }

    if (visible === width) return line.slice(0, index) + '\u001B[0m'
    visible++
    index++
  }

  return line
}

const EVENT_LINES = 6

/**
 * The live terminal view: a table redrawn in place (at most a few times a second), with the
 * latest memory errors, restarts and stream notices listed under it.
 */
export class TableTailOutput implements TailOutput {
  private drawnLines = 0
  private readonly events: string[] = []
  private pending?: NodeJS.Timeout
  private readonly rows = new Map<string, DynoStatus>()
  private readonly silent = new Set<string>()

  constructor(
    private readonly write: (text: string) => void,
    private readonly app: string,
    private readonly redrawMs = 200,
    private readonly columns: () => number = () => process.stdout.columns || 200,
  ) {}

  close(): void {
    if (this.pending) clearTimeout(this.pending)
    this.pending = undefined
    this.draw()
  }

  update(update: FeedUpdate): void {
    switch (update.kind) {
    case 'event': {
      this.rows.set(update.dyno.name, update.dyno)
      this.silent.delete(update.dyno.name)
      if (update.event.kind !== 'memory') {
        const line = tailLine(update)
        if (line) this.pushEvent(update.event.kind === 'error' ? ansis.red(line) : line)
      }

      break;
    }

    case 'forgotten': {
      this.rows.delete(update.name)
      this.silent.delete(update.name)

      break;
    }

    case 'silent': {
      this.silent.add(update.dyno.name)
      this.pushEvent(ansis.yellow(tailLine(update) ?? ''))

      break;
    }

    default: {
      const notice = noticeText(update)
      if (notice) this.pushEvent(ansis.dim(notice))
    }
    }

    this.pending ??= setTimeout(() => {
      this.pending = undefined
      this.draw()
    }, this.redrawMs)
  }

  private draw(): void {
    const lines = this.render()
    const up = this.drawnLines > 0 ? `\u001B[${this.drawnLines}F` : ''
    const width = Math.max(20, this.columns() - 1)
    this.write(up + lines.map(line => fitToWidth(line, width) + '\u001B[K').join('\n') + '\n\u001B[J')
    this.drawnLines = lines.length
  }

  private pushEvent(line: string): void {
    this.events.push(line)
    if (this.events.length > EVENT_LINES) this.events.shift()
  }

  private render(): string[] {
    const dynos = [...this.rows.values()].sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name, 'en', {numeric: true}) : (a.type < b.type ? -1 : 1)))
    const percents = dynos.map(dyno => percentOf(dyno.latest ? usedMemory(dyno.latest) : 0, dyno.quota))
    const cells = dynos.map((dyno, rowIndex): Record<Column, string> => {
      const {latest} = dyno
      return {
        DYNO: this.silent.has(dyno.name) ? `${dyno.name} (silent)` : dyno.name,
        SIZE: dyno.size ?? '-',
        RSS: latest ? formatMb(latest.rss) : '-',
        SWAP: latest ? formatMb(latest.swap) : '-',
        TOTAL: latest ? formatMb(latest.total) : '-',
        '% QUOTA': latest ? formatPercent(percents[rowIndex]) : '-',
        TREND: '',
        R14: String(dyno.r14),
        R15: String(dyno.r15),
        RESTARTS: String(dyno.restarts),
        'LAST SAMPLE': latest ? formatTime(latest.time).slice(11) : '-',
      }
    })
    const widths = new Map(COLUMNS.map(column => [column, Math.max(column.length, ...cells.map(row => row[column].length))]))
    widths.set('TREND', MIN_TREND_WIDTH)
    const available = Math.max(20, this.columns() - 1)
    const tableWidth = (columns: Column[]) => columns.reduce((sum, column) => sum + widths.get(column)!, 0) + COLUMN_GAP * (columns.length - 1)
    let shown: Column[] = [...COLUMNS]
    for (const column of DROP_ORDER) {
      if (tableWidth(shown) <= available) break
      shown = shown.filter(kept => kept !== column)
    }

    const trendWidth = Math.max(MIN_TREND_WIDTH, Math.min(TREND_WIDTH, available - tableWidth(shown) + MIN_TREND_WIDTH))
    widths.set('TREND', trendWidth)
    for (const [rowIndex, dyno] of dynos.entries()) cells[rowIndex].TREND = sparkline(dyno.recent, dyno.quota, trendWidth)
    const pad = (text: string, column: Column) => text.padEnd(widths.get(column)!)
    const header = ansis.bold(shown.map(column => pad(column, column)).join(' '.repeat(COLUMN_GAP)))
    const body = cells.map((row, rowIndex) => shown.map(column => {
      const text = pad(row[column], column)
      if (column === '% QUOTA' || column === 'TREND') return colourPercent(percents[rowIndex], text)
      if ((column === 'R14' || column === 'R15') && row[column] !== '0') return ansis.red(text)
      return text
    }).join(' '.repeat(COLUMN_GAP)))
    const title = ansis.bold(`memory of ${this.app}`) + ansis.dim('  (RSS + swap against each dyno\'s quota; Ctrl-C to stop)')
    const waiting = dynos.length === 0 ? [ansis.dim('waiting for samples (log-runtime-metrics writes one per dyno about every 20 s)...')] : []
    return [title, header, ...body, ...waiting, '', ...this.events]
  }
}
