/**
 * When mem:record and mem:restart-over raise an alert, and when it clears: plain rules over the
 * events they see, the watchdog's decisions and the wall clock they pass in. Each rule is a small
 * function; the monitor keeps the little state they need per app and dyno, and rate-limits what it emits.
 *
 * - r15: an R15 line (the platform killed or will kill the dyno); cleared by the dyno's next
 *   sample at or under its quota.
 * - over-quota: RSS + swap over the quota for `overQuotaMs` on the log's clock (each sample
 *   over extends the stretch); cleared by a sample at or under the quota.
 * - blind: no event from the app for `blindAfterMs` of wall-clock time while the platform says
 *   dynos are running (so the stream is dead); cleared by the next event. An app with no dyno
 *   running (scaled to zero, Eco dynos asleep) logs nothing: no alert, a note (`idle`).
 * - restart (mem:restart-over): the watchdog restarted a dyno, with the reading and the threshold;
 *   every one is sent (the watchdog's own cooldown and hourly cap bound them); cleared like over-quota.
 * - loop-breaker (mem:restart-over): the watchdog stopped restarting a dyno that kept coming back
 *   over; cleared like over-quota.
 * - prediction: a confident leak that reaches the quota within the hour (quota-forecast.ts); said
 *   once per dyno instance, a heads-up that nothing resolves.
 */
import type {LogEvent, MemorySample} from '../events.js'
import type {Decision} from '../watchdog/decision.js'

import {usedMemory} from '../events.js'
import {effectiveQuota, limitsForSize} from '../quotas.js'
import {QuotaForecast} from './quota-forecast.js'

export type AlertKind = 'blind' | 'loop-breaker' | 'over-quota' | 'prediction' | 'r15' | 'restart'

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
  /** Figures, the app's release when known (`release`), and for a dyno the line to run next (`run`). */
  details: Record<string, number | string>
}

/** What a wall-clock check found: alerts, and notes for the terminal that are not alerts. */
export interface SightStep {
  alerts: Alert[]
  notes: string[]
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

/** Whether the log of an app is seen: `idle` when it is silent because no dyno runs. */
type Sight = 'blind' | 'idle' | 'seeing'

export class AlertMonitor {
  private readonly dynos = new Map<string, DynoWatch>()
  private readonly forecast = new QuotaForecast()
  /** Wall clock of the last dyno count asked for a silent app: asked again at most every blindAfterMs. */
  private readonly lastCheck = new Map<string, number>()
  private readonly lastEventWall = new Map<string, number>()
  private readonly lastTrigger = new Map<string, number>()
  private readonly releases = new Map<string, number>()
  private readonly sight = new Map<string, Sight>()

  constructor(private readonly options: AlertMonitorOptions = DEFAULT_ALERT_OPTIONS) {}

  /** What an event changes; `now` is the wall clock (for blindness and rate limits). */
  onEvent(app: string, event: LogEvent, now: number): Alert[] {
    const alerts: Alert[] = []
    this.lastEventWall.set(app, now)
    this.lastCheck.delete(app)
    if (this.sight.get(app) === 'blind') alerts.push(blindAlert(app, 'resolve', now, 0))
    this.sight.set(app, 'seeing')
    if (event.kind === 'release') {
      if (event.version !== undefined) this.releases.set(app, event.version)
      return alerts
    }

    const watch = this.watchOf(app, event.dyno)
    if (event.kind === 'error' && event.code === 'R15') {
      this.trigger(alerts, watch, now, {
        action: 'trigger', app, dedupKey: dedupKey(app, event.dyno), details: this.context(app, event.dyno, {code: 'R15'}), dyno: event.dyno, kind: 'r15',
        summary: `${app} ${event.dyno}: R15, memory quota vastly exceeded (the platform kills the dyno)`, time: event.time,
      })
    }

    if (event.kind === 'memory') this.onSample(app, event, watch, alerts, now)
    return alerts
  }

  /**
   * What the watchdog decided (mem:restart-over --notify): a restart sent, or the loop breaker
   * holding a dyno. `now` is the wall clock.
   */
  onDecision(app: string, decision: Decision, now: number): Alert[] {
    const alerts: Alert[] = []
    const {dyno} = decision
    const figures = decisionFigures(decision)
    if (decision.action === 'restart') {
      const watch = this.watchOf(app, dyno)
      watch.open.add('restart')
      alerts.push({
        action: 'trigger', app, dedupKey: dedupKey(app, dyno), details: this.context(app, dyno, figures), dyno, kind: 'restart',
        summary: `${app} ${dyno}: restarted by the watchdog at ${figures.value_mb} MB `
          + `(threshold ${figures.threshold}${figures.limit_mb === undefined ? '' : ` = ${figures.limit_mb} MB`}, ${decision.over} readings over)`,
        time: decision.time,
      })
    } else if (decision.action === 'hold' && decision.reason === 'loop-breaker') {
      const watch = this.watchOf(app, dyno)
      if (!watch.active.has('loop-breaker')) {
        this.trigger(alerts, watch, now, {
          action: 'trigger', app, dedupKey: dedupKey(app, dyno), details: this.context(app, dyno, figures), dyno, kind: 'loop-breaker',
          summary: `${app} ${dyno}: the watchdog stopped restarting it (over again soon after each restart): the leak needs a fix, not restarts`,
          time: decision.time,
        })
      }
    }

    return alerts
  }

