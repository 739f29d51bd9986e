import type {LogEvent} from '../core/events.js'
import type {WatchdogOutput} from '../core/ports/watchdog-output.js'
import type {PolicyStep} from '../core/watchdog/decision.js'
import type {RestartPolicy} from '../core/watchdog/policy.js'

import {inDynoFilter} from '../core/events.js'
import {blindReason, type StreamNotice} from '../core/ports/stream-notice.js'
import {UserError} from '../errors.js'
import {describeApiError, HerokuApi} from '../heroku/api.js'
import {loadState, refreshDynos, saveState} from '../heroku/restart-state.js'
import {readLog} from './read-log.js'
import {RestartSender} from './restart-sender.js'
import {withDeadline} from './with-deadline.js'

/** `--once` exit codes (documented in docs/restart-over.md); 1 is any error, 2 a usage error. */
export const ONCE_EXIT = {nothingOver: 0, overNotRestarted: 4, restarted: 3} as const

/** The dyno list is asked for at most this often (it is only needed when something changed). */
const MIN_REFRESH_INTERVAL_MS = 30_000
/** A refresh of the dyno list that takes longer than this is given up (the next one will come). */
const REFRESH_DEADLINE_MS = 20_000
/**
 * Default random wait before a restart goes out (see RestartSender). Two watchdogs deciding on the
 * same reading both restart only if they read the dyno within about one API round trip of each
 * other: with 100 ms round trips, about 1 time in 25 with 5 s. A few seconds cost nothing against
 * readings 20 s apart.
 */
export const SEND_JITTER_MS = 5000

export interface WatchdogRunOptions {
  api: HerokuApi
  app: string
  filter: {dyno?: string; type?: string}
  /** Random wait before each restart (default SEND_JITTER_MS). */
  jitterMs?: number
  output: WatchdogOutput
  policy: RestartPolicy
  restartApi: HerokuApi
  signal: AbortSignal
  /** A live stream silent this long is reopened (default: LogStream's). */
  stallMs?: number
  /** Where loop counts and the hourly cap are kept between runs; none in a dry run or with --no-state-file. */
  statePath?: string
  /** Sees each event after the policy has (--record, --notify: stream/watchdog-sidecar.ts); must not throw. */
  tap?: (event: LogEvent, phase: 'history' | 'live') => void
}

/**
 * The shell around the RestartPolicy: platform lines in, restarts out. Lines are parsed and fed
 * to the policy as they arrive; the restarts it decides go to the RestartSender (one task per
 * dyno, each checked again before it goes out); their outcome goes back to the policy, which may
 * then free the next dyno waiting for its turn. When it cannot see the log, it says so.
 */
export class WatchdogRun {
  private blindSince?: number
  private fatal?: Error
  private lastRefresh = 0
  private refreshTimer?: NodeJS.Timeout
  private readonly sender: RestartSender
  /** Dynos the log stopped showing while the others report, said once each way. */
  private readonly silent = new Set<string>()
  private readonly streamStop = new AbortController()

  constructor(private readonly options: WatchdogRunOptions) {
    options.signal.addEventListener('abort', () => this.streamStop.abort(), {once: true})
    this.sender = new RestartSender({
      api: options.restartApi,
      app: options.app,
      apply: step => this.apply(step),
      jitterMs: options.jitterMs ?? SEND_JITTER_MS,
      note: message => options.output.note(message),
      onFatal: error => this.failWith(error),
      policy: options.policy,
      save: () => this.save(),
      signal: options.signal,
    })
  }

  /** Feeds one platform event to the policy and carries out what it decides. */
  onEvent(event: LogEvent): void {
    // Seeing again means log lines again, not a stream that opened (it may close at once, or send nothing).
    if (this.blindSince !== undefined) {
      this.options.output.blind({blind: false, blindForMs: Date.now() - this.blindSince, reason: 'log lines again'})
      this.blindSince = undefined
    }

    this.apply(this.options.policy.observe(event))
    if (event.kind === 'memory') this.noteSilentDynos(event.dyno)
    this.options.tap?.(event, 'live')
  }

  /** `--once`: the recent log, one decision per dyno, the restarts, an exit code. */
  async once(): Promise<number> {
    const {filter, policy} = this.options
    await this.prepare()
    // A run that saw nothing must not report "nothing over".
    const unread = policy.unreadDynos(Date.now()).filter(name => inDynoFilter(name, filter))
    if (unread.length > 0) {
      const them = unread.length === 1 ? 'it' : 'them'
      throw new UserError(`no memory reading from ${unread.join(', ')} in the recent log, though the dyno list shows ${them} up: nothing decided (is log-runtime-metrics on? did the log answer?)`)
    }

    this.apply(policy.decideNow())
    await this.finish()
    const summary = policy.summary()
    const code = summary.restarted.length > 0
      ? ONCE_EXIT.restarted
      : (summary.over.length > 0 ? ONCE_EXIT.overNotRestarted : ONCE_EXIT.nothingOver)
    // Lines lost: a dyno that stopped showing in the log while it ran may be over now.
    const silent = code === ONCE_EXIT.nothingOver ? policy.silentDynos(Date.now()).filter(name => inDynoFilter(name, filter)) : []
    if (silent.length > 0) {
      const them = silent.length === 1 ? 'it' : 'them'
      throw new UserError(`no recent memory reading from ${silent.join(', ')}: the log stopped showing ${them}, though the dyno list shows ${them} up: cannot say nothing is over`)
    }

    this.options.output.summary(summary, {exitCode: code})
    return code
  }

