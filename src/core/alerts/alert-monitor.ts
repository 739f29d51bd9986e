/**
 * When mem:record raises an alert, and when it clears: plain rules over the events the recorder
 * sees and the wall clock it passes in. Each rule is a small function; the monitor keeps the
 * little state they need per app and dyno, and rate-limits what it emits.
 *
 * - r15: an R15 line (the platform killed or will kill the dyno); cleared by the dyno's next
 *   sample at or under its quota.
 * - over-quota: RSS + swap over the quota for `overQuotaMs` on the log's clock (each sample
 *   over extends the stretch); cleared by a sample at or under the quota.
 * - blind: no event from the app for `blindAfterMs` of wall-clock time (the stream is dead, or
 *   the app went silent); cleared by the next event.
 */
import type {LogEvent, MemorySample} from '../events.js'

import {usedMemory} from '../events.js'
import {effectiveQuota} from '../quotas.js'

export type AlertKind = 'blind' | 'over-quota' | 'r15'

export interface Alert {
  action: 'resolve' | 'trigger'
  kind: AlertKind
  app: string
  /** The dyno; undefined for `blind` (the whole app's stream). */
  dyno?: string
  /** One line for humans (no secrets: app and dyno names, numbers). */
  summary: string
  /** Event time (log clock) or, for `blind`, the wall clock. */
  time: number
  /** One per app and dyno (`heroku-mem/APP/DYNO`), `heroku-mem/APP/recorder` for blind: an incident follows a dyno. */
  dedupKey: string
  details: Record<string, number | string>
}

export interface AlertMonitorOptions {
  overQuotaMs: number
  blindAfterMs: number
  /** Minimum time between two triggers of the same kind for the same app and dyno. */
  rateLimitMs: number
  /** Dyno size per process type, per app: the quota when lines carry none. */
  sizes?: Map<string, Record<string, string>>
}

export const DEFAULT_ALERT_OPTIONS: AlertMonitorOptions = {blindAfterMs: 5 * 60_000, overQuotaMs: 10 * 60_000, rateLimitMs: 15 * 60_000}

interface DynoWatch {
  overSince?: number
  /** Kinds whose condition holds (triggered, or suppressed by the rate limit). */
  active: Set<AlertKind>
  /** Kinds whose trigger was sent and not yet resolved: only these get a resolve. */
  open: Set<AlertKind>
}

export class AlertMonitor {
  private readonly dynos = new Map<string, DynoWatch>()
  private readonly lastEventWall = new Map<string, number>()
  private readonly lastTrigger = new Map<string, number>()
  private readonly openBlind = new Set<string>()

  constructor(private readonly options: AlertMonitorOptions = DEFAULT_ALERT_OPTIONS) {}

  /** What an event changes; `now` is the wall clock (for blindness and rate limits). */
  onEvent(app: string, event: LogEvent, now: number): Alert[] {
    const alerts: Alert[] = []
    this.lastEventWall.set(app, now)
    if (this.openBlind.delete(app)) alerts.push(blindAlert(app, 'resolve', now, 0))
    if (event.kind === 'release') return alerts
    const watch = this.watchOf(app, event.dyno)
    if (event.kind === 'error' && event.code === 'R15') {
      this.trigger(alerts, watch, now, {
        action: 'trigger', app, dedupKey: dedupKey(app, event.dyno), details: {code: 'R15'}, dyno: event.dyno, kind: 'r15',
        summary: `${app} ${event.dyno}: R15, memory quota vastly exceeded (the platform kills the dyno)`, time: event.time,
      })
    }

    if (event.kind === 'memory') this.onSample(app, event, watch, alerts, now)
    return alerts
  }

  /** Wall-clock checks: an app the recorder has heard nothing from for too long. */
  tick(apps: string[], now: number): Alert[] {
    const alerts: Alert[] = []
    for (const app of apps) {
      if (!this.lastEventWall.has(app)) this.lastEventWall.set(app, now)
      const silentFor = now - this.lastEventWall.get(app)!
      if (silentFor < this.options.blindAfterMs || this.openBlind.has(app)) continue
      this.openBlind.add(app)
      alerts.push(blindAlert(app, 'trigger', now, silentFor))
    }

    return alerts
  }

  private onSample(app: string, sample: MemorySample, watch: DynoWatch, alerts: Alert[], now: number): void {
    const quota = effectiveQuota(sample.quota, this.options.sizes?.get(app)?.[sample.type])
    const used = usedMemory(sample)
    const details = {percent_of_quota: Math.round((used / quota) * 1000) / 10, quota_mb: quota, used_mb: Math.round(used * 10) / 10}
    if (used <= quota) {
      watch.overSince = undefined
      watch.active.clear()
      for (const kind of watch.open) {
        watch.open.delete(kind)
        alerts.push({
          action: 'resolve', app, dedupKey: dedupKey(app, sample.dyno), details, dyno: sample.dyno, kind,
          summary: `${app} ${sample.dyno}: back under its quota (${details.used_mb} of ${quota} MB)`, time: sample.time,
        })
      }

      return
    }

    watch.overSince ??= sample.time
    const overFor = sample.time - watch.overSince
    if (overFor < this.options.overQuotaMs || watch.active.has('over-quota')) return
    this.trigger(alerts, watch, now, {
      action: 'trigger', app, dedupKey: dedupKey(app, sample.dyno), details: {...details, over_for_s: Math.round(overFor / 1000)}, dyno: sample.dyno, kind: 'over-quota',
      summary: `${app} ${sample.dyno}: over its memory quota for ${Math.round(overFor / 60_000)} min (${details.used_mb} of ${quota} MB, ${details.percent_of_quota}%)`, time: sample.time,
    })
  }

  /** Emits a trigger unless the same kind fired for this dyno within the rate limit. */
  private trigger(alerts: Alert[], watch: DynoWatch, now: number, alert: Alert): void {
    const key = `${alert.dedupKey}/${alert.kind}`
    watch.active.add(alert.kind)
    const last = this.lastTrigger.get(key)
    if (last !== undefined && now - last < this.options.rateLimitMs) return
    this.lastTrigger.set(key, now)
    watch.open.add(alert.kind)
    alerts.push(alert)
  }

  private watchOf(app: string, dyno: string): DynoWatch {
    const key = `${app}\n${dyno}`
    let watch = this.dynos.get(key)
    if (!watch) {
      watch = {active: new Set(), open: new Set()}
      this.dynos.set(key, watch)
    }

    return watch
  }
}

function dedupKey(app: string, dyno: string): string {
  return `heroku-mem/${app}/${dyno}`
}

function blindAlert(app: string, action: Alert['action'], now: number, silentFor: number): Alert {
  return {
    action, app, dedupKey: `heroku-mem/${app}/recorder`, details: action === 'trigger' ? {silent_for_s: Math.round(silentFor / 1000)} : {}, kind: 'blind',
    summary: action === 'trigger'
      ? `${app}: mem:record has seen nothing from the app's log for ${Math.round(silentFor / 60_000)} min (stream down, or no dynos running)`
      : `${app}: mem:record sees the app's log again`,
    time: now,
  }
}
