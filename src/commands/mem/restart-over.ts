import {Flags} from '@oclif/core'

import type {WatchdogOutput} from '../../core/ports/watchdog-output.js'
import type {RestartPolicyOptions} from '../../core/watchdog/options.js'

import {abortableSleep} from '../../abortable-sleep.js'
import {MemCommand, memFlags} from '../../base-command.js'
import {POLICY_DEFAULTS} from '../../core/watchdog/options.js'
import {RestartPolicy} from '../../core/watchdog/policy.js'
import {type Metric, METRICS, parseThresholds} from '../../core/watchdog/threshold.js'
import {alertFlags, durationFlag, dynoFilter} from '../../flags.js'
import {HerokuApi} from '../../heroku/api.js'
import {ensureFilteredDynos, ensureRuntimeMetrics, ensureThresholdsCanFire} from '../../heroku/preflight.js'
import {statePath} from '../../heroku/restart-state.js'
import {parseTarget} from '../../notify/alert-targets.js'
import {recorderNoticeLine} from '../../render/record-output.js'
import {JsonWatchdogOutput, TextWatchdogOutput} from '../../render/watchdog-output.js'
import {storeLabel, storeTarget} from '../../store/open-store.js'
import {StopSignal} from '../../stream/stop-signal.js'
import {WatchdogRun} from '../../stream/watchdog-run.js'
import {WatchdogSidecar} from '../../stream/watchdog-sidecar.js'

export default class RestartOver extends MemCommand {
  static description = `restart a dyno when its memory stays over a threshold, before it swaps (R14) or is killed (R15)
Watches log-runtime-metrics samples (RSS + swap, what R14 measures). A dyno is restarted after --for readings in a row over its threshold, one dyno of a process type at a time, with a cooldown, a restart-loop breaker and an hourly cap. Cooldowns and loop counts come from the platform (the dyno list's "up since" and the restart lines in the log), so they hold between --once runs on Heroku Scheduler. Every decision is printed with its reason. Every restart is checked again just before it goes out (the dyno is read first) and sent once, never retried. Ctrl-C finishes or abandons a restart in flight within seconds, saves the state and exits 0. --once exit codes: 0 nothing over, 3 restarted, 4 over but not restarted (dry run or a guard), 1 error.
With --record it also stores what it reads, as mem:record does (one log stream for both); with --notify it sends alerts (restarts, the loop breaker, R15, over quota, blind). Neither can hold up, add or stop a restart: a store or webhook that is down only costs notes.`
  static examples = [
    '$ heroku mem:restart-over -a my-app --threshold 90% --dry-run',
    '$ heroku mem:restart-over -a my-app --threshold web=85%,worker=900MB',
    '$ heroku mem:restart-over -a my-app -p web --threshold 1.5GB --for 3 --cooldown 15m',
    '$ heroku mem:restart-over -a my-app --threshold 95% --on-r14 --json',
    '$ heroku mem:restart-over -a my-app --threshold 90% --once   # for Heroku Scheduler or cron',
    '$ heroku mem:restart-over -a my-app --threshold 90% --record --store "$DATABASE_URL"   # watch and record, unattended',
    '$ heroku mem:restart-over -a my-app --threshold 90% --notify https://hooks.slack.com/services/T0/B0/XXXX',
    '$ heroku mem:restart-over -a my-app --threshold 90% --notify "https://events.pagerduty.com/v2/enqueue?routing_key=KEY" --blind-after 10m',
  ]
  static flags = {
    ...memFlags,
    ...alertFlags,
    record: Flags.boolean({
      description: 'also store what the watchdog reads, as mem:record does, from the same log stream (the whole app: not with -d/-p)', exclusive: ['dyno-name', 'process-type'],
    }),
    store: Flags.string({dependsOn: ['record'], description: 'where --record keeps the history: postgres://... or a SQLite file path [default: DATABASE_URL, else the CLI data directory]'}),
    cooldown: durationFlag({description: 'least time between two restarts of a dyno [default: 10m]'}),
    'dry-run': Flags.boolean({description: 'print every decision, restart nothing'}),
    json: Flags.boolean({description: 'one JSON object per line (NDJSON): decisions, notes, stream notices, then a summary'}),
    for: Flags.integer({default: POLICY_DEFAULTS.forSamples, description: 'readings in a row over the threshold before a restart (about 20 s apart)', min: 1}),
    'loop-limit': Flags.integer({default: POLICY_DEFAULTS.loopLimit, description: 'stop restarting a dyno over again this many times soon after a restart', min: 1}),
    'loop-window': durationFlag({description: 'what "soon after a restart" means for the loop breaker [default: 5m]'}),
    'max-parallel': Flags.integer({default: POLICY_DEFAULTS.maxParallel, description: 'dynos of one process type restarting at once', min: 1}),
    'max-per-hour': Flags.integer({default: POLICY_DEFAULTS.maxPerHour, description: 'restarts in any hour, all dynos together', min: 1}),
    metric: Flags.string({default: POLICY_DEFAULTS.metric, description: 'what is compared with the threshold', options: [...METRICS]}),
    'request-timeout': durationFlag({description: 'longest wait for one API answer while restarting, whole answer included [default: 20s]'}),
    'send-jitter': durationFlag({description: 'longest random wait before a restart goes out: two watchdogs on one app then seldom read the dyno at the same moment [default: 5s]'}),
    'stall-timeout': durationFlag({description: 'reopen the live log when it sends nothing for this long [default: 75s]'}),
    once: Flags.boolean({description: 'decide on the recent log, restart, exit (for Heroku Scheduler and cron)'}),
    'on-r14': Flags.boolean({description: 'count an R14 (memory quota exceeded) as a reading over the threshold'}),
    'state-file': Flags.boolean({allowNo: true, default: true, description: 'also keep loop counts and the hourly cap in the CLI cache dir (cron)'}),
    threshold: Flags.string({
      description: 'restart over this: 90% of quota, 900MB or 1.5GB; per type: web=85%,worker=900MB (repeatable); under the R15 kill of the dyno size (200% of quota, 100% on Private/Shield)', multiple: true, required: true,
    }),
  }
  static topic = 'mem'

