import {Command, Flags} from '@oclif/core'

import type {HerokuApi} from '../../heroku/api.js'

import {failInOneLine} from '../../command-errors.js'
import {buildBlame} from '../../core/blame/blame.js'
import {durationFlag, parseWindow} from '../../flags.js'
import {appFromGitRemote, connect} from '../../heroku/connect.js'
import {blameJson} from '../../render/blame-json.js'
import {blameText} from '../../render/blame-text.js'
import {ReportProgress} from '../../render/report-progress.js'
import {watchStdout} from '../../stdout-pipe.js'
import {storeTarget} from '../../store/open-store.js'
import {readBlameInput} from '../../stream/blame-input.js'
import {stopSignalFor} from '../../stream/stop-signal.js'

/** Like mem:report, an oclif Command: with --file it needs no API client. */
export default class Blame extends Command {
  static description = `which requests make a dyno's memory grow: router lines joined with memory samples, no agent
Per dyno, memory between samples (~20 s) against the requests it served: routes over-represented where memory jumped (bloat) and a robust regression of memory on requests per route (leak). Reads the live log for --duration, saved logs (--file) with router lines, or for past days (--since) the per-interval route counts mem:record stored. Exit codes: 0 ok, 1 error, 2 bad usage. JSON schema: docs/blame.md.`
  static examples = [
    '$ heroku mem:blame -a my-app --duration 2h',
    '$ heroku mem:blame --file app.log --json',
    '$ heroku mem:blame -a my-app --since 2d   # from mem:record\'s store',
    '$ heroku logs -t -a my-app > app.log   # hours later: heroku mem:blame --file app.log',
  ]
  static flags = {
    app: Flags.string({char: 'a', description: 'app to watch (not needed with --file; default: the git remote\'s app)', env: 'HEROKU_APP'}),
    remote: Flags.string({char: 'r', description: 'git remote of app to use'}),
    duration: durationFlag({description: 'watch the live log this long, then blame, e.g. 1h (hours give sharper answers)'}),
    file: Flags.string({description: 'read a saved log with router lines ("-" for stdin, .gz read directly; repeatable)', exclusive: ['duration'], multiple: true}),
    json: Flags.boolean({description: 'output JSON (schema in docs/blame.md)'}),
    since: Flags.string({description: 'blame from mem:record\'s store from this time on (ISO time, or a duration ago like 2d)', exclusive: ['duration', 'file', 'no-store']}),
    until: Flags.string({description: 'with --since: up to this time (ISO time, or a duration ago) [default: now]', dependsOn: ['since']}),
    store: Flags.string({description: 'mem:record\'s store: postgres://... or a SQLite file [default: DATABASE_URL, else the CLI data directory\'s file]', dependsOn: ['since']}),
    'no-store': Flags.boolean({description: 'never read mem:record\'s store (only --duration or --file)'}),
  }
  static topic = 'mem'

  async catch(error: Error & {oclif?: {exit?: number}}): Promise<void> {
    failInOneLine(error)
  }

  async run(): Promise<void> {
    watchStdout()
    const {flags} = await this.parse(Blame)
    const now = Date.now()
    const {since, until = now} = parseWindow(flags, now, now)
    // Ctrl-C or SIGTERM ends a live window, or the reading of a pipe (`--file -`), and blames what it gathered.
    const stop = stopSignalFor(flags)
    try {
      let api: HerokuApi | undefined
      const app = flags.file ? undefined : flags.app ?? await appFromGitRemote(this.config, flags.remote)
      const input = await readBlameInput({
        app,
        connect: async () => {
          api ??= await connect(this.config)
          return api
        },
        durationMs: flags.duration,
        files: flags.file,
        progress: startedAt => new ReportProgress(text => process.stderr.write(text), {
          durationMs: flags.duration ?? 0, interactive: Boolean(process.stderr.isTTY), label: `Watching ${app}`, startedAt,
        }),
        signal: stop?.signal,
        stored: since === undefined ? undefined : {choice: {explicit: true, target: storeTarget(flags.store, this.config.dataDir)}, since, until},
      })
      for (const warning of input.warnings) process.stderr.write(`Warning: ${warning}\n`)
      const result = buildBlame(input.accumulator, {lostLineWarnings: input.lostLineWarnings})
      process.stdout.write(flags.json ? blameJson(result) : blameText(result))
    } finally {
      stop?.release()
    }
  }
}
