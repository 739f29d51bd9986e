import {Command, Flags} from '@oclif/core'
import {writeFile} from 'node:fs/promises'

import {failInOneLine} from '../../command-errors.js'
import {LogParser} from '../../core/parse-line.js'
import {type AccumulatorOptions, ReportAccumulator} from '../../core/report/accumulator.js'
import {parseFailOn} from '../../core/report/fail-on.js'
import {buildReport, type ReportSource} from '../../core/report/report.js'
import {FAIL_ON_EXIT_CODE, UserError} from '../../errors.js'
import {
  durationFlag, dynoFilter, filterFlags, parseDuration,
} from '../../flags.js'
import {HerokuApi} from '../../heroku/api.js'
import {appFromGitRemote, connect} from '../../heroku/connect.js'
import {ensureFilteredDynos, ensureRuntimeMetrics} from '../../heroku/preflight.js'
import {reportHtml} from '../../render/report-html.js'
import {reportJson} from '../../render/report-json.js'
import {ReportProgress} from '../../render/report-progress.js'
import {reportText} from '../../render/report-text.js'
import {readLogFiles} from '../../stream/file-source.js'
import {LogStream} from '../../stream/log-stream.js'
import {StopSignal} from '../../stream/stop-signal.js'

/** Logplex keeps at most 1500 lines per session. */
const HISTORY_LINES = 1500

/**
 * Unlike the other mem commands this extends oclif's Command, not Heroku's: with --file it needs
 * no API, and not loading @heroku-cli/command saves about a second and 50 MB on every run.
 */