  /** Follows the live log until the signal; then finishes (or abandons) the restarts in flight and saves. */
  async watch(): Promise<void> {
    const {options} = this
    await this.prepare()
    try {
      await readLog({
        app: options.app, ...options.filter, kind: 'tail', lines: 0,
      }, {
        api: options.api,
        onEvent: event => this.onEvent(event),
        onNotice: notice => this.onNotice(notice),
        signal: this.streamStop.signal,
        stallMs: options.stallMs,
      })
    } finally {
      await this.finish()
    }

    options.output.summary(options.policy.summary(), {})
  }

  private apply(step: PolicyStep): void {
    for (const decision of step.decisions) this.options.output.decision(decision)
    for (const dyno of step.restarts) this.sender.start(dyno)
    if (step.refreshDynos) this.requestRefresh()
  }

  /** Stops everything after an error no retry can fix (401, 403). */
  private failWith(error: Error): void {
    this.fatal ??= error
    this.streamStop.abort()
  }

  private async finish(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
    await this.sender.idle()
    await this.save()
    if (this.fatal) throw this.fatal
  }

  /**
   * Blind to one dyno while the log flows (its lines lost, or the dyno stopped): said once, with a
   * fresh dyno list asked for (a dyno that is gone leaves it quietly), and again when its readings
   * come back (`reading`: the dyno of the sample just read).
   */
  private noteSilentDynos(reading: string): void {
    const {filter, output, policy} = this.options
    const now = new Set(policy.silentDynos(Date.now()).filter(name => inDynoFilter(name, filter)))
    for (const name of now) {
      if (this.silent.has(name)) continue
      this.silent.add(name)
      output.note(`${name}: no memory reading for over 2 minutes while the other dynos report (lines lost, or the dyno stopped): not watched until its readings come back`)
      this.requestRefresh()
    }

    for (const name of this.silent) {
      if (now.has(name)) continue
      this.silent.delete(name)
      if (name === reading) output.note(`${name}: readings again, watched again`)
    }
  }

  /** Stream notices, and whether the watchdog can see the log: said once each way. */
  private onNotice(notice: StreamNotice): void {
    const {output} = this.options
    output.stream(notice)
    const reason = blindReason(notice)
    if (reason !== undefined && this.blindSince === undefined) {
      this.blindSince = Date.now()
      output.blind({blind: true, reason})
    }
  }

  /** What the platform already knows, then what an earlier run kept. */
  private async prepare(): Promise<void> {
    const {api, app, filter, output, policy, statePath, tap} = this.options
    this.lastRefresh = Date.now()
    await refreshDynos(api, app, policy, 'replay')
    // The recent log (platform lines only): restarts, instances and readings become state, nothing is decided.
    await readLog({app, ...filter, kind: 'history'}, {
      api,
      onEvent(event) {
        policy.observe(event, 'replay')
        tap?.(event, 'history')
      },
      signal: this.streamStop.signal,
    })
    if (statePath) {
      const saved = await loadState(statePath, app, note => output.note(note))
      const notes = saved.policy ? policy.restoreState(saved.policy, Date.now()) : []
      for (const note of notes) output.note(`ignoring part of the state file ${statePath}: ${note}`)
      // A state file ignored in whole or in part is written again cleanly now.
      if (saved.damaged || notes.length > 0) await this.save()
    }

    this.apply(policy.advance(policy.clock))
  }

  private async refresh(): Promise<void> {
    this.lastRefresh = Date.now()
    try {
      this.apply(await withDeadline(refreshDynos(this.options.api, this.options.app, this.options.policy, 'live'), REFRESH_DEADLINE_MS))
    } catch (error) {
      if (isFatal(error)) this.failWith(error as Error)
      else this.options.output.note(`could not refresh the dyno list: ${describeApiError(error)}`)
    }
  }

  /** A refresh now, or once the minimum interval has passed; never more than one waiting. */
  private requestRefresh(): void {
    if (this.refreshTimer || this.streamStop.signal.aborted) return
    const wait = Math.max(0, this.lastRefresh + MIN_REFRESH_INTERVAL_MS - Date.now())
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined
      this.refresh()
    }, wait)
    this.refreshTimer.unref()
  }

  private async save(): Promise<void> {
    const {app, output, policy, statePath: path} = this.options
    if (!path) return
    try {
      await saveState(path, app, policy.exportState())
    } catch (error) {
      output.note(`could not save the state file ${path}: ${(error as Error).message}`)
    }
  }
}

/** 401 and 403 (bad token, no access), and a dyno list that is not found (the app deleted or renamed), cannot get better by waiting. */
function isFatal(error: unknown): boolean {
  return error instanceof UserError && (error.status === 401 || error.status === 403 || error.status === 404)
}

