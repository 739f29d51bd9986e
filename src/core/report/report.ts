import type {DynoAccumulator, ReportAccumulator} from './accumulator.js'
import type {
  DynoReport, MemoryStats, Pattern, ProcessTypeReport, ReleaseChapter, Report, ReportSource, SeriesReport, UsageSummary,
} from './report-schema.js'

import {adviseProcessType} from './advice.js'
import {judgeSeries, type Verdict} from './classify.js'
import {evaluateFailOn, type FailOnCondition} from './fail-on.js'
import {QuantileSketch} from './quantile-sketch.js'
import {releaseLabel} from './release-timeline.js'
import {REPORT_SCHEMA_VERSION} from './report-schema.js'

/** Below this span a history cannot tell a leak from bloat: the report says so and points to longer sources. */
export const SHORT_SPAN_HOURS = 1

const SEVERITY: Record<Verdict, number> = {
  bloat: 3, insufficient: 0, leak: 4, spiky: 2, steady: 1,
}

export interface BuildOptions {
  source: ReportSource
  failOn?: FailOnCondition[]
  /** What to suggest for a longer window (differs for files and a live app). */
  longerWindowHint?: string
  /** What the input says about itself (sources, their spans, gaps), first among the notes. */
  notes?: string[]
}

/** Judges every series and assembles the report. Linear in the number of series and dynos. */
export function buildReport(accumulator: ReportAccumulator, options: BuildOptions): Report {
  const dynos = [...accumulator.dynos.values()].filter(dyno => dyno.samples > 0).sort(compareDynos).map(dyno => reportDyno(accumulator, dyno))
  const byType = new Map<string, DynoReport[]>()
  for (const dyno of dynos) byType.set(dyno.type, [...(byType.get(dyno.type) ?? []), dyno])
  const processTypes = [...byType.entries()].map(([type, members]) => reportType(accumulator, type, members))

  const from = Number.isFinite(accumulator.from) ? accumulator.from : 0
  const to = Number.isFinite(accumulator.to) ? accumulator.to : 0
  const spanSeconds = Math.max(0, (to - from) / 1000)
  const tooShort = spanSeconds < SHORT_SPAN_HOURS * 3600
  const notes: string[] = [...options.notes ?? []]
  if (tooShort && accumulator.samples > 0) {
    notes.push(`The log covers only ${formatSpan(spanSeconds)}: too short to tell a leak from bloat.${options.longerWindowHint ? ` ${options.longerWindowHint}` : ''}`)
  }

  const report: Report = {
    dynos,
    events: accumulator.events,
    failOn: [],
    from,
    notes,
    processTypes,
    releases: accumulator.releases.list(),
    samples: accumulator.samples,
    schemaVersion: REPORT_SCHEMA_VERSION,
    source: options.source,
    spanSeconds,
    to,
    tooShort,
  }
  for (const type of processTypes) type.advice = adviseProcessType(type, dynos.filter(dyno => dyno.type === type.type), accumulator.dynos, options.source.app)
  report.failOn = evaluateFailOn(options.failOn ?? [], report)
  return report
}

function reportDyno(accumulator: ReportAccumulator, dyno: DynoAccumulator): DynoReport {
  const limits = accumulator.limitsOf(dyno)
  const series = dyno.series.filter(run => run.samples > 0).map(run => ({
    ...judgeSeries(run.points.points(), {killFactor: limits.killFactor, quota: run.quota}),
    dyno: dyno.name,
    from: run.from,
    instance: run.instance,
    peakMb: run.peakMb,
    release: run.release,
    samples: run.samples,
    to: run.to,
  }))
  const judgedBy = mostSerious(series)
  return {
    ...summarize([dyno], limits),
    confidence: judgedBy?.confidence ?? 0,
    instances: dyno.instances.size,
    judgedBy,
    name: dyno.name,
    quotaCrossings: dyno.episodeCount,
    series,
    timeline: dyno.timeline.points(),
    type: dyno.type,
    verdict: judgedBy?.verdict ?? 'insufficient',
  }
}

