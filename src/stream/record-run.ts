/**
 * One mem:record run: preflight every app, prune the store, record until the signal (pruning
 * again every hour), write the last batch. The command parses flags and renders; this is the rest.
 */
import type {LogEvent} from '../core/events.js'
import type {RecorderNotice, RecorderStatus} from '../core/ports/recorder-status.js'
import type {HerokuApi} from '../heroku/api.js'
import type {MemoryStore, Retention} from '../store/memory-store.js'

import {ensureRuntimeMetrics} from '../heroku/preflight.js'
import {Alerting, type AlertSettings} from './alerting.js'
import {Recorder} from './recorder.js'

/** Raw samples age out by the day: pruning hourly keeps the store near its retention. */
const PRUNE_EVERY_MS = 3_600_000
/** The status line is refreshed this often (the renderer decides what to show). */
const STATUS_EVERY_MS = 1000

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
  /** Every app passed its preflight (exists, Cedar, metrics on): recording starts. */
  onStart?: () => void
  onStatus: (status: RecorderStatus) => void
}

export interface RecordRunResult {
  status: RecorderStatus
  /** Events the store never took (it stayed down through the final flush). */
  unwritten: number
}

export async function recordApps(options: RecordRunOptions): Promise<RecordRunResult> {
  for (const app of options.apps) await ensureRuntimeMetrics(options.api, app)
  options.onStart?.()
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
  const alerting = options.alerts && options.alerts.targets.length > 0 ? startAlerting(options, options.alerts) : undefined
  await alerting?.learnSizes()
  const recorder = new Recorder({
    api: options.api,
    apps: options.apps,
    lines: options.lines,
    onEvent(app, event) {
      options.onEvent?.(app, event)
      alerting?.onEvent(app, event)
    },
    onNotice: options.onNotice,
    recorderId: `${process.pid}-${Date.now().toString(36)}`,
    signal: options.signal,
    sink: options.store,
  })
  const statusTimer = setInterval(() => {
    options.onStatus(recorder.status)
    alerting?.tick()
  }, STATUS_EVERY_MS)
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS)
  try {
    const unwritten = await recorder.run()
    return {status: recorder.status, unwritten}
  } finally {
    clearInterval(statusTimer)
    clearInterval(pruneTimer)
    await alerting?.stop(ALERT_DRAIN_MS)
  }
}

function startAlerting(options: RecordRunOptions, settings: AlertSettings): Alerting {
  return new Alerting({
    api: options.api,
    apps: options.apps,
    onAlert: alert => options.onNotice({action: alert.action, kind: 'alert', summary: alert.summary}),
    onFailure: message => options.onNotice({kind: 'alert-failed', message}),
    onNote: message => options.onNotice({kind: 'alert-note', message}),
    settings,
  })
}
