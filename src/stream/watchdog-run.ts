import type {LogEvent} from '../core/events.js'
import type {WatchdogOutput} from '../core/ports/watchdog-output.js'
import type {PolicyStep} from '../core/watchdog/decision.js'
import type {RestartPolicy} from '../core/watchdog/policy.js'

import {UserError} from '../errors.js'
import {describeApiError, HerokuApi} from '../heroku/api.js'
import {loadState, refreshDynos, saveState} from '../heroku/restart-state.js'
import {abortableSleep} from './abortable-sleep.js'
import {readLog} from './read-log.js'

/** `--once` exit codes (documented in docs/restart-over.md); 1 is any error, 2 a usage error. */
export const ONCE_EXIT = {nothingOver: 0, overNotRestarted: 4, restarted: 3} as const

/** A refused or rate-limited restart is tried again after this long, never in a tight loop. */
const RATE_LIMIT_RETRY_MS = 60_000
/** The dyno list is asked for at most this often (it is only needed when something changed). */
const MIN_REFRESH_INTERVAL_MS = 30_000

export interface WatchdogRunOptions {
  api: HerokuApi
  app: string
  filter: {dyno?: string; type?: string}
  output: WatchdogOutput
  policy: RestartPolicy
  restartApi: HerokuApi
  signal: AbortSignal
  /** Where loop counts and the hourly cap are kept between runs; none in a dry run or with --no-state-file. */
  statePath?: string
}

/**
 * The shell around the RestartPolicy: platform lines in, restarts out. Lines are parsed and fed
 * to the policy as they arrive; the restarts it asks for are made one after another; their
 * outcome goes back to the policy, which may then free the next dyno waiting for its turn.
 */
export class WatchdogRun {
  private fatal?: Error
  private lastRefresh = 0
  private refreshTimer?: NodeJS.Timeout
  private restarts: Promise<void> = Promise.resolve()
  private readonly streamStop = new AbortController()

  constructor(private readonly options: WatchdogRunOptions) {
    options.signal.addEventListener('abort', () => this.streamStop.abort(), {once: true})
  }

  /** Feeds one platform event to the policy and carries out what it decides. */
  onEvent(event: LogEvent): void {
    this.apply(this.options.policy.observe(event))
  }

  /** `--once`: the recent log, one decision per dyno, the restarts, an exit code. */
  async once(): Promise<number> {
    await this.prepare()
    this.apply(this.options.policy.decideNow())
    await this.finish()
    const summary = this.options.policy.summary()
    const code = summary.restarted.length > 0
      ? ONCE_EXIT.restarted
      : (summary.over.length > 0 ? ONCE_EXIT.overNotRestarted : ONCE_EXIT.nothingOver)
    this.options.output.summary(summary, {exitCode: code})
    return code
  }

  /** Follows the live log until the signal; then finishes the restart in flight. */
  async watch(): Promise<void> {
    const {options} = this
    await this.prepare()
    try {
      await readLog({
        app: options.app, ...options.filter, kind: 'tail', lines: 0,
      }, {
        api: options.api,
        onEvent: event => this.onEvent(event),
        onNotice: notice => options.output.stream(notice),
        signal: this.streamStop.signal,
      })
    } finally {
      await this.finish()
    }

    options.output.summary(options.policy.summary(), {})
  }

  private apply(step: PolicyStep): void {
    for (const decision of step.decisions) this.options.output.decision(decision)
    for (const dyno of step.restarts) this.restarts = this.restarts.then(() => this.restart(dyno))
    if (step.refreshDynos) this.requestRefresh()
  }

  /** Stops everything after an error no retry can fix (401, 403). */
  private failWith(error: Error): void {
    this.fatal ??= error
    this.streamStop.abort()
  }

  private async finish(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
    await this.restarts
    await this.save()
    if (this.fatal) throw this.fatal
  }

  /** What the platform already knows, then what an earlier run kept. */
  private async prepare(): Promise<void> {
    const {api, app, filter, output, policy} = this.options
    this.lastRefresh = Date.now()
    await refreshDynos(api, app, policy, 'replay')
    // The recent log (platform lines only): restarts, instances and readings become state, nothing is decided.
    await readLog({app, ...filter, kind: 'history'}, {api, onEvent: event => policy.observe(event, 'replay'), signal: this.streamStop.signal})
    if (this.options.statePath) {
      const saved = await loadState(this.options.statePath, app, note => output.note(note))
      if (saved) policy.restoreState(saved)
    }

    this.apply(policy.advance(policy.clock))
  }

  private async refresh(): Promise<void> {
    this.lastRefresh = Date.now()
    try {
      this.apply(await refreshDynos(this.options.api, this.options.app, this.options.policy, 'live'))
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

  /**
   * One restart, kept until it is made: a rate limit (after the API client's own retries,
   * which honour Retry-After) waits and tries again; only Ctrl-C or a fatal error drops it.
   */
  private async restart(dyno: string): Promise<void> {
    const {app, output, policy, restartApi, signal} = this.options
    for (;;) {
      if (signal.aborted || this.fatal) {
        this.apply(policy.restartOutcome(dyno, 'failed', 'stopped before the restart was sent'))
        return
      }

      try {
        const outcome = await restartApi.restartDyno(app, dyno)
        this.apply(policy.restartOutcome(dyno, outcome))
        await this.save()
        return
      } catch (error) {
        if (signal.aborted) continue
        if (isFatal(error)) {
          this.failWith(error as Error)
          continue
        }

        const message = describeApiError(error)
        if (!(error instanceof UserError && error.status === 429)) {
          this.apply(policy.restartOutcome(dyno, 'failed', message))
          return
        }

        output.note(`rate limited by the Heroku API: the restart of ${dyno} is tried again in ${RATE_LIMIT_RETRY_MS / 1000}s`)
        await abortableSleep(RATE_LIMIT_RETRY_MS, signal)
      }
    }
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

/** 401 and 403 (bad token, no access) cannot get better by waiting. */
function isFatal(error: unknown): boolean {
  return error instanceof UserError && (error.status === 401 || error.status === 403)
}
