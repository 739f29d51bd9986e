/**
 * What mem:blame reads, through the one log path: saved files, or the app's live log for a window
 * (the 1500 lines Logplex keeps are seconds of router traffic: no use here). Router lines and
 * memory samples go to the blame accumulator, which keeps per-interval counts, not requests.
 *
 * INTEGRATION POINT (parser branch): the parser emits router events only when asked. When its
 * `router` event lands, readLog gains the option that asks for them (e.g. `routerLines: true`) and
 * it is passed in both calls below; `Error L10` events, if the parser emits them, are counted into
 * `lostLineWarnings`. Until then the parser drops router lines and the command says so.
 */
import type {LogEvent} from '../core/events.js'
import type {HerokuApi} from '../heroku/api.js'
import type {WatchProgress} from './report-input.js'

import {BlameAccumulator} from '../core/blame/blame.js'
import {UserError} from '../errors.js'
import {ensureRuntimeMetrics} from '../heroku/preflight.js'
import {readLog} from './read-log.js'

export interface BlameInputOptions {
  app?: string
  connect: () => Promise<HerokuApi>
  durationMs?: number
  files?: string[]
  progress?: (startedAt: number) => WatchProgress
  signal?: AbortSignal
}

export interface BlameInput {
  accumulator: BlameAccumulator
  lostLineWarnings: number
}

export async function readBlameInput(options: BlameInputOptions): Promise<BlameInput> {
  const accumulator = new BlameAccumulator()
  const input = {accumulator, lostLineWarnings: 0}
  const onEvent = (event: LogEvent) => accumulator.add(event)
  let where: string
  if (options.files) {
    await readLog({kind: 'files', paths: options.files}, {loadSamples: false, onEvent})
    where = options.files.join(', ')
  } else {
    if (!options.app) throw new UserError('Name the app with -a APP (and a window with --duration), or read saved logs with --file PATH', 2)
    if (!options.durationMs) throw new UserError('mem:blame needs a window of the live log (--duration 1h) or saved logs (--file): the recent log holds seconds of router lines', 2)
    const api = await options.connect()
    await ensureRuntimeMetrics(api, options.app)
    await watch(api, options.app, options.durationMs, accumulator, options)
    where = `the live log of ${options.app}`
  }

  const {requests, samples} = accumulator.counts()
  if (samples === 0) throw new UserError(`No memory samples in ${where}: is log-runtime-metrics enabled (heroku labs:enable log-runtime-metrics)?`)
  if (requests === 0) throw new UserError(`No router lines in ${where}: mem:blame needs heroku[router] lines (a log saved without -d/-p filters, e.g. heroku logs -t -a APP > app.log)`)
  return input
}

/** The live log for the window (or until the signal), unfiltered: router lines come from heroku[router]. */
async function watch(api: HerokuApi, app: string, durationMs: number, accumulator: BlameAccumulator, options: BlameInputOptions): Promise<void> {
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  options.signal?.addEventListener('abort', onAbort, {once: true})
  const startedAt = Date.now()
  const progress = options.progress?.(startedAt)
  const tick = setInterval(() => progress?.update(Date.now(), accumulator.counts().samples), 1000)
  const timer = setTimeout(onAbort, durationMs)
  try {
    await readLog({app, kind: 'tail', lines: 0}, {api, onEvent: event => accumulator.add(event), signal: stop.signal})
  } finally {
    clearInterval(tick)
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    progress?.finish(accumulator.counts().samples)
  }
}