  async run(): Promise<void> {
    const {flags} = await this.parse(RestartOver)
    const app = await this.appOf(flags)
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
    const targets = (flags.notify ?? []).map((url: string, index: number) => parseTarget(url, index))
    await ensureRuntimeMetrics(this.api, app)
    await ensureFilteredDynos(this.api, app, dynoFilter(flags))
    await ensureThresholdsCanFire(this.api, app, policyOptions.thresholds, dynoFilter(flags))

    // A second Ctrl-C does not wait for the restart in flight.
    const stop = new StopSignal()
    const output: WatchdogOutput = flags.json
      ? new JsonWatchdogOutput(text => process.stdout.write(text))
      : new TextWatchdogOutput(text => process.stdout.write(text), text => process.stderr.write(text))
    const store = flags.record ? storeTarget(flags.store, this.config.dataDir) : undefined
    const sidecar = store === undefined && targets.length === 0
      ? undefined
      : new WatchdogSidecar({
        alerts: {blindAfterMs: flags['blind-after'], overQuotaMs: flags['over-quota-for'], targets},
        api: this.api,
        app,
        filter: dynoFilter(flags),
        onNotice(notice) {
          const line = recorderNoticeLine(notice)
          if (line) output.note(line)
        },
        storeTarget: store,
      })
    const run = new WatchdogRun({
      api: this.api,
      app,
      filter: dynoFilter(flags),
      output: sidecar?.wrap(output) ?? output,
      policy: new RestartPolicy(policyOptions),
      // Restart calls get their own client, whose waits on 429 end at Ctrl-C.
      jitterMs: flags['send-jitter'],
      restartApi: new HerokuApi(this.client, {
        deadlineMs: flags['request-timeout'],
        async sleep(ms) {
          await abortableSleep(ms, stop.signal)
          if (stop.signal.aborted) throw new Error('stopped')
        },
      }),
      signal: stop.signal,
      stallMs: flags['stall-timeout'],
      statePath: flags['state-file'] && !flags['dry-run'] ? statePath(this.config.cacheDir, app) : undefined,
      tap: sidecar?.tap,
    })
    try {
      if (flags.once) {
        const code = await run.once()
        if (code !== 0) this.exit(code)
      } else {
        const which = flags['dyno-name'] ?? flags['process-type'] ?? 'all dynos'
        const dryRun = flags['dry-run'] ? ' (dry run)' : ''
        const recording = store === undefined ? '' : `, recording into ${storeLabel(store)}`
        const alerting = targets.length > 0 ? `, alerts to ${targets.map(target => target.label).join(', ')}` : ''
        output.note(`watching ${app} (${which}): restart over ${flags.threshold.join(', ')} for ${flags.for} readings${dryRun}${recording}${alerting}; Ctrl-C to stop`)
        await run.watch()
      }
    } finally {
      await sidecar?.stop()
      stop.release()
    }
  }
}
