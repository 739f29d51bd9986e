/**
 * What mem:report reads, gathered into the report accumulator through the one log path: saved
 * files, the app's recent history (one session per process type, releases from the API), or the
 * live log for a window. The command only parses flags, calls `readReportInput`, and renders.
 */
import type {BlameTap} from './blame-input.js'
import type {ReportFilters, ReportInput, ReportInputOptions} from './report-input-types.js'

import {ReportAccumulator} from '../core/report/accumulator.js'
import {UserError} from '../errors.js'
import {inputNames} from './file-source.js'
import {readLog} from './read-log.js'
import {holdYoungGeneration} from './young-generation.js'

export type {ReportFilters, ReportInput, ReportInputOptions} from './report-input-types.js'

export async function readReportInput(options: ReportInputOptions): Promise<ReportInput> {
  holdYoungGeneration()
  // The app's modules (API client, log stream, store) load only when an app is read: --file starts sooner.
  const input = options.files ? await readFiles(options.files, options.filters, options.blame, options.signal) : await (await import('./report-app-input.js')).readApp(options)
  const {accumulator, source} = input
  accumulator.finish()
  // Without log-runtime-metrics, `Process running` readings (over the quota) are still a report.
  const nothing = accumulator.samples === 0 && accumulator.readings === 0
  if (nothing && source.app) await (await import('../heroku/preflight.js')).ensureFilteredDynos(await options.connect(), source.app, options.filters)

  // A live window that could not be read is no news about log-runtime-metrics.
  if (nothing && source.kind === 'live' && input.warnings.length > 0) throw new UserError(`No memory samples from the live log: ${input.warnings.join('; ')}`)
  if (nothing) throw new UserError(noSamples(accumulator, options.filters, input.metricsDisabled ? source.app : undefined))
  return input
}

async function readFiles(files: string[], filters: ReportFilters, blame?: BlameTap, signal?: AbortSignal): Promise<ReportInput> {
  const accumulator = new ReportAccumulator(filters)
  // Saved logs carry no config vars; the boot lines (`Starting process with command ...`) still tell the runtime.
  const commands: Record<string, string> = {}
  const totals = await readLog({kind: 'files', paths: files}, {
    loadSamples: false,
    onEvent(event) {
      if (event.kind === 'dyno' && event.action === 'starting') commands[event.type] = event.command
      accumulator.add(event)
      blame?.add(event)
    },
    ...blame?.readOptions,
    // Ends the reading of stdin (`heroku logs --tail | heroku mem:report --file -`, then Ctrl-C).
    signal,
    since: filters.since,
    until: filters.until,
  })
  const within = filters.since || filters.until ? ' within --since/--until' : ''
  if (totals.events === 0) throw new UserError(`No Heroku platform lines in ${inputNames(files)}${within}: is log-runtime-metrics enabled, and is this a Heroku log?`)
  return {
    accumulator,
    hint: 'Pass a longer saved log (several --file) to judge the trend.',
    notes: [],
    runtime: Object.keys(commands).length > 0 ? {buildpacks: [], commands, commandsFrom: 'boot line'} : undefined,
    source: {bytes: totals.bytes, files, kind: 'files'},
    warnings: totals.warnings,
  }
}

/** `metricsOffOn`: the app whose log-runtime-metrics is off, when that is why. */
function noSamples(accumulator: ReportAccumulator, filters: ReportFilters, metricsOffOn?: string): string {
  const seen = [...accumulator.seenDynos].sort()
  if ((filters.dyno || filters.type) && seen.length > 0 && accumulator.events === 0) {
    return `No samples for ${filters.dyno ?? `process type ${filters.type}`}: the log has ${seen.join(', ')}`
  }

  // Names only the flags given (a lone --since said "between --since and --until").
  if (filters.since !== undefined && filters.until !== undefined) return 'No memory samples between --since and --until'
  if (filters.since !== undefined) return 'No memory samples after --since'
  if (filters.until !== undefined) return 'No memory samples before --until'
  if (metricsOffOn) {
    return `No memory readings for ${metricsOffOn}: log-runtime-metrics is off, so its log shows memory only while a dyno is over its quota, and none was. `
      + `For samples: heroku labs:enable log-runtime-metrics -a ${metricsOffOn}, then heroku ps:restart -a ${metricsOffOn}`
  }

  const errors = memoryErrorsOf(accumulator)
  if (errors) {
    return `No memory figures in the log: ${errors} without a log-runtime-metrics sample or a "Process running mem=..." reading (a filtered copy?). `
      + 'Pass the whole log, or enable the samples (heroku labs:enable log-runtime-metrics, then restart the dynos)'
  }

  return 'No memory samples in the log: is log-runtime-metrics enabled (heroku labs:enable log-runtime-metrics), and have the dynos restarted since?'
}

/**
 * `3 R14 and 1 R15 (web.1, worker.2)`: the memory errors of a log that holds no memory figure (a
 * copy filtered down to its error lines, as issues quote them), else undefined.
 */
function memoryErrorsOf(accumulator: ReportAccumulator): string | undefined {
  let r14 = 0
  let r15 = 0
  const dynos: string[] = []
  for (const [name, dyno] of accumulator.dynos) {
    if (dyno.r14 + dyno.r15 === 0) continue
    r14 += dyno.r14
    r15 += dyno.r15
    dynos.push(name)
  }

  if (dynos.length === 0) return undefined
  const counts = [r14 > 0 ? `${r14} R14` : '', r15 > 0 ? `${r15} R15` : ''].filter(Boolean).join(' and ')
  return `${counts} (${dynos.sort().join(', ')})`
}
