/**
 * The shape of a memory report, as `mem:report --json` prints it (docs/report.md mirrors this
 * file). Types only: the modules that build a report import them, and this imports none of them.
 */
import type {SeriesSpan} from './accumulator.js'
import type {SeriesJudgement, Verdict} from './classify.js'
import type {SeriesPoint} from './downsampled-series.js'
import type {ReleaseMark} from './release-timeline.js'

/** Bumped on any incompatible change of the shape below (documented in docs/report.md). */
export const REPORT_SCHEMA_VERSION = 1

export interface MemoryStats {
  min: number
  mean: number
  p50: number
  p95: number
  max: number
}

/** What a dyno or a whole process type did over the report's window. Memory in MiB, times epoch ms. */
export interface UsageSummary {
  samples: number
  from: number
  to: number
  quotaMb: number
  killFactor: number
  rss: MemoryStats
  swapMaxMb: number
  totalMaxMb: number
  /** RSS + swap: what R14 measures. */
  memoryMaxMb: number
  peakPercentOfQuota: number
  secondsOverQuota: number
  secondsSwapping: number
  r14: number
  r15: number
  restarts: {crash: number; cycling: number; restart: number}
}

export interface SeriesReport extends SeriesJudgement, SeriesSpan {}

export interface DynoReport extends UsageSummary {
  name: string
  type: string
  instances: number
  /** The most serious judged verdict among the dyno's series (leak > bloat > spiky > steady). */
  verdict: Verdict
  confidence: number
  /** The series that verdict comes from. */
  judgedBy?: SeriesReport
  series: SeriesReport[]
  /** Memory (RSS + swap) over time, downsampled, with R14/R15/restart marks: for charts. */
  timeline: SeriesPoint[]
  /** Times RSS + swap went from under the quota to over it (readings only: stretches of readings). */
  quotaCrossings: number
  /**
   * Set when the dyno has no log-runtime-metrics samples, only the platform's `Process running
   * mem=...` readings, which are logged only while over the quota: its figures (memory, % of
   * quota, time over quota, timeline) come from those, and it has no series and no verdict.
   */
  readingsOnly?: true
  /** `Process running` readings used (readings-only dynos). */
  readings?: number
}

/** `app`: every judged dyno of the type shares the verdict; `single-dyno`: one of several; `some`; `one-dyno`: only one to judge. */
export type Pattern = 'app' | 'none' | 'one-dyno' | 'single-dyno' | 'some'

export interface ReleaseChapter {
  release?: ReleaseMark
  label: string
  verdict: Verdict
  levelMb: number
  /** Median recent slope of the series with the chapter's verdict, and the steepest one. */
  slopeMbPerHour: number
  maxSlopeMbPerHour: number
}

export interface ProcessTypeReport extends UsageSummary {
  type: string
  size?: string
  dynos: string[]
  verdict: Verdict
  confidence: number
  pattern: Pattern
  /** Dynos with the type's verdict. */
  affected: string[]
  /** The behaviour per release, in time order, merged where nothing changed. */
  chapters: ReleaseChapter[]
  story: string
  advice: Advice[]
}

export interface ReportSource {
  /** `store`: mem:record's history, then the log buffer for what is newer (the notes name the spans and gaps). */
  kind: 'files' | 'history' | 'live' | 'store'
  app?: string
  files?: string[]
  /** The store read (a path, or a Postgres URL without credentials). */
  store?: string
  /** Lines read and bytes read, when the source counts them. */
  lines?: number
  bytes?: number
}

export interface Report {
  schemaVersion: number
  source: ReportSource
  from: number
  to: number
  spanSeconds: number
  events: number
  samples: number
  /** True when the window is too short to tell a leak from bloat. */
  tooShort: boolean
  notes: string[]
  /**
   * Absent when every dyno has samples. `readings-only`: no dyno has log-runtime-metrics samples,
   * only `Process running` readings over the quota; `mixed`: some dynos are readings-only.
   */
  coverage?: 'mixed' | 'readings-only'
  /** `Process running` readings used, when `coverage` is set. */
  readings?: number
  releases: ReleaseMark[]
  processTypes: ProcessTypeReport[]
  dynos: DynoReport[]
  failOn: FailOnResult[]
}

export type AdviceKind = 'concurrency' | 'leak' | 'runtime' | 'size' | 'spikes' | 'watchdog'

export interface Advice {
  kind: AdviceKind
  text: string
  /** The dyno size suggested (`size`). */
  size?: string
  /** How many dynos of that size (`size`). */
  count?: number
  /** Monthly list price today and with the suggestion, US$, and the price table's date (`size`). */
  monthlyUsd?: {pricesAsOf: string; suggested: number; today?: number}
  /** The `mem:restart-over` threshold suggested, MiB (`watchdog`). */
  thresholdMb?: number
  /** The setting to change (`runtime`): a config var such as WEB_CONCURRENCY, or a flag in the command. */
  setting?: string
  /** Its value today, as the app has it, or `not set`. */
  current?: string
  /** The value to try. */
  suggested?: string
  /** Where the current value comes from: `config var`, `formation command`, `boot line`, `buildpack default`, `not set`. */
  source?: string
  /** The level (RSS + swap, MiB) expected with the suggested value, when it can be estimated. */
  expectedLevelMb?: number
}

export interface FailOnResult {
  condition: string
  met: boolean
  /** Which dynos, and the numbers, when met. */
  detail: string
}