function reportType(accumulator: ReportAccumulator, type: string, members: DynoReport[]): ProcessTypeReport {
  const sources = members.map(member => accumulator.dynos.get(member.name)!)
  const limits = accumulator.limitsOf(sources[0])
  const summary = summarize(sources, limits)
  const typeRss = new QuantileSketch()
  for (const source of sources) typeRss.merge(source.rss)
  summary.rss = statsOf(typeRss)
  const judged = members.filter(member => member.verdict !== 'insufficient')
  let verdict: Verdict = 'insufficient'
  for (const member of judged) if (SEVERITY[member.verdict] > SEVERITY[verdict]) verdict = member.verdict
  const affected = judged.filter(member => member.verdict === verdict).map(member => member.name)
  const pattern = patternOf(judged.length, affected.length)
  const confidence = affected.length > 0 ? Math.max(...judged.filter(member => member.verdict === verdict).map(member => member.confidence)) : 0
  const chapters = releaseChapters(members.flatMap(member => member.series))
  return {
    ...summary,
    advice: [],
    affected,
    chapters,
    confidence,
    dynos: members.map(member => member.name),
    pattern,
    size: limits.size,
    story: storyOf(chapters),
    type,
    verdict,
  }
}

function patternOf(judged: number, affected: number): Pattern {
  if (judged === 0) return 'none'
  if (judged === 1) return 'one-dyno'
  if (affected === judged) return 'app'
  return affected === 1 ? 'single-dyno' : 'some'
}

function summarize(dynos: DynoAccumulator[], limits: {killFactor: number; quota: number}): UsageSummary {
  const restarts = {crash: 0, cycling: 0, restart: 0}
  let samples = 0
  let from = Number.POSITIVE_INFINITY
  let to = Number.NEGATIVE_INFINITY
  let memoryMax = 0
  let swapMax = 0
  let totalMax = 0
  let overMs = 0
  let swappingMs = 0
  let r14 = 0
  let r15 = 0
  for (const dyno of dynos) {
    samples += dyno.samples
    from = Math.min(from, dyno.from)
    to = Math.max(to, dyno.to)
    memoryMax = Math.max(memoryMax, dyno.memoryMaxMb)
    swapMax = Math.max(swapMax, dyno.swapMaxMb)
    totalMax = Math.max(totalMax, dyno.totalMaxMb)
    overMs += dyno.overQuotaMs
    swappingMs += dyno.swappingMs
    r14 += dyno.r14
    r15 += dyno.r15
    restarts.crash += dyno.restarts.crash
    restarts.cycling += dyno.restarts.cycling
    restarts.restart += dyno.restarts.restart
  }

  return {
    from,
    killFactor: limits.killFactor,
    memoryMaxMb: round(memoryMax),
    peakPercentOfQuota: round((memoryMax / limits.quota) * 100),
    quotaMb: limits.quota,
    r14,
    r15,
    restarts,
    rss: statsOf(dynos[0].rss),
    samples,
    secondsOverQuota: Math.round(overMs / 1000),
    secondsSwapping: Math.round(swappingMs / 1000),
    swapMaxMb: round(swapMax),
    to,
    totalMaxMb: round(totalMax),
  }
}

function statsOf(sketch: {max: number; mean: number; min: number; quantile(q: number): number}): MemoryStats {
  return {
    max: round(sketch.max), mean: round(sketch.mean), min: round(sketch.min), p50: round(sketch.quantile(0.5)), p95: round(sketch.quantile(0.95)),
  }
}

function mostSerious(series: SeriesReport[]): SeriesReport | undefined {
  let best: SeriesReport | undefined
  for (const run of series) {
    if (run.verdict === 'insufficient') continue
    const moreSerious = !best || SEVERITY[run.verdict] > SEVERITY[best.verdict]
    if (moreSerious || (run.verdict === best!.verdict && run.confidence > best!.confidence)) best = run
  }

  return best
}

/**
 * Groups a type's series by the release they ran, in release order, and merges neighbouring
 * releases where the verdict and level did not change, so the story says when behaviour changed.
 */
