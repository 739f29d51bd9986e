import {Flags} from '@oclif/core'

import {MemCommand} from '../../base-command.js'
import {UserError} from '../../errors.js'
import {alertFlags, durationFlag} from '../../flags.js'
import {appFromGitRemote} from '../../heroku/connect.js'
import {parseTarget} from '../../notify/alert-targets.js'
import {RecordConsole, storeStatusText} from '../../render/record-output.js'
import {DEFAULT_RETENTION} from '../../store/memory-store.js'
import {openStore, storeTarget} from '../../store/open-store.js'
import {recordApps} from '../../stream/record-run.js'
import {StopSignal} from '../../stream/stop-signal.js'

export default class Record extends MemCommand {
  static description = `keep every app's memory history beyond the 1500 lines Heroku's log buffer holds
Follows each app's log and stores memory samples, R14/R15, restarts, crashes and releases per dyno, with the spans it could not see. The store is a SQLite file in the CLI's data directory, or Postgres with --store postgres://... (or DATABASE_URL) for unattended use. Raw samples are kept --keep-raw (14 days), then as 5-minute rollups for --keep-rollups (a year). heroku mem:report reads it. Ctrl-C or SIGTERM writes the last batch and exits 0.`
  static examples = [
    '$ heroku mem:record -a my-app',
    '$ heroku mem:record -a my-app -a my-worker-app --store postgres://user:pass@db.example.com/mem',
    '$ heroku mem:record --status',
    '$ heroku mem:record --prune --keep-raw 7d',
  ]
  static flags = {
    app: Flags.string({char: 'a', description: 'app to record (repeatable; default: the git remote\'s app)', multiple: true}),
    remote: Flags.string({char: 'r', description: 'git remote of app to use'}),
    'keep-raw': durationFlag({description: 'keep raw samples this long, then as 5-minute rollups [default: 14d]'}),
    'keep-rollups': durationFlag({description: 'keep 5-minute rollups this long [default: 365d]'}),
    ...alertFlags,
    num: Flags.integer({
      char: 'n', default: 1500, description: 'lines of the log buffer to start from (0 to 1500)', max: 1500, min: 0,
    }),
    prune: Flags.boolean({description: 'roll up and delete what is past the retention, then exit', exclusive: ['status']}),
    status: Flags.boolean({description: 'show what the store holds (apps, spans, rows, size), then exit'}),
    store: Flags.string({description: 'where to keep the history: postgres://... or a SQLite file path [default: DATABASE_URL, else the CLI data directory]'}),
  }
  static topic = 'mem'

  async run(): Promise<void> {
    const {flags} = await this.parse(Record)
    const retention = {rawMs: flags['keep-raw'] ?? DEFAULT_RETENTION.rawMs, rollupMs: flags['keep-rollups'] ?? DEFAULT_RETENTION.rollupMs}
    if (retention.rollupMs < retention.rawMs) throw new UserError('--keep-rollups must be at least --keep-raw', 2)
    const targets = (flags.notify ?? []).map((url: string, index: number) => parseTarget(url, index))
    const store = await openStore(storeTarget(flags.store, this.config.dataDir))
    try {
      if (flags.status) {
        process.stdout.write(storeStatusText(await store.status()))
        return
      }

      if (flags.prune) {
        const result = await store.prune(retention, Date.now())
        process.stdout.write(`Pruned ${store.label}: ${result.rolledUpSamples} samples rolled up into 5-minute buckets, ${result.deletedRollups} old buckets deleted\n`)
        return
      }

      // The git remote only when no -a is given: several Heroku remotes are an error only then.
      const fallback = flags.app ? undefined : process.env.HEROKU_APP ?? await appFromGitRemote(this.config, flags.remote)
      const apps: string[] = flags.app ?? (fallback ? [fallback] : [])
      if (apps.length === 0) throw new UserError('Name the app(s) to record with -a APP', 2)
      // Ctrl-C and SIGTERM (a process manager stopping the recorder) write the last batch and exit 0.
      const stop = new StopSignal()
      const screen = new RecordConsole(text => process.stdout.write(text), Boolean(process.stdout.isTTY), process.stdout.columns)
      try {
        const result = await recordApps({
          alerts: {blindAfterMs: flags['blind-after'], overQuotaMs: flags['over-quota-for'], targets},
          api: this.api,
          apps: [...new Set(apps)],
          lines: flags.num,
          onNotice: notice => screen.notice(notice),
          // Only once every app is known good: a wrong app name is then the one line of output.
          onStart: () => process.stdout.write(`Recording ${apps.join(', ')} into ${store.label}; Ctrl-C to stop\n`),
          onStatus: status => screen.status(status, Date.now()),
          retention,
          signal: stop.signal,
          store,
        })
        screen.close()
        if (result.unwritten > 0) throw new UserError(`The store did not answer: ${result.unwritten} events of the last minutes were not written`)
        process.stdout.write(`Stopped: ${result.status.samplesStored} samples of ${result.status.dynos} dynos stored in ${store.label}\n`)
      } finally {
        stop.release()
        screen.close()
      }
    } finally {
      await store.close()
    }
  }
}
