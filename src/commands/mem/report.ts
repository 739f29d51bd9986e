import {Command, Flags} from '@oclif/core'

import type {HerokuApi} from '../../heroku/api.js'

import {failInOneLine} from '../../command-errors.js'
import {parseFailOn} from '../../core/report/fail-on.js'
import {buildReport} from '../../core/report/report.js'
import {FAIL_ON_EXIT_CODE, UserError} from '../../errors.js'
import {durationFlag, filterFlags, parseWindow} from '../../flags.js'
import {checkOutputFile, writeOutputFile} from '../../output-file.js'
import {reportJsonChunks} from '../../render/report-json.js'
import {ReportProgress} from '../../render/report-progress.js'
import {watchStdout, writeOut} from '../../stdout-pipe.js'
import {readReportInput, type ReportInput} from '../../stream/report-input.js'
import {stopSignalFor} from '../../stream/stop-signal.js'

/**
 * Unlike the other mem commands this extends oclif's Command, not Heroku's: with --file it needs
 * no API, and not loading @heroku-cli/command saves about a second and 50 MB on every run.
 */
export default class Report extends Command {
  static description = 'leak or bloat: what each dyno\'s memory did, R14/R15, and what to do\n'
    + 'Reads log-runtime-metrics samples (without them, the platform\'s "Process running" readings over the quota) from the app\'s recent log (default), '
    + 'the live stream for --duration, or saved logs (--file: heroku logs output, drain archives, Papertrail archives or search output, gzipped or not; '
    + 'no login needed). Exit codes: 0 ok, 1 error, 2 bad usage, 3 a --fail-on condition holds. '
    + 'Every flag and the JSON schema: docs/report.md in the plugin\'s directory (heroku plugins:inspect heroku-mem shows it).'
  static examples = [
    '$ heroku mem:report -a my-app',
    '$ heroku mem:report -a my-app --duration 30m -p web',
    '$ heroku mem:report --file logs.txt --file 2026-11-20.tsv.gz --html incident.html',
    '$ heroku logs -a my-app -n 1500 | heroku mem:report --file -',
    '$ heroku mem:report -a my-app --json --fail-on leak --fail-on over:90%',
  ]
  static flags = {
    ...filterFlags,
    app: Flags.string({char: 'a', description: 'app to read (not needed with --file; default: the git remote\'s app)', env: 'HEROKU_APP'}),
    remote: Flags.string({char: 'r', description: 'git remote of app to use'}),
    duration: durationFlag({description: 'watch the live log for this long, then report, e.g. 10m, 1h'}),
    'fail-on': Flags.string({description: 'exit 3 when this holds: leak, bloat, spiky, r14, r15, swap, over:90% or over:450MB (repeatable)', multiple: true}),
    file: Flags.string({description: 'read a saved log instead of the app ("-" for stdin, .gz read directly; repeatable)', exclusive: ['duration'], multiple: true}),
    html: Flags.string({description: 'also write a self-contained HTML report to this file'}),
    json: Flags.boolean({description: 'print the report as one JSON document instead of text'}),
    since: Flags.string({description: 'only samples from this time on (ISO time, or a duration ago like 6h)'}),
    store: Flags.string({description: 'mem:record\'s store to read history from: postgres://... or a SQLite file [default: DATABASE_URL, else the CLI data directory\'s file, if any]', exclusive: ['no-store', 'file', 'duration']}),
    'no-store': Flags.boolean({description: 'read only the log buffer, not mem:record\'s history'}),
    until: Flags.string({description: 'only samples up to this time (ISO time, or a duration ago)'}),
  }
  static topic = 'mem'

  async catch(error: Error & {oclif?: {exit?: number}}): Promise<void> {
    failInOneLine(error)
  }

  async run(): Promise<void> {
    watchStdout()
    const {flags} = await this.parse(Report)
    const now = Date.now()
    const failOn = (flags['fail-on'] ?? []).map((text: string) => parseFailOn(text))
    const filters = {
      dyno: flags['dyno-name'], type: flags['dyno-name'] ? undefined : flags['process-type'], ...parseWindow(flags, now),
    }

    if (flags.html) await checkOutputFile(flags.html)
    // Only the HTML has a blame section: the other outputs do not pay for reading router lines.
    // What only some runs need (the API, the store, blame, the HTML and text renderers) is imported
    // when needed: a run on a small saved file measured 0.91x the wall time of loading them all.
    const blame = flags.html ? new (await import('../../stream/blame-input.js')).BlameTap() : undefined
    const heroku = flags.file ? undefined : await import('../../heroku/connect.js')
    const storeTarget = flags['no-store'] || flags.file ? undefined : (await import('../../store/open-store.js')).storeTarget
    // Ctrl-C or SIGTERM ends a live window, or the reading of a pipe (`--file -`), and reports what it gathered.
    const stop = stopSignalFor(flags)
    let input: ReportInput
    try {
      let api: HerokuApi | undefined
      input = await readReportInput({
        app: heroku ? flags.app ?? await heroku.appFromGitRemote(this.config, flags.remote) : undefined,
        blame,
        connect: async () => {
          // Only an app's input connects (after `heroku` was loaded above).
          api ??= await (await import('../../heroku/connect.js')).connect(this.config)
          return api
        },
        durationMs: flags.duration,
        files: flags.file,
        filters,
        progress: startedAt => new ReportProgress(text => process.stderr.write(text), {
          durationMs: flags.duration ?? 0, interactive: Boolean(process.stderr.isTTY), label: `Watching ${flags.app}`, startedAt,
        }),
        signal: stop?.signal,
        store: storeTarget && {explicit: flags.store !== undefined, target: storeTarget(flags.store, this.config.dataDir)},
      })
    } finally {
      stop?.release()
    }

    for (const warning of input.warnings) process.stderr.write(`Warning: ${warning}\n`)
    const report = buildReport(input.accumulator, {
      failOn, inputNotes: input.warnings, longerWindowHint: input.hint, notes: input.notes, runtime: input.runtime, source: input.source,
    })
    if (flags.json) await writeOut(reportJsonChunks(report))
    else process.stdout.write((await import('../../render/report-text.js')).reportText(report, {width: Math.max(40, Math.min(100, (process.stdout.columns ?? 80) - 10)), wrap: terminalWidth()}))
    if (flags.html) {
      await writeOutputFile(flags.html, (await import('../../render/report-html.js')).reportHtml(report, {blame: blame?.result()}))
      process.stderr.write(`Wrote ${flags.html}\n`)
    }

    const met = report.failOn.filter(result => result.met)
    if (met.length > 0) throw new UserError(`--fail-on ${met.map(result => `${result.condition}: ${result.detail}`).join('; ')}`, FAIL_ON_EXIT_CODE)
  }
}

/** The terminal's width for prose, when stdout is one that reports it (a pipe or file: no wrapping). */
function terminalWidth(): number | undefined {
  const columns = process.stdout.isTTY ? process.stdout.columns : 0
  return columns >= 40 ? columns : undefined
}
