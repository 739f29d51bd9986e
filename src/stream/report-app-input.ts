/**
 * mem:report's input from an app (loaded only then): its recent history (one log session per
 * process type, releases from the API, mem:record's store first when there is one) or the live
 * log for a window.
 */
import type {LogEvent} from '../core/events.js'
import type {StreamNotice} from '../core/ports/stream-notice.js'
import type {HerokuApi} from '../heroku/api.js'
import type {ReportInput, ReportInputOptions} from './report-input-types.js'

import {formatDuration} from '../core/format-duration.js'
import {blindReason} from '../core/ports/stream-notice.js'
import {ReportAccumulator} from '../core/report/accumulator.js'
import {UserError} from '../errors.js'
import {readAppRuntime} from '../heroku/app-runtime.js'
import {runtimeMetricsOf} from '../heroku/preflight.js'
import {readLog} from './read-log.js'
import {readStoredHistory, storedHistoryNotes} from './stored-history.js'

export async function readApp(options: ReportInputOptions): Promise<ReportInput> {
  const {app, filters} = options
  if (!app) throw new UserError('Name the app with -a APP, or read saved logs with --file PATH', 2)
  const api = await options.connect()
  const metricsDisabled = !(await runtimeMetricsOf(api, app)).enabled
  const formation = await api.listFormation(app)
  const {notes, runtime} = await readAppRuntime(api, app, formation)
  const accumulator = new ReportAccumulator({...filters, sizes: Object.fromEntries(formation.map(entry => [entry.type ?? '', entry.size ?? '']))})
  for (const release of await api.listReleases(app)) {
    accumulator.add({
      action: 'release', description: release.description ?? '', kind: 'release', time: Date.parse(release.created_at ?? ''), version: release.version,
    })
  }

  const {blame} = options
  const onEvent = blame
    ? (event: LogEvent) => {
      accumulator.add(event)
      blame.add(event)
    }
    : accumulator.add.bind(accumulator)
  if (options.durationMs) {
    const warnings = await watch(api, app, accumulator, options)
    return {
      accumulator, hint: `Watch longer, e.g. heroku mem:report -a ${app} --duration 2h.`, metricsDisabled, notes, runtime, source: {app, kind: 'live'}, warnings,
    }
  }

  // The runtime's notes first, then where the stored history and the log buffer each reached.
  const stored = options.store ? await readStoredHistory(options.store, app, filters, onEvent, notes) : undefined
  // The log buffer adds only what is newer than the store (the store already holds what it saw of the buffer).
  const buffer = {from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY}
  const onBufferEvent = stored
    ? (event: LogEvent) => {
      if (event.time <= stored.through) return
      buffer.from = Math.min(buffer.from, event.time)
      buffer.to = Math.max(buffer.to, event.time)
      onEvent(event)
    }
    : onEvent
  // One session per process type, so router lines do not use up the 1500-line budget.
  const types = filters.dyno || filters.type ? [undefined] : formation.filter(entry => (entry.quantity ?? 1) > 0).map(entry => entry.type)
  for (const type of types.length > 0 ? types : [undefined]) {
    await readLog({
      app, dyno: filters.dyno, kind: 'history', type: type ?? filters.type,
    }, {api, onEvent: onBufferEvent, ...blame?.readOptions})
  }

  if (stored) notes.push(...storedHistoryNotes(stored, buffer.from <= buffer.to ? buffer : undefined))
  return {
    accumulator,
    hint: stored
      ? `Keep heroku mem:record -a ${app} running for a longer history.`
      : `Watch longer with --duration (e.g. heroku mem:report -a ${app} --duration 1h), pass saved logs with --file, or keep heroku mem:record -a ${app} running.`,
    metricsDisabled,
    notes,
    runtime,
    source: {app, kind: stored ? 'store' : 'history', ...(stored ? {store: stored.label} : {})},
    warnings: [],
  }
}

/**
 * What a live window did not see, said in the report: the lines a reconnect could not get back
 * (`gap`), and the time from the log going out of sight (a stall, failed reconnects) to the end of
 * the window. A blind spell that a resumed session made up for (it replayed what was missed) is
 * no loss. Without this a window read only in part would report "nothing over" for all of it.
 */
class UnseenLog {
  private blindSince?: number
  private readonly gaps: string[] = []
  private reason?: string

  notice(notice: StreamNotice, now: number): void {
    if (notice.kind === 'gap') this.gaps.push(`${isoSecond(notice.from)} to ${isoSecond(notice.to)}`)
    const reason = blindReason(notice)
    if (reason === undefined || this.blindSince !== undefined) return
    this.blindSince = now - (notice.kind === 'stalled' ? notice.silentMs : 0)
    this.reason = reason
  }

  /** A log line came: whatever was out of sight is now read (or reported as a gap). */
  seen(): void {
    this.blindSince = undefined
  }

  warnings(startedAt: number, endedAt: number): string[] {
    const lost = 'what memory did then is not in this report'
    const warnings = this.gaps.map(gap => `the live log lost lines from ${gap} (the stream was down for longer than a reconnect can replay): ${lost}`)
    if (this.blindSince !== undefined) {
      const blindMs = endedAt - Math.max(startedAt, this.blindSince)
      warnings.push(`could not read the live log for ${formatDuration(blindMs / 1000)} of the ${formatDuration((endedAt - startedAt) / 1000)} window (${this.reason}): ${lost}`)
    }

    return warnings
  }
}

function isoSecond(time: number): string {
  return new Date(time).toISOString().replace(/\.\d+Z$/, 'Z')
}

/** The live log for the window (or until the signal), with progress about once a second; returns what it could not see. */
async function watch(api: HerokuApi, app: string, accumulator: ReportAccumulator, options: ReportInputOptions): Promise<string[]> {
  const {blame} = options
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  options.signal?.addEventListener('abort', onAbort, {once: true})
  const startedAt = Date.now()
  const unseen = new UnseenLog()
  const progress = options.progress?.(startedAt)
  const tick = setInterval(() => progress?.update(Date.now(), accumulator.samples), 1000)
  const timer = setTimeout(onAbort, options.durationMs)
  progress?.update(startedAt, 0)
  try {
    await readLog({
      app, dyno: options.filters.dyno, kind: 'tail', lines: 0, type: options.filters.type,
    }, {
      api,
      onEvent(event) {
        unseen.seen()
        accumulator.add(event)
        blame?.add(event)
      },
      onNotice: notice => unseen.notice(notice, Date.now()),
      signal: stop.signal,
      ...blame?.readOptions,
    })
  } finally {
    clearInterval(tick)
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    accumulator.finish()
    progress?.finish(accumulator.samples)
  }

  return unseen.warnings(startedAt, Date.now())
}
