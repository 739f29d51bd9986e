import type {AppRuntime} from '../runtime/detect.js'
import type {DynoAccumulator, ReportAccumulator} from './accumulator.js'
import type {
  DynoReport, MemoryStats, Pattern, ProcessTypeReport, ReleaseChapter, Report, ReportSource, SeriesReport, UsageSummary,
} from './report-schema.js'

import {formatDuration} from '../format-duration.js'
import {adviseProcessType} from './advice.js'
import {type Verdict, VERDICT_SEVERITY} from './classify.js'
import {evaluateFailOn, type FailOnCondition} from './fail-on.js'
import {dynoJudgement, judgeInstances} from './instance-history.js'
import {QuantileSketch} from './quantile-sketch.js'
import {releaseLabel} from './release-timeline.js'
import {REPORT_SCHEMA_VERSION} from './report-schema.js'
import {upperMedian} from './robust-stats.js'

/** Below this span a history cannot tell a leak from bloat: the report says so and points to longer sources. */
export const SHORT_SPAN_HOURS = 1

export interface BuildOptions {
  source: ReportSource
  failOn?: FailOnCondition[]
  /** What to suggest for a longer window (differs for files and a live app). */
  longerWindowHint?: string
  /** The app's runtime (buildpacks, commands, allow-listed config vars), for configuration advice. */
  runtime?: AppRuntime
  /** Notes from gathering the input (e.g. config vars not readable). */
  notes?: string[]
  /** Notes from reading the input (a truncated file), first in the report's notes. */
  inputNotes?: string[]
}

/** Judges every series and assembles the report. Linear in the number of series and dynos. */
export function buildReport(accumulator: ReportAccumulator, options: BuildOptions): Report {
  accumulator.finish()
  const dynos = [...accumulator.dynos.values()].filter(dyno => dyno.samples > 0 || dyno.readings.count > 0).sort(compareDynos).map(dyno => reportDyno(accumulator, dyno))
  const byType = new Map<string, DynoReport[]>()
  // Appended in place: copying the list per dyno made a farm of 20k dynos take minutes.
  for (const dyno of dynos) appendTo(byType, dyno.type, dyno)
  const processTypes = [...byType.entries()].map(([type, members]) => reportType(accumulator, type, members))

  const from = Number.isFinite(accumulator.from) ? accumulator.from : 0
  const to = Number.isFinite(accumulator.to) ? accumulator.to : 0
  const spanSeconds = Math.max(0, (to - from) / 1000)
  const tooShort = spanSeconds < SHORT_SPAN_HOURS * 3600
  const notes: string[] = [...(options.inputNotes ?? []), ...(options.notes ?? []), ...inputNotes(accumulator)]
  if (tooShort && accumulator.samples > 0) {
    notes.push(`The log covers only ${formatDuration(spanSeconds)}: too short to tell a leak from bloat.${options.longerWindowHint ? ` ${options.longerWindowHint}` : ''}`)
  }

  const readingsOnly = dynos.filter(dyno => dyno.readingsOnly).map(dyno => dyno.name)
  const coverage = readingsOnly.length === 0 ? undefined : (readingsOnly.length === dynos.length ? 'readings-only' : 'mixed')
  if (coverage) notes.push(readingsOnlyNote(readingsOnly, coverage, options.source.app))

  const report: Report = {
    coverage,
    dynos,
    events: accumulator.events,
    failOn: [],
    from,
    notes,
    processTypes,
    readings: coverage ? accumulator.readings : undefined,
    releases: accumulator.releases.list(),
    samples: accumulator.samples,
    schemaVersion: REPORT_SCHEMA_VERSION,
    source: options.source,
    spanSeconds,
    to,
    tooShort,
  }
  for (const type of processTypes) {
    const members = dynos.filter(dyno => dyno.type === type.type)
    const advice = adviseProcessType(type, members, accumulator.dynos, {app: options.source.app, runtime: options.runtime})
    // mem:restart-over acts on samples: without log-runtime-metrics it would never see one.
    type.advice = members.every(dyno => dyno.readingsOnly) ? advice.filter(item => item.kind !== 'watchdog') : advice
  }

  report.failOn = evaluateFailOn(options.failOn ?? [], report)
  return report
}

/** Repeated events and events dated far from the rest: what was left out, and why. */
function inputNotes(accumulator: ReportAccumulator): string[] {
  const notes: string[] = []
  const repeats = accumulator.duplicates.count
  if (repeats > 0) notes.push(`${repeats} repeated ${repeats === 1 ? 'event was' : 'events were'} counted once: the same line more than once (overlapping or repeated logs).`)
  const stray = accumulator.strays.setAside
  if (stray.count > 0) {
    const when = stray.count === 1 ? `dated ${isoMinute(stray.earliest)}` : `dated ${isoMinute(stray.earliest)} to ${isoMinute(stray.latest)}`
    notes.push(`Set aside ${stray.count} ${stray.count === 1 ? 'event' : 'events'} ${when} UTC, far from the rest of the log (a wrong clock or a mangled line?).`)
  }

  return notes
}

