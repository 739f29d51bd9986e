/**
 * One mem:record run: preflight every app, prune the store, record until the signal (pruning
 * again every hour), write the last batch. The command parses flags and renders; this is the rest.
 */
import type {LogEvent} from '../core/events.js'
import type {RecorderNotice, RecorderStatus} from '../core/ports/recorder-status.js'
import type {HerokuApi} from '../heroku/api.js'
import type {AlertTarget} from '../notify/alert-targets.js'
import type {MemoryStore, Retention} from '../store/memory-store.js'

import {type Alert, AlertMonitor, DEFAULT_ALERT_OPTIONS} from '../core/alerts/alert-monitor.js'
import {ensureRuntimeMetrics} from '../heroku/preflight.js'
import {AlertSender} from '../notify/alert-sender.js'
import {Recorder} from './recorder.js'

/** Raw samples age out by the day: pruning hourly keeps the store near its retention. */
const PRUNE_EVERY_MS = 3_600_000
/** The status line is refreshed this often (the renderer decides what to show). */
const STATUS_EVERY_MS = 1000

export interface AlertSettings {
  targets: AlertTarget[]
  overQuotaMs?: number
  blindAfterMs?: number
  /** Retries of a failed post start this far apart (tests shorten it). */
  retryBaseMs?: number
}

/** On stop, how long queued alerts may take to go out. */
const ALERT_DRAIN_MS = 10_000

export interface RecordRunOptions {
  alerts?: AlertSettings
  api: HerokuApi
  apps: string[]
  store: MemoryStore
  retention: Retention
  signal: AbortSignal
  lines?: number
  onEvent?: (app: string, event: LogEvent) => void
  onNotice: (notice: RecorderNotice) => void
  onStatus: (status: RecorderStatus) => void
}

export interface RecordRunResult {
  status: RecorderStatus
  /** Events the store never took (it stayed down through the final flush). */
  unwritten: number
}

export async function recordApps(options: RecordRunOptions): Promise<RecordRunResult> {
  for (const app of options.apps) await ensureRuntimeMetrics(options.api, app)
  const prune = async () => {
    try {
      options.onNotice({kind: 'pruned', ...await options.store.prune(options.retention, Date.now())})
    } catch (error) {
      options.onNotice({
        buffered: 0, kind: 'store-down', reason: `prune failed: ${(error as Error).message}`, retryInMs: PRUNE_EVERY_MS,
      })
    }
  }

  await prune()
  const alerting = options.alerts && options.alerts.targets.length > 0 ? await startAlerting(options, options.alerts) : undefined
  const recorder = new Recorder({
    api: options.api,
    apps: options.apps,
    lines: options.lines,
    onEvent(app, event) {
      options.onEvent?.(app, event)
      alerting?.raise(alerting.monitor.onEvent(app, event, Date.now()))
    },
    onNotice: options.onNotice,
    recorderId: `${process.pid}-${Date.now().toString(36)}`,
    signal: options.signal,
    sink: options.store,
  })
  const statusTimer = setInterval(() => {
    options.onStatus(recorder.status)
    alerting?.raise(alerting.monitor.tick(options.apps, Date.now()))
  }, STATUS_EVERY_MS)
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS)
  try {
    const unwritten = await recorder.run()
    return {status: recorder.status, unwritten}
  } finally {
    clearInterval(statusTimer)
    clearInterval(pruneTimer)
    await alerting?.sender.drain(ALERT_DRAIN_MS)
  }
}

/** The alert rules and the delivery queue; quotas come from each app's dyno sizes when lines carry none. */
async function startAlerting(options: RecordRunOptions, settings: AlertSettings) {
  const sizes = new Map<string, Record<string, string>>()
  for (const app of options.apps) {
    sizes.set(app, Object.fromEntries((await options.api.listFormation(app)).map(entry => [entry.type ?? '', entry.size ?? ''])))
  }

  const monitor = new AlertMonitor({
    ...DEFAULT_ALERT_OPTIONS,
    ...(settings.blindAfterMs === undefined ? {} : {blindAfterMs: settings.blindAfterMs}),
    ...(settings.overQuotaMs === undefined ? {} : {overQuotaMs: settings.overQuotaMs}),
    sizes,
  })
  const sender = new AlertSender(settings.targets, {
    onFailure: message => options.onNotice({kind: 'alert-failed', message}),
    retryBaseMs: settings.retryBaseMs,
  })
  return {
    monitor,
    raise(alerts: Alert[]) {
      for (const alert of alerts) {
        options.onNotice({action: alert.action, kind: 'alert', summary: alert.summary})
        sender.send(alert)
      }
    },
    sender,
  }
}
