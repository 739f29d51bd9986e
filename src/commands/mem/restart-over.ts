import {Flags} from '@oclif/core'

import type {PolicyStep, RestartPolicyOptions} from '../../core/watchdog/policy.js'
import type {WatchdogOutput} from '../../render/watchdog-output.js'

import {MemCommand} from '../../base-command.js'
import {LogParser} from '../../core/parse-line.js'
import {POLICY_DEFAULTS, RestartPolicy} from '../../core/watchdog/policy.js'
import {type Metric, METRICS, parseThresholds} from '../../core/watchdog/threshold.js'
import {UserError} from '../../errors.js'
import {durationFlag, dynoFilter, memFlags} from '../../flags.js'
import {describeApiError, HerokuApi} from '../../heroku/api.js'
import {ensureRuntimeMetrics} from '../../heroku/preflight.js'
import {
  loadState, refreshDynos, replayHistory, saveState, statePath,
} from '../../heroku/restart-state.js'
import {JsonWatchdogOutput, TextWatchdogOutput} from '../../render/watchdog-output.js'
import {LogStream} from '../../stream/log-stream.js'

/** `--once` exit codes (documented in docs/restart-over.md); 1 is any error, 2 a usage error. */
export const ONCE_EXIT = {nothingOver: 0, overNotRestarted: 4, restarted: 3} as const

/** A refused or rate-limited restart is tried again after this long, never in a tight loop. */
const RATE_LIMIT_RETRY_MS = 60_000
/** The dyno list is asked for at most this often (it is only needed when something changed). */
const MIN_REFRESH_INTERVAL_MS = 30_000

export default class RestartOver extends MemCommand {
  static description = `restart a dyno when its memory stays over a threshold, before it swaps (R14) or is killed (R15)
Watches log-runtime-metrics samples (RSS + swap, what R14 measures). A dyno is restarted after --for
readings in a row over its threshold, one dyno of a process type at a time, with a cooldown, a
restart-loop breaker and an hourly cap. Cooldowns and loop counts come from the platform (the dyno
list's "up since" and the restart lines in the log), so they hold between --once runs on Heroku
Scheduler. Every decision is printed with its reason. Ctrl-C finishes a restart in flight and exits 0.
--once exit codes: 0 nothing over, 3 restarted, 4 over but not restarted (dry run or a guard), 1 error.`
  static examples = [
    '$ heroku mem:restart-over -a my-app --threshold 90% --dry-run',
    '$ heroku mem:restart-over -a my-app --threshold web=85%,worker=900MB',
    '$ heroku mem:restart-over -a my-app -p web --threshold 1.5GB --for 3 --cooldown 15m',
    '$ heroku mem:restart-over -a my-app --threshold 95% --on-r14 --json',
    '$ heroku mem:restart-over -a my-app --threshold 90% --once   # for Heroku Scheduler or cron',
  ]
  static flags = {
    ...memFlags,
    cooldown: durationFlag({description: 'least time between two restarts of a dyno [default: 10m]'}),
    'dry-run': Flags.boolean({description: 'print every decision, restart nothing'}),
    for: Flags.integer({default: POLICY_DEFAULTS.forSamples, description: 'readings in a row over the threshold before a restart (about 20 s apart)', min: 1}),
    'loop-limit': Flags.integer({default: POLICY_DEFAULTS.loopLimit, description: 'stop restarting a dyno over again this many times soon after a restart', min: 1}),
    'loop-window': durationFlag({description: 'what "soon after a restart" means for the loop breaker [default: 5m]'}),
    'max-parallel': Flags.integer({default: POLICY_DEFAULTS.maxParallel, description: 'dynos of one process type restarting at once', min: 1}),
    'max-per-hour': Flags.integer({default: POLICY_DEFAULTS.maxPerHour, description: 'restarts in any hour, all dynos together', min: 1}),
    metric: Flags.string({default: POLICY_DEFAULTS.metric, description: 'what is compared with the threshold', options: [...METRICS]}),
    once: Flags.boolean({description: 'decide on the recent log, restart, exit (for Heroku Scheduler and cron)'}),
    'on-r14': Flags.boolean({description: 'count an R14 (memory quota exceeded) as a reading over the threshold'}),
    'state-file': Flags.boolean({allowNo: true, default: true, description: 'also keep loop counts and the hourly cap in the CLI cache dir (cron)'}),
    threshold: Flags.string({
      description: 'restart over this: 90% of quota, 900MB or 1.5GB; per type: web=85%,worker=900MB (repeatable)', multiple: true, required: true,
    }),
  }
  static topic = 'mem'

