import type {StreamNotice} from '../core/ports/stream-notice.js'
import type {BlindState, WatchdogOutput} from '../core/ports/watchdog-output.js'
import type {Decision, WatchdogSummary} from '../core/watchdog/decision.js'

import {processTypeOf} from '../core/events.js'
import {
  formatMb, formatPercent, formatTime, percentOf, plural,
} from './units.js'

/** The reason of a decision in words, as both outputs show it. */
export function describeDecision(decision: Decision): string {
  const limit = decision.limit === undefined ? '' : `${decision.threshold ?? ''} (${formatMb(decision.limit)})`
  switch (decision.reason) {
  case 'over': {
    if (decision.action === 'watch') return `over ${limit}, ${decision.over} of ${plural(decision.need, 'reading')}`
    return `over ${limit} for ${plural(decision.over, 'reading')}`
  }

  case 'r14': {
    return `R14 (memory quota exceeded) for ${plural(decision.over, 'reading')}`
  }

  case 'under': {
    if (decision.action === 'skip') return `back under ${limit} before the restart went out: not sent`
    return decision.action === 'ok' ? `under ${limit}` : `back under ${limit}`
  }

  case 'restarted-meanwhile': {
    return `restarted meanwhile (by the platform or another watchdog): not sent again; next restart allowed at ${at(decision.until)}`
  }

  case 'unconfirmed': {
    return `the answer to the restart was lost (${decision.note ?? 'no answer'}): counted as a restart, never sent again`
  }

  case 'cooldown': {
    return `cooldown: restarted recently, next restart allowed at ${at(decision.until)}`
  }

  case 'max-parallel': {
    return `waiting: ${(decision.waitingFor ?? []).join(', ')} still restarting (max parallel for ${decision.type})`
  }

  case 'loop-breaker': {
    const gaps = decision.relapseMinutes ?? []
    const seen = gaps.length > 0 ? `over again ${gaps.map(gap => `${gap} min`).join(', ')} after each of the last ${gaps.length} restarts` : 'over again soon after each of its last restarts'
    return `restarts do not help: ${seen}; restart it yourself once fixed`
  }

  case 'hourly-cap': {
    return `hourly cap reached (--max-per-hour); next restart allowed at ${at(decision.until)}`
  }

  case 'dry-run': {
    return `dry run: would restart (over ${limit} for ${plural(decision.over, 'reading')})`
  }

  case 'not-in-dyno-list': {
    return 'not in the app\'s dyno list (scaled away, or a one-off): not restarted'
  }

  case 'one-off': {
    return 'one-off dyno: a restart would stop it'
  }

  case 'failed': {
    return decision.action === 'skip'
      ? `restart failed: ${decision.note ?? 'unknown error'}`
      : `the last restart failed; next try at ${at(decision.until)}`
  }

  case 'not-found': {
    return 'the dyno no longer exists (404): skipped'
  }

  case 'unknown-quota': {
    return 'quota unknown (no memory_quota in its samples, a dyno size not known): a share of it cannot be judged, not restarted; give this type a threshold in MB'
  }

  case 'stale': {
    return 'latest reading is old (the dyno stopped reporting): not restarted'
  }

  case 'new-instance': {
    return `new instance up${decision.instance ? ` (${shortInstance(decision.instance)})` : ''}, restarted by ${decision.by ?? 'watchdog'}`
  }

  case 'state-up': {
    return `up again, restarted by ${decision.by ?? 'watchdog'}`
  }

  case 'up-timeout': {
    return 'no new instance seen in time: no longer waiting for it'
  }
  }
}

/** `web.1  480MB 93.8% of 512MB  restart  over 90% (461MB) for 2 readings`, time first. */
export function decisionLine(decision: Decision): string {
  const memory = decision.value === undefined
    ? ''
    : `${formatMb(decision.value)} ${decision.quota ? `${formatPercent(percentOf(decision.value, decision.quota))} of ${formatMb(decision.quota)}` : ''}`
  return `${formatTime(decision.time)}  ${decision.dyno.padEnd(10)} ${memory.padEnd(20)} ${decision.action.padEnd(9)} ${describeDecision(decision)}`
}

/** Plain lines: decisions on stdout, notices and the summary on stderr. */
export class TextWatchdogOutput implements WatchdogOutput {
  constructor(private readonly out: (text: string) => void, private readonly err: (text: string) => void) {}

  decision(decision: Decision): void {
    this.out(decisionLine(decision) + '\n')
  }

  blind(state: BlindState): void {
    this.err(`${blindText(state)}\n`)
  }

  note(message: string): void {
    this.err(`${message}\n`)
  }

  stream(notice: StreamNotice): void {
    const text = streamNoticeText(notice)
    if (text) this.err(`${text}\n`)
  }

  summary(summary: WatchdogSummary, extra: {exitCode?: number}): void {
    this.err(summaryText(summary, extra) + '\n')
  }
}