  /**
   * Apps silent for `blindAfterMs` (wall clock) whose running dynos the shell should count now:
   * each at most once per `blindAfterMs`, so a dead stream costs one API call every few minutes.
   */
  silentApps(apps: string[], now: number): string[] {
    const silent: string[] = []
    for (const app of apps) {
      if (!this.lastEventWall.has(app)) this.lastEventWall.set(app, now)
      if (now - this.lastEventWall.get(app)! < this.options.blindAfterMs) continue
      const checked = this.lastCheck.get(app)
      if (checked !== undefined && now - checked < this.options.blindAfterMs) continue
      this.lastCheck.set(app, now)
      silent.push(app)
    }

    return silent
  }

  /**
   * The shell's count of a silent app's running dynos (undefined: the API did not answer). Dynos
   * running and nothing read: the stream is dead (blind). None running: nothing to read, so no
   * alert, a note (and an open blind alert resolves).
   */
  dynoCount(app: string, running: number | undefined, now: number): SightStep {
    const step: SightStep = {alerts: [], notes: []}
    const before = this.sight.get(app) ?? 'seeing'
    const silentFor = now - (this.lastEventWall.get(app) ?? now)
    if (running === 0) {
      if (before === 'blind') step.alerts.push(blindAlert(app, 'resolve', now, 0, 'no dyno is running now'))
      if (before !== 'idle') step.notes.push(`${app}: nothing in the log for ${Math.round(silentFor / 60_000)} min, and no dyno is running (scaled to zero, or asleep): not blind, no alert`)
      this.sight.set(app, 'idle')
      return step
    }

    if (before === 'blind') return step
    this.sight.set(app, 'blind')
    step.alerts.push(blindAlert(app, 'trigger', now, silentFor, running === undefined ? 'the dyno list did not answer' : `${running} dyno${running === 1 ? '' : 's'} running`))
    return step
  }

  private onSample(app: string, sample: MemorySample, watch: DynoWatch, alerts: Alert[], now: number): void {
    const size = this.options.sizes?.get(app)?.[sample.type]
    const quota = effectiveQuota(sample.quota, size)
    const used = usedMemory(sample)
    const forecast = this.forecast.add(`${app}\n${sample.dyno}`, sample, {killFactor: limitsForSize(size)?.killFactor ?? 2, quota})
    if (forecast) {
      alerts.push({
        action: 'trigger', app, dedupKey: dedupKey(app, sample.dyno),
        details: this.context(app, sample.dyno, {
          confidence: forecast.confidence, minutes_to_quota: forecast.minutesToQuota, quota_mb: quota, rate_mb_per_hour: forecast.rateMbPerHour, used_mb: Math.round(used * 10) / 10,
        }),
        dyno: sample.dyno, kind: 'prediction',
        summary: `${app} ${sample.dyno}: reaches its quota in ~${forecast.minutesToQuota} min at ${forecast.rateMbPerHour} MB/h (${Math.round(used)} of ${quota} MB now)`, time: sample.time,
      })
    }

    const details = this.context(app, sample.dyno, {percent_of_quota: Math.round((used / quota) * 1000) / 10, quota_mb: quota, used_mb: Math.round(used * 10) / 10})
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

  /** An alert's details with what every dyno alert carries: the release, and the line to run next. */
  private context(app: string, dyno: string, figures: Record<string, number | string>): Record<string, number | string> {
    const release = this.releases.get(app)
    return {...figures, ...(release === undefined ? {} : {release: `v${release}`}), run: `heroku mem:report -a ${app} -d ${dyno}`}
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

/** A restart or loop-breaker decision's figures: the reading, the limit and the threshold as written. */
function decisionFigures(decision: Decision): Record<string, number | string> {
  const figures: Record<string, number | string> = {readings_over: decision.over}
  if (decision.value !== undefined) figures.value_mb = Math.round(decision.value * 10) / 10
  if (decision.limit !== undefined) figures.limit_mb = Math.round(decision.limit * 10) / 10
  if (decision.threshold !== undefined) figures.threshold = decision.threshold
  if (decision.quota !== undefined) figures.quota_mb = decision.quota
  return figures
}

function blindAlert(app: string, action: Alert['action'], now: number, silentFor: number, why = ''): Alert {
  return {
    action, app, dedupKey: `heroku-mem/${app}/recorder`, details: action === 'trigger' ? {silent_for_s: Math.round(silentFor / 1000)} : {}, kind: 'blind',
    summary: action === 'trigger'
      ? `${app}: nothing read from the app's log for ${Math.round(silentFor / 60_000)} min (${why}): the log stream looks dead, memory is not being watched`
      : `${app}: the app's log is read again${why ? ` (${why})` : ''}`,
    time: now,
  }
}