  async run(): Promise<void> {
    const {flags} = await this.parse(RestartOver)
    const {app} = flags
    const policyOptions: RestartPolicyOptions = {
      cooldownMs: flags.cooldown ?? POLICY_DEFAULTS.cooldownMs,
      dryRun: flags['dry-run'],
      forSamples: flags.for,
      loopLimit: flags['loop-limit'],
      loopWindowMs: flags['loop-window'] ?? POLICY_DEFAULTS.loopWindowMs,
      maxParallel: flags['max-parallel'],
      maxPerHour: flags['max-per-hour'],
      metric: flags.metric as Metric,
      onR14: flags['on-r14'],
      thresholds: parseThresholds(flags.threshold),
      upTimeoutMs: POLICY_DEFAULTS.upTimeoutMs,
    }
    await ensureRuntimeMetrics(this.api, app)

    const stop = new AbortController()
    let interrupts = 0
    const onSignal = () => {
      // A second Ctrl-C does not wait for the restart in flight.
      if (++interrupts > 1) process.exit(130)
      stop.abort()
    }

    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const output: WatchdogOutput = flags.json
      ? new JsonWatchdogOutput(text => process.stdout.write(text))
      : new TextWatchdogOutput(text => process.stdout.write(text), text => process.stderr.write(text))
    const run = new WatchdogRun({
      api: this.api,
      app,
      filter: dynoFilter(flags),
      output,
      policy: new RestartPolicy(policyOptions),
      // Restart calls get their own client, whose waits on 429 end at Ctrl-C.
      restartApi: new HerokuApi(this.heroku, {sleep: ms => abortableSleep(ms, stop.signal)}),
      signal: stop.signal,
      statePath: flags['state-file'] && !flags['dry-run'] ? statePath(this.config.cacheDir, app) : undefined,
    })
    try {
      if (flags.once) {
        const code = await run.once()
        if (code !== 0) this.exit(code)
      } else {
        const which = flags['dyno-name'] ?? flags['process-type'] ?? 'all dynos'
        const dryRun = flags['dry-run'] ? ' (dry run)' : ''
        output.note(`watching ${app} (${which}): restart over ${flags.threshold.join(', ')} for ${flags.for} readings${dryRun}; Ctrl-C to stop`)
        await run.watch()
      }
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

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
  private readonly parser = new LogParser({defaultYear: new Date().getUTCFullYear()})
  private refreshTimer?: NodeJS.Timeout
  private restarts: Promise<void> = Promise.resolve()
  private readonly streamStop = new AbortController()

  constructor(private readonly options: WatchdogRunOptions) {
    options.signal.addEventListener('abort', () => this.streamStop.abort(), {once: true})
  }

  /** Feeds one raw log line (only the platform's own lines become events). */
  onLine(line: string): void {
    const event = this.parser.parse(line)
    if (event) this.apply(this.options.policy.observe(event))
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
      await new LogStream(options.api, {
        app: options.app,
        ...options.filter,
        lines: 0,
        onLine: line => this.onLine(line),
        onNotice: notice => options.output.stream(notice),
        signal: this.streamStop.signal,
        tail: true,
      }).run()
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
    await replayHistory(api, policy, {app, ...filter, signal: this.streamStop.signal})
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
        if (!/\(429\)/.test(message)) {
          this.apply(policy.restartOutcome(dyno, 'failed', message))
          return
        }

        output.note(`rate limited by the Heroku API: the restart of ${dyno} is tried again in ${RATE_LIMIT_RETRY_MS / 1000}s`)
        await abortableSleep(RATE_LIMIT_RETRY_MS, signal).catch(() => {})
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
  return error instanceof UserError && /\((401|403)\)/.test(error.message)
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('stopped'))
      return
    }

    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    function onAbort() {
      clearTimeout(timer)
      reject(new Error('stopped'))
    }

    signal.addEventListener('abort', onAbort, {once: true})
  })
}
