/**
 * What mem:blame reads, through the one log path: saved files, or the app's live log for a window
 * (the 1500 lines Logplex keeps are seconds of router traffic: no use here); or, for past days,
 * the intervals mem:record stored (stored-blame.ts). Router lines and
 * memory samples go to the blame accumulator, which keeps per-interval counts, not requests.
 * The parser reads router lines and `Error L10` lines only for a caller that asks
 * (`onRouterRequest`, `onLinesDropped`): every other command pays nothing for them.
 */
import type {BlameResult} from '../core/blame/blame-schema.js'
import type {LogEvent, RouterRequest} from '../core/events.js'
import type {WatchProgress} from '../core/ports/watch-progress.js'
import type {HerokuApi} from '../heroku/api.js'
import type {StoreChoice} from './stored-history.js'

import {BlameAccumulator, type BlameSource, buildBlame} from '../core/blame/blame.js'
import {UserError} from '../errors.js'
import {ensureRuntimeMetrics} from '../heroku/preflight.js'
import {inputNames} from './file-source.js'
import {readLog, type ReadLogOptions} from './read-log.js'
import {readStoredBlame} from './stored-blame.js'

export interface BlameInputOptions {
  app?: string
  connect: () => Promise<HerokuApi>
  durationMs?: number
  files?: string[]
  progress?: (startedAt: number) => WatchProgress
  signal?: AbortSignal
  /** Read mem:record's intervals for this window instead of a log. */
  stored?: {choice: StoreChoice; since: number; until: number}
}

export interface BlameInput {
  accumulator: BlameSource
  lostLineWarnings: number
  /** What the reading of saved logs could not fully do (a truncated .gz, stdin stopped by Ctrl-C): one line each. */
  warnings: string[]
}

/**
 * Router requests, memory samples and L10 lines of one log read, gathered for blame: mem:blame's
 * own input, and mem:report's HTML section fed from the report's single read (`readOptions` goes
 * into its readLog call, `add` takes its events).
 */
export class BlameTap implements BlameInput {
  readonly accumulator = new BlameAccumulator()
  lostLineWarnings = 0
  readonly warnings: string[] = []
  readonly readOptions: Pick<ReadLogOptions, 'onLinesDropped' | 'onRouterRequest'> = {
    onLinesDropped: () => {
      this.lostLineWarnings++
    },
    onRouterRequest: (request: RouterRequest) => this.accumulator.add(request),
  }

  add(event: LogEvent): void {
    this.accumulator.add(event)
  }

  /** The ranked suspects, or undefined when the log held no router lines (a filtered session, the store). */
  result(): BlameResult | undefined {
    if (this.accumulator.counts().requests === 0) return undefined
    return buildBlame(this.accumulator, {lostLineWarnings: this.lostLineWarnings})
  }
}

export async function readBlameInput(options: BlameInputOptions): Promise<BlameInput> {
  if (options.stored) {
    if (!options.app) throw new UserError('Name the app with -a APP', 2)
    const {choice, since, until} = options.stored
    return {accumulator: await readStoredBlame(choice, {app: options.app, since, until}), lostLineWarnings: 0, warnings: []}
  }

  const tap = new BlameTap()
  const reading = {onEvent: (event: LogEvent) => tap.add(event), ...tap.readOptions}
  let where: string
  if (options.files) {
    // The signal ends the reading of stdin (`heroku logs --tail | heroku mem:blame --file -`, then Ctrl-C).
    const totals = await readLog({kind: 'files', paths: options.files}, {loadSamples: false, signal: options.signal, ...reading})
    tap.warnings.push(...totals.warnings)
    where = inputNames(options.files)
  } else {
    if (!options.app) throw new UserError('Name the app with -a APP (and a window with --duration), or read saved logs with --file PATH', 2)
    if (!options.durationMs) throw new UserError('mem:blame needs a window of the live log (--duration 1h) or saved logs (--file): the recent log holds seconds of router lines', 2)
    const api = await options.connect()
    await ensureRuntimeMetrics(api, options.app)
    await watch(api, options.app, options.durationMs, {accumulator: tap.accumulator, options, reading})
    where = `the live log of ${options.app}`
  }

  const {requests, samples} = tap.accumulator.counts()
  if (samples === 0) throw new UserError(`No memory samples in ${where}: is log-runtime-metrics enabled (heroku labs:enable log-runtime-metrics)?`)
  if (requests === 0) throw new UserError(`No router lines in ${where}: mem:blame needs heroku[router] lines (a log saved without -d/-p filters, e.g. heroku logs -t -a APP > app.log)`)
  return tap
}

/** The live log for the window (or until the signal), unfiltered: router lines come from heroku[router]. */
async function watch(
  api: HerokuApi, app: string, durationMs: number,
  {accumulator, options, reading}: {accumulator: BlameAccumulator; options: BlameInputOptions; reading: Omit<ReadLogOptions, 'api' | 'signal'>},
): Promise<void> {
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  options.signal?.addEventListener('abort', onAbort, {once: true})
  const startedAt = Date.now()
  const progress = options.progress?.(startedAt)
  const tick = setInterval(() => progress?.update(Date.now(), accumulator.counts().samples), 1000)
  const timer = setTimeout(onAbort, durationMs)
  try {
    await readLog({app, kind: 'tail', lines: 0}, {...reading, api, signal: stop.signal})
  } finally {
    clearInterval(tick)
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    progress?.finish(accumulator.counts().samples)
  }
}
