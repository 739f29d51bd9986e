import ansis from 'ansis'

import type {DynoStatus} from '../core/dyno-state.js'
import type {LogEvent} from '../core/events.js'
import type {FeedUpdate} from '../core/ports/feed-update.js'

import {usedMemory} from '../core/dyno-state.js'
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
const TREND_WIDTH = 24
/** The table without its trend column is about this wide. */
const TABLE_WIDTH_WITHOUT_TREND = 96

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
    const trendWidth = Math.max(6, Math.min(TREND_WIDTH, this.columns() - TABLE_WIDTH_WITHOUT_TREND))
    const dynos = [...this.rows.values()].sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name, 'en', {numeric: true}) : (a.type < b.type ? -1 : 1)))
    const cells = dynos.map(dyno => {
      const {latest} = dyno
      const used = latest ? latest.rss + latest.swap : 0
      const percent = percentOf(used, dyno.quota)
      return [
        this.silent.has(dyno.name) ? `${dyno.name} (silent)` : dyno.name,
        dyno.size ?? '-',
        latest ? formatMb(latest.rss) : '-',
        latest ? formatMb(latest.swap) : '-',
        latest ? formatMb(latest.total) : '-',
        latest ? formatPercent(percent) : '-',
        sparkline(dyno.recent, dyno.quota, trendWidth),
        String(dyno.r14),
        String(dyno.r15),
        String(dyno.restarts),
        latest ? formatTime(latest.time).slice(11) : '-',
      ]
    })
    const widths = COLUMNS.map((title, index) => Math.max(title.length, ...cells.map(row => row[index].length)))
    const pad = (text: string, index: number) => text.padEnd(widths[index])
    const header = ansis.bold(COLUMNS.map((title, index) => pad(title, index)).join('  '))
    const body = cells.map((row, rowIndex) => {
      const dyno = dynos[rowIndex]
      const used = dyno.latest ? dyno.latest.rss + dyno.latest.swap : 0
      const percent = percentOf(used, dyno.quota)
      return row.map((cell, index) => {
        const text = pad(cell, index)
        if (index === 5 || index === 6) return colourPercent(percent, text)
        if ((index === 7 || index === 8) && cell !== '0') return ansis.red(text)
        return text
      }).join('  ')
    })
    const title = ansis.bold(`memory of ${this.app}`) + ansis.dim('  (RSS + swap against each dyno\'s quota; Ctrl-C to stop)')
    const waiting = dynos.length === 0 ? [ansis.dim('waiting for samples (log-runtime-metrics writes one per dyno about every 20 s)...')] : []
    return [title, header, ...body, ...waiting, '', ...this.events]
  }
}