export default class Report extends Command {
  static description = `leak or bloat: what each dyno's memory did, R14/R15, and what to do
Reads log-runtime-metrics samples from the app's recent log (default), the live stream for --duration, or saved logs (--file: heroku logs output, drain archives, Papertrail archives or search output, gzipped or not; no login needed). Exit codes: 0 ok, 1 error, 2 bad usage, 3 a --fail-on condition holds. Every flag and the JSON schema: docs/report.md in the plugin's directory (heroku plugins:inspect heroku-mem shows it).`
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
    until: Flags.string({description: 'only samples up to this time (ISO time, or a duration ago)'}),
  }
  static topic = 'mem'
  private _api?: HerokuApi

  async catch(error: Error & {oclif?: {exit?: number}}): Promise<void> {
    failInOneLine(error)
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Report)
    const now = Date.now()
    const failOn = (flags['fail-on'] ?? []).map((text: string) => parseFailOn(text))
    const window = {since: parseTime(flags.since, now, 'since'), until: parseTime(flags.until, now, 'until')}
    const filters = {dyno: flags['dyno-name'], type: flags['dyno-name'] ? undefined : flags['process-type'], ...window}

    let accumulator: ReportAccumulator
    let source: ReportSource
    let hint: string
    if (flags.file) {
      accumulator = new ReportAccumulator(filters)
      const totals = await readLogFiles(flags.file, event => accumulator.add(event), {
        defaultYear: new Date(now).getUTCFullYear(), loadSamples: false, ...window,
      })
      source = {bytes: totals.bytes, files: flags.file, kind: 'files'}
      hint = 'Pass a longer saved log (several --file) to judge the trend.'
      const within = flags.since || flags.until ? ' within --since/--until' : ''
      if (totals.events === 0) throw new UserError(`No Heroku platform lines in ${flags.file.join(', ')}${within}: is log-runtime-metrics enabled, and is this a Heroku log?`)
    } else {
      const app = flags.app ?? await appFromGitRemote(flags.remote)
      if (!app) throw new UserError('Name the app with -a APP, or read saved logs with --file PATH', 2)
      this._api = await connect(this.config)
      await ensureRuntimeMetrics(this.api, app)
      const formation = await this.api.listFormation(app)
      accumulator = new ReportAccumulator({...filters, sizes: Object.fromEntries(formation.map(entry => [entry.type ?? '', entry.size ?? '']))})
      for (const release of await this.api.listReleases(app)) {
        accumulator.add({
          action: 'release', description: release.description ?? '', kind: 'release', time: Date.parse(release.created_at ?? ''), version: release.version,
        })
      }

      const types = flags['dyno-name'] || flags['process-type'] ? [undefined] : formation.filter(entry => (entry.quantity ?? 1) > 0).map(entry => entry.type)
      if (flags.duration) {
        await this.watch(app, accumulator, flags.duration, filters)
        source = {app, kind: 'live'}
        hint = `Watch longer, e.g. heroku mem:report -a ${app} --duration 2h.`
      } else {
        // One session per process type, so router lines do not use up the 1500-line budget.
        for (const type of types.length > 0 ? types : [undefined]) await this.readHistory(app, accumulator, {dyno: filters.dyno, type: type ?? filters.type})
        source = {app, kind: 'history'}
        hint = `Watch longer with --duration (e.g. heroku mem:report -a ${app} --duration 1h) or pass saved logs with --file.`
      }
    }

    if (accumulator.samples === 0 && source.app) await ensureFilteredDynos(this.api, source.app, dynoFilter(flags))
    if (accumulator.samples === 0) throw new UserError(noSamples(accumulator, filters))
    const report = buildReport(accumulator, {failOn, longerWindowHint: hint, source})
    process.stdout.write(flags.json ? reportJson(report) : reportText(report, {width: Math.max(40, Math.min(100, (process.stdout.columns ?? 80) - 10))}))
    if (flags.html) {
      await writeFile(flags.html, reportHtml(report))
      process.stderr.write(`Wrote ${flags.html}\n`)
    }

    const met = report.failOn.filter(result => result.met)
    if (met.length > 0) throw new UserError(`--fail-on ${met.map(result => `${result.condition}: ${result.detail}`).join('; ')}`, FAIL_ON_EXIT_CODE)
  }

  private get api(): HerokuApi {
    if (!this._api) throw new Error('the API is used before connect()')
    return this._api
  }

  private async readHistory(app: string, accumulator: ReportAccumulator, filter: {dyno?: string; type?: string}): Promise<void> {
    await this.readLog(accumulator, {
      app, ...filter, lines: HISTORY_LINES, tail: false,
    })
  }

  /** The app's log through the one parser into the accumulator: a history session or a tail. */
  private async readLog(accumulator: ReportAccumulator, options: {app: string; dyno?: string; lines: number; signal?: AbortSignal; tail: boolean; type?: string}): Promise<void> {
    const parser = new LogParser({defaultYear: new Date().getUTCFullYear()})
    await new LogStream(this.api, {
      ...options,
      onLine(line) {
        const event = parser.parse(line)
        if (event) accumulator.add(event)
      },
    }).run()
    for (const event of parser.flush()) accumulator.add(event)
  }

  private async watch(app: string, accumulator: ReportAccumulator, durationMs: number, filter: AccumulatorOptions): Promise<void> {
    const stop = new StopSignal()
    const startedAt = Date.now()
    const progress = new ReportProgress(text => process.stderr.write(text), {
      durationMs, interactive: Boolean(process.stderr.isTTY), label: `Watching ${app}`, startedAt,
    })
    const tick = setInterval(() => progress.update(Date.now(), accumulator.samples), 1000)
    const timer = setTimeout(() => stop.abort(), durationMs)
    progress.update(startedAt, 0)
    try {
      await this.readLog(accumulator, {
        app, dyno: filter.dyno, lines: 0, signal: stop.signal, tail: true, type: filter.type,
      })
    } finally {
      clearInterval(tick)
      clearTimeout(timer)
      stop.release()
      progress.finish(accumulator.samples)
    }
  }
}

/** `2026-11-20T10:00:00Z` or a duration ago (`6h`). */
function parseTime(text: string | undefined, now: number, name: string): number | undefined {
  if (text === undefined) return undefined
  const absolute = Date.parse(text)
  if (!Number.isNaN(absolute) && /\d{4}-\d{2}-\d{2}/.test(text)) return absolute
  try {
    return now - parseDuration(text)
  } catch {
    throw new UserError(`Invalid --${name} "${text}": use an ISO time (2026-11-20T10:00:00Z) or a duration ago (6h)`, 2)
  }
}

function noSamples(accumulator: ReportAccumulator, filters: {dyno?: string; since?: number; type?: string; until?: number}): string {
  const seen = [...accumulator.seenDynos].sort()
  if ((filters.dyno || filters.type) && seen.length > 0 && accumulator.events === 0) {
    return `No samples for ${filters.dyno ?? `process type ${filters.type}`}: the log has ${seen.join(', ')}`
  }

  if (filters.since !== undefined || filters.until !== undefined) return 'No memory samples between --since and --until'
  return 'No memory samples in the log: is log-runtime-metrics enabled (heroku labs:enable log-runtime-metrics), and have the dynos restarted since?'
}