/** What a log without log-runtime-metrics still shows, what it cannot, and how to get the rest. */
function readingsOnlyNote(dynos: string[], coverage: 'mixed' | 'readings-only', app?: string): string {
  const named = dynos.length > 5 ? `${dynos.slice(0, 5).join(', ')} and ${dynos.length - 5} more` : dynos.join(', ')
  const who = coverage === 'readings-only' ? 'No log-runtime-metrics samples in the log' : `No log-runtime-metrics samples for ${named}`
  const target = app ?? 'APP'
  return `${who}: only the platform's "Process running mem=..." readings, which it logs while a dyno is over its quota (with R14/R15). `
    + 'They show how far over and for how long; memory below the quota is not in the log, so there is no leak or bloat verdict. '
    + `For the full analysis: heroku labs:enable log-runtime-metrics -a ${target}, then heroku ps:restart -a ${target}.`
}

function reportDyno(accumulator: ReportAccumulator, dyno: DynoAccumulator): DynoReport {
  const limits = accumulator.limitsOf(dyno)
  if (dyno.samples === 0) return reportReadingsOnly(dyno, limits)
  const runs = dyno.series.filter(run => run.samples > 0)
  const judgements = judgeInstances(runs.map(run => ({points: run.points.points(), quota: run.quota, release: run.release?.time})), limits.killFactor)
  const series = runs.map((run, i) => ({
    ...judgements[i],
    dyno: dyno.name,
    from: run.from,
    instance: run.instance,
    peakMb: run.peakMb,
    release: run.release,
    samples: run.samples,
    to: run.to,
  }))
  const judgedBy = dynoJudgement(series)
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

/** A dyno seen only through `Process running` readings: figures from those, no series, no verdict. */
function reportReadingsOnly(dyno: DynoAccumulator, limits: {killFactor: number; quota: number}): DynoReport {
  const marks = dyno.timeline.points()
  const readings = dyno.readings.timeline?.points() ?? []
  return {
    ...summarize([dyno], limits),
    confidence: 0,
    instances: dyno.instances.size,
    name: dyno.name,
    quotaCrossings: dyno.readings.episodes,
    readings: dyno.readings.count,
    readingsOnly: true,
    series: [],
    timeline: [...marks, ...readings].sort((a, b) => a.time - b.time),
    type: dyno.type,
    verdict: 'insufficient',
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
  for (const member of judged) if (VERDICT_SEVERITY[member.verdict] > VERDICT_SEVERITY[verdict]) verdict = member.verdict
  const affected = judged.filter(member => member.verdict === verdict).map(member => member.name)
  const pattern = patternOf(judged.length, affected.length)
  let confidence = 0
  for (const member of judged) if (member.verdict === verdict && member.confidence > confidence) confidence = member.confidence
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
    story: members.every(member => member.readingsOnly) ? readingsStory(summary) : storyOf(chapters),
    type,
    verdict,
  }
}

/** "over its quota for 12 min in all (peak 1187 MB, 232% of the quota); memory below the quota is not in the log" */
function readingsStory(summary: UsageSummary): string {
  const peak = `peak ${Math.round(summary.memoryMaxMb)} MB, ${Math.round(summary.peakPercentOfQuota)}% of the quota`
  return `over its quota for ${formatDuration(summary.secondsOverQuota)} in all (${peak}); memory below the quota is not in the log`
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
    // A dyno without samples: its span and peak are its readings' (and other events').
    const sampled = dyno.samples > 0
    from = Math.min(from, sampled ? dyno.from : dyno.eventsFrom)
    to = Math.max(to, sampled ? dyno.to : dyno.eventsTo)
    memoryMax = Math.max(memoryMax, sampled ? dyno.memoryMaxMb : dyno.readings.maxMb)
    swapMax = Math.max(swapMax, dyno.swapMaxMb)
    totalMax = Math.max(totalMax, dyno.totalMaxMb)
    overMs += sampled ? dyno.overQuotaMs : dyno.readings.overQuotaMs
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
    const moreSerious = !best || VERDICT_SEVERITY[run.verdict] > VERDICT_SEVERITY[best.verdict]
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
    appendTo(groups, key, run)
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
      levelMb: round(upperMedian(alike.map(run => (verdict === 'bloat' ? run.endMb : run.levelMb)))),
      release: runs[0].release,
      maxSlopeMbPerHour: round(maxOf(alike.map(run => run.recentSlopeMbPerHour))),
      slopeMbPerHour: round(upperMedian(alike.map(run => run.recentSlopeMbPerHour))),
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

/** Adds to the list under `key`, in place (a copy per item is quadratic). */
function appendTo<K, V>(lists: Map<K, V[]>, key: K, item: V): void {
  const list = lists.get(key)
  if (list) list.push(item)
  else lists.set(key, [item])
}

/** The largest value; -Infinity for none, as Math.max, without spreading (which overflows the stack past ~100k values). */
function maxOf(values: number[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const value of values) if (value > max) max = value
  return max
}

function compareDynos(a: DynoAccumulator, b: DynoAccumulator): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1
  const numberA = Number(a.name.slice(a.name.lastIndexOf('.') + 1))
  const numberB = Number(b.name.slice(b.name.lastIndexOf('.') + 1))
  if (Number.isFinite(numberA) && Number.isFinite(numberB) && numberA !== numberB) return numberA - numberB
  return a.name < b.name ? -1 : (a.name > b.name ? 1 : 0)
}

function isoMinute(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ')
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : 0
}

