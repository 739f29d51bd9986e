/**
 * `--notify` for mem:record and mem:restart-over: the alert rules (core/alerts) fed with what the
 * command reads, and the delivery queue (notify/). Nothing here may hold up its caller: events and
 * decisions go in synchronously and come back at once; the API calls it makes (dyno sizes at the
 * start, a silent app's dyno count) and the posts run on their own, each with a deadline.
 */
import type {Decision} from '../core/watchdog/decision.js'
import type {HerokuApi} from '../heroku/api.js'
import type {AlertTarget} from '../notify/alert-targets.js'

import {type Alert, AlertMonitor, DEFAULT_ALERT_OPTIONS} from '../core/alerts/alert-monitor.js'
import {type LogEvent, processTypeOf} from '../core/events.js'
import {describeApiError} from '../heroku/api.js'
import {AlertSender} from '../notify/alert-sender.js'
import {withDeadline} from './with-deadline.js'

export interface AlertSettings {
  targets: AlertTarget[]
  overQuotaMs?: number
  blindAfterMs?: number
  /** Retries of a failed post start this far apart (tests shorten it). */
  retryBaseMs?: number
}

export interface AlertingOptions {
  api: HerokuApi
  apps: string[]
  settings: AlertSettings
  /** Only these dynos are read (mem:restart-over -p/-d): a silent app's dyno count counts only them. */
  filter?: {dyno?: string; type?: string}
  onAlert: (alert: Alert) => void
  /** A post that could not be delivered (named by the target's label, never its URL). */
  onFailure: (message: string) => void
  /** Something to say that is not an alert (an app with no dyno running). */
  onNote: (message: string) => void
}

/** A dyno list or formation call that takes longer is given up (the next check comes later). */
const API_DEADLINE_MS = 15_000
/** Dyno states in which a dyno logs (Eco dynos `idle` asleep, `crashed` ones waiting to restart do not). */
const RUNNING_STATES = new Set(['restarting', 'starting', 'up'])

export class Alerting {
  private readonly monitor: AlertMonitor
  private readonly sender: AlertSender
  private readonly sizes = new Map<string, Record<string, string>>()

  constructor(private readonly options: AlertingOptions) {
    const {settings} = options
    this.monitor = new AlertMonitor({
      ...DEFAULT_ALERT_OPTIONS,
      ...(settings.blindAfterMs === undefined ? {} : {blindAfterMs: settings.blindAfterMs}),
      ...(settings.overQuotaMs === undefined ? {} : {overQuotaMs: settings.overQuotaMs}),
      sizes: this.sizes,
    })
    this.sender = new AlertSender(settings.targets, {onFailure: options.onFailure, retryBaseMs: settings.retryBaseMs})
  }

  /** Learns each app's dyno sizes (the quota when lines carry none), in the background: an API that does not answer delays nothing. */
  learnSizes(): Promise<void> {
    return Promise.all(this.options.apps.map(async app => {
      try {
        const formation = await withDeadline(this.options.api.listFormation(app), API_DEADLINE_MS)
        this.sizes.set(app, Object.fromEntries(formation.map(entry => [entry.type ?? '', entry.size ?? ''])))
      } catch (error) {
        this.options.onNote(`${app}: could not read the dyno sizes (${describeApiError(error)}): quotas come from the log lines`)
      }
    })).then(() => {})
  }

  onDecision(app: string, decision: Decision): void {
    this.raise(this.monitor.onDecision(app, decision, Date.now()))
  }

  onEvent(app: string, event: LogEvent): void {
    this.raise(this.monitor.onEvent(app, event, Date.now()))
  }

  /** Waits at most `ms` for queued alerts to go out, then gives up on the rest. */
  stop(ms: number): Promise<void> {
    return this.sender.drain(ms)
  }

  /** Wall-clock checks, every second or so: a silent app's dyno count decides between blind and idle. */
  tick(): void {
    for (const app of this.monitor.silentApps(this.options.apps, Date.now())) {
      this.countRunning(app).then(running => {
        const step = this.monitor.dynoCount(app, running, Date.now())
        for (const note of step.notes) this.options.onNote(note)
        this.raise(step.alerts)
      })
    }
  }

  /** Running dynos the command reads; undefined when the API does not answer. */
  private async countRunning(app: string): Promise<number | undefined> {
    const {dyno, type} = this.options.filter ?? {}
    try {
      const dynos = await withDeadline(this.options.api.listDynos(app), API_DEADLINE_MS)
      return dynos.filter(entry => RUNNING_STATES.has(entry.state ?? '')
        && (!dyno || entry.name === dyno) && (!type || (entry.type ?? processTypeOf(entry.name ?? '')) === type)).length
    } catch {
      return undefined
    }
  }

  private raise(alerts: Alert[]): void {
    for (const alert of alerts) {
      this.options.onAlert(alert)
      this.sender.send(alert)
    }
  }
}
