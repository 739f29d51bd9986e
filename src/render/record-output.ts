/**
 * How mem:record shows itself: a status line (redrawn in place on a terminal, a line a minute
 * when piped), a line per notice, and `--status`'s table of what the store holds.
 */
import type {RecorderNotice, RecorderStatus, StoreStatus} from '../core/ports/recorder-status.js'

import {formatTime, plural} from './units.js'

/** `recording 2 apps, 5 dynos: 1234 samples stored, last 3s ago, 1 gap`. */
export function recorderStatusLine(status: RecorderStatus, now: number): string {
  const parts = [
    `recording ${plural(status.apps, 'app')}, ${plural(status.dynos, 'dyno')}: ${status.samplesStored} samples stored`,
    status.lastSampleAt === undefined ? 'no sample yet' : `last ${formatAge(now - status.lastSampleAt)} ago`,
    plural(status.gaps, 'gap'),
  ]
  if (status.storeDown) parts.push(`STORE DOWN, ${status.buffered} events waiting`)
  return parts.join(', ')
}

export function recorderNoticeLine(notice: RecorderNotice): string | undefined {
  switch (notice.kind) {
  case 'alert': {
    return `${notice.action === 'trigger' ? 'ALERT' : 'resolved'}: ${notice.summary}`
  }

  case 'alert-failed': {
    return `alert delivery failed: ${notice.message}`
  }

  case 'alert-note': {
    return notice.message
  }

  case 'dropped': {
    return `${notice.app}: the store has been down too long: dropped the ${notice.dropped} oldest waiting events (a gap in the history)`
  }

  case 'pruned': {
    return notice.rolledUpSamples + notice.deletedRollups > 0 ? `pruned: ${notice.rolledUpSamples} samples rolled up into 5-minute buckets, ${notice.deletedRollups} old buckets deleted` : undefined
  }

  case 'store-down': {
    return `store not answering (${notice.reason}): ${notice.buffered} events kept in memory, retrying in ${formatAge(notice.retryInMs)}`
  }

  case 'store-up': {
    return `store answering again: ${notice.written} waiting events written`
  }

  case 'stream': {
    const {notice: stream} = notice
    if (stream.kind === 'gap') return `${notice.app}: could not see the log from ${formatTime(stream.from)} to ${formatTime(stream.to)} (recorded as a gap)`
    if (stream.kind === 'reconnecting' && stream.attempt > 1) return `${notice.app}: log stream ended (${stream.reason}); reconnecting, attempt ${stream.attempt}`
    return undefined
  }
  }
}

/** `--status`: one line per app with its span and row counts, then the store and its size. */
export function storeStatusText(status: StoreStatus): string {
  const lines = [`Store: ${status.label} (${status.dialect}), ${formatBytes(status.sizeBytes)} on disk`]
  if (status.apps.length === 0) lines.push('  nothing recorded yet: heroku mem:record -a APP')
  for (const app of status.apps) {
    const span = app.from === undefined || app.to === undefined ? 'empty' : `${formatTime(app.from)} to ${formatTime(app.to)}`
    lines.push(`  ${app.app}: ${span}, ${plural(app.dynos, 'dyno')}, ${app.samples} samples, ${app.events} events, ${app.rollups} 5-minute rollups`)
  }

  return `${lines.join('\n')}\n`
}

/** `950ms`, `42s`, `3m05s`, `2h10m`. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(seconds / 3600)}h${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}m`
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} kB`
  return `${bytes} B`
}

/** Piped, the status is a line a minute: enough to see it alive in a log file, not a flood. */
const PIPED_STATUS_EVERY_MS = 60_000

/**
 * The recorder on a console: on a terminal the status line is redrawn in place and notices print
 * above it; piped, notices print as they come and the status once a minute.
 */
export class RecordConsole {
  private lastPrinted = 0
  private shown = ''
  /** `columns`: the terminal's width; a redrawn line must not wrap, or `\r` no longer reaches its start. */
  private readonly columns: number

  constructor(private readonly write: (text: string) => void, private readonly interactive: boolean, columns?: number) {
    // A terminal that reports no size (0, as under `script`) gets the usual 80 columns.
    this.columns = columns && columns > 0 ? columns : 80
  }

  close(): void {
    if (this.interactive && this.shown) this.write('\n')
    this.shown = ''
  }

  notice(notice: RecorderNotice): void {
    const line = recorderNoticeLine(notice)
    if (!line) return
    if (this.interactive && this.shown) this.write('\r\u001B[2K')
    this.write(`${line}\n`)
    if (this.interactive && this.shown) this.write(this.shown)
  }

  status(status: RecorderStatus, now: number): void {
    const line = recorderStatusLine(status, now)
    if (this.interactive) {
      this.shown = line.length >= this.columns ? `${line.slice(0, Math.max(0, this.columns - 2))}…` : line
      this.write(`\r\u001B[2K${this.shown}`)
      return
    }

    if (now - this.lastPrinted < PIPED_STATUS_EVERY_MS) return
    this.lastPrinted = now
    this.write(`${formatTime(now)} ${line}\n`)
  }
}