export function summaryText(summary: WatchdogSummary, extra: {exitCode?: number} = {}): string {
  const restarts = summary.restarted.map(restart => `${restart.dyno} at ${formatTime(restart.time)}${restart.unconfirmed ? ' (answer lost)' : ''}`)
  const watched = `${plural(summary.watched, 'dyno')} watched`
  const lines = [`restart-over: ${watched}, ${restarts.length} restarted${restarts.length > 0 ? `: ${restarts.join(', ')}` : ''}`]
  const held = Object.entries(summary.held).filter(([reason]) => reason !== 'loop-breaker')
  for (const [reason, dynos] of held) lines.push(`  not restarted (${reason}): ${(dynos ?? []).join(', ')}`)
  if (summary.broken.length > 0) lines.push(`  restarts do not help (over again soon after each restart): ${summary.broken.join(', ')}`)
  if (summary.over.length > 0) lines.push(`  over the threshold now: ${summary.over.join(', ')}`)
  if (extra.exitCode !== undefined) lines.push(`  exit code ${extra.exitCode}`)
  return lines.join('\n')
}

/** One JSON object per line on stdout: decisions, notes, stream notices, then the summary. */
export class JsonWatchdogOutput implements WatchdogOutput {
  constructor(private readonly out: (text: string) => void) {}

  decision(decision: Decision): void {
    this.write(decisionJson(decision))
  }

  blind(state: BlindState): void {
    this.write({
      blind: state.blind, message: blindText(state), reason: state.reason, type: 'blind',
    })
  }

  note(message: string): void {
    this.write({message, type: 'note'})
  }

  stream(notice: StreamNotice): void {
    this.write(streamNoticeJson(notice))
  }

  summary(summary: WatchdogSummary, extra: {exitCode?: number}): void {
    this.write({
      broken: summary.broken,
      exit_code: extra.exitCode,
      held: summary.held,
      over: summary.over,
      restarted: summary.restarted.map(restart => ({dyno: restart.dyno, time: formatTime(restart.time), unconfirmed: restart.unconfirmed})),
      type: 'summary',
      watched: summary.watched,
    })
  }

  private write(value: object): void {
    this.out(JSON.stringify(value) + '\n')
  }
}

/** The `--json` shape of a decision; absent values are left out. */
export function decisionJson(decision: Decision): Record<string, unknown> {
  const round = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 100) / 100)
  return {
    type: 'decision',
    time: formatTime(decision.time),
    dyno: decision.dyno,
    process_type: decision.type ?? processTypeOf(decision.dyno),
    instance: decision.instance,
    action: decision.action,
    reason: decision.reason,
    used_mb: round(decision.value),
    quota_mb: round(decision.quota),
    percent_of_quota: decision.value !== undefined && decision.quota ? round(percentOf(decision.value, decision.quota)) : undefined,
    threshold: decision.threshold,
    limit_mb: round(decision.limit),
    over: decision.over,
    for: decision.need,
    until: decision.until === undefined ? undefined : formatTime(decision.until),
    waiting_for: decision.waitingFor,
    by: decision.by,
    relapse_minutes: decision.relapseMinutes,
    note: decision.note,
    message: describeDecision(decision),
  }
}

/** `blind: the log stream is silent (no line for 75s): no reading, no restart until it is back` */
export function blindText(state: BlindState): string {
  return state.blind
    ? `blind: cannot see the log (${state.reason}): no reading, no restart until it is back`
    : `seeing the log again after ${Math.round((state.blindForMs ?? 0) / 1000)}s blind`
}

/** A stream notice in words (stderr); undefined for a first connection, which needs none. */
function streamNoticeText(notice: StreamNotice): string | undefined {
  if (notice.kind === 'reconnecting') return `log stream ended (${notice.reason}); reconnecting in ${(notice.delayMs / 1000).toFixed(1)}s`
  if (notice.kind === 'gap') return `log gap: lines between ${formatTime(notice.from)} and ${formatTime(notice.to)} may be missing`
  if (notice.kind === 'stalled') return `log stream stalled: no line for ${Math.round(notice.silentMs / 1000)}s; reopening it`
  return undefined
}

function streamNoticeJson(notice: StreamNotice): Record<string, unknown> {
  if (notice.kind === 'reconnecting') return {
    attempt: notice.attempt, delay_ms: notice.delayMs, event: 'reconnecting', reason: notice.reason, type: 'stream',
  }
  if (notice.kind === 'gap') return {
    event: 'gap', from: formatTime(notice.from), to: formatTime(notice.to), type: 'stream',
  }
  if (notice.kind === 'stalled') return {event: 'stalled', silent_ms: notice.silentMs, type: 'stream'}
  return {event: 'connected', resumed: notice.resumed, type: 'stream'}
}

function at(time: number | undefined): string {
  return time === undefined ? 'later' : formatTime(time)
}

function shortInstance(instance: string): string {
  return instance.length > 24 ? `${instance.slice(0, 23)}…` : instance
}
