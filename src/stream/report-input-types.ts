import type {WatchProgress} from '../core/ports/watch-progress.js'
/** What mem:report's input is asked for and gives back: shared by its file half (report-input.ts) and its app half (report-app-input.ts). */
import type {ReportAccumulator} from '../core/report/accumulator.js'
import type {ReportSource} from '../core/report/report-schema.js'
import type {AppRuntime} from '../core/runtime/detect.js'
import type {HerokuApi} from '../heroku/api.js'
import type {BlameTap} from './blame-input.js'
import type {StoreChoice} from './stored-history.js'

export interface ReportFilters {
  dyno?: string
  since?: number
  type?: string
  until?: number
}

export interface ReportInputOptions {
  /** The app (history or live window); unused with files. */
  app?: string
  /** Also gathers router requests and memory samples from the same read, for the HTML's blame section. */
  blame?: BlameTap
  /** Opens the API client: only called when the app's log is read. */
  connect: () => Promise<HerokuApi>
  /** Watch the live log this long instead of reading history. */
  durationMs?: number
  files?: string[]
  filters: ReportFilters
  /** Shows the live window's progress. */
  progress?: (startedAt: number) => WatchProgress
  /** Ends a live window early (Ctrl-C): what was gathered is reported. */
  signal?: AbortSignal
  /** mem:record's store: its history comes first, the log buffer adds what is newer. */
  store?: StoreChoice
}

export interface ReportInput {
  accumulator: ReportAccumulator
  /** What to do for a longer window, for the report to say when the span is short. */
  hint: string
  source: ReportSource
  /** The app's runtime: from the API, or from the boot lines of saved logs. */
  runtime?: AppRuntime
  /** What the report should say about its input: config vars not readable, sources and their spans, gaps. */
  notes: string[]
  /** What could not be read but did not stop the report (a truncated .gz): for stderr and the report's notes. */
  warnings: string[]
  /** The app has log-runtime-metrics off: only `Process running` readings can be in its log. */
  metricsDisabled?: boolean
}