function releaseChapters(series: SeriesReport[]): ReleaseChapter[] {
  const groups = new Map<string, SeriesReport[]>()
  for (const run of [...series].sort((a, b) => (a.release?.time ?? 0) - (b.release?.time ?? 0) || a.from - b.from)) {
    const key = run.release ? String(run.release.time) : ''
    groups.set(key, [...(groups.get(key) ?? []), run])
  }

  // A release seen only for a few minutes (the window opened just before the next one) says nothing.
  const told = [...groups.values()].filter(runs => mostSerious(runs) !== undefined)
  const chapters: ReleaseChapter[] = []
  for (const runs of told.length > 0 ? told : [...groups.values()]) {
    const judged = mostSerious(runs)
    const verdict = judged?.verdict ?? 'insufficient'
    const alike = runs.filter(run => run.verdict === verdict)
    const chapter: ReleaseChapter = {
      label: releaseLabel(runs[0].release),
      levelMb: round(middle(alike.map(run => (verdict === 'bloat' ? run.endMb : run.levelMb)))),
      release: runs[0].release,
      maxSlopeMbPerHour: round(Math.max(...alike.map(run => run.recentSlopeMbPerHour))),
      slopeMbPerHour: round(middle(alike.map(run => run.recentSlopeMbPerHour))),
      verdict,
    }
    const previous = chapters.at(-1)
    if (previous && sameBehaviour(previous, chapter)) {
      previous.label = chapter.label
      previous.release = chapter.release
      continue
    }

    chapters.push(chapter)
  }

  return chapters
}

/** Same verdict, and for a leak a similar rate (within 30% or 3 MB/h), else a similar level (within 10%). */
function sameBehaviour(a: ReleaseChapter, b: ReleaseChapter): boolean {
  if (a.verdict !== b.verdict) return false
  if (a.verdict === 'leak') return Math.abs(a.slopeMbPerHour - b.slopeMbPerHour) <= Math.max(3, 0.3 * Math.max(a.slopeMbPerHour, b.slopeMbPerHour))
  return Math.abs(a.levelMb - b.levelMb) <= 0.1 * Math.max(a.levelMb, b.levelMb)
}

/** "steady at 310 MB up to v41; leaking 38 MB/h since v42" */
function storyOf(chapters: ReleaseChapter[]): string {
  if (chapters.length === 0) return 'no samples'
  if (chapters.length === 1) return `${describeChapter(chapters[0])}${chapters[0].release ? ` (${chapters[0].label})` : ''}`
  return chapters.map((chapter, i) => {
    let when = i === 0 ? `up to ${chapter.label}` : `since ${chapter.label}`
    if (i === 0 && !chapter.release) when = `before ${chapters[1].label}`
    return `${describeChapter(chapter)} ${when}`
  }).join('; ')
}

function describeChapter(chapter: ReleaseChapter): string {
  const level = `${Math.round(chapter.levelMb)} MB`
  switch (chapter.verdict) {
  case 'leak': {
    const steepest = chapter.maxSlopeMbPerHour > 2 * chapter.slopeMbPerHour ? ` (up to ${Math.round(chapter.maxSlopeMbPerHour)} MB/h)` : ''
    return `leaking ${Math.round(chapter.slopeMbPerHour)} MB/h${steepest}`
  }

  case 'bloat': {
    return `grew, then levelled off at ${level}`
  }

  case 'spiky': {
    return `spiky around ${level}`
  }

  case 'steady': {
    return `steady at ${level}`
  }

  default: {
    return `not enough data (about ${level})`
  }
  }
}

function middle(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function compareDynos(a: DynoAccumulator, b: DynoAccumulator): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1
  const numberA = Number(a.name.slice(a.name.lastIndexOf('.') + 1))
  const numberB = Number(b.name.slice(b.name.lastIndexOf('.') + 1))
  if (Number.isFinite(numberA) && Number.isFinite(numberB) && numberA !== numberB) return numberA - numberB
  return a.name < b.name ? -1 : (a.name > b.name ? 1 : 0)
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : 0
}

export function formatSpan(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  if (seconds < 172_800) return `${(Math.round(seconds / 360) / 10).toString()} h`
  return `${(Math.round(seconds / 8640) / 10).toString()} days`
}

