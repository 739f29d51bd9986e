import type {AppRuntime} from '../runtime/detect.js'
import type {DynoAccumulator} from './accumulator.js'
import type {Advice, DynoReport, ProcessTypeReport} from './report-schema.js'

import {formatHours} from '../format-duration.js'
import {limitsForSize} from '../quotas.js'
import {adviseRuntime} from '../runtime/advise-runtime.js'
import {DYNO_PRICES_AS_OF} from '../runtime/dyno-prices.js'
import {rightSize} from '../runtime/right-size.js'
import {currentProjection} from './current-instance.js'
import {upperMedian} from './robust-stats.js'

/** Cedar sizes from smallest to largest: candidates for a peak that does not fit. */
const SIZES = ['Standard-1X', 'Standard-2X', 'Performance-M', 'Performance-L', 'Performance-L-RAM', 'Performance-XL', 'Performance-2XL']
/** A size fits when the peak uses at most this share of its quota. */
const HEADROOM = 0.8
/** Watchdog thresholds tried, as shares of the quota, highest first. */
const WATCHDOG_SHARES = [0.95, 0.9, 0.85, 0.8, 0.75]
/** A leak's watchdog threshold, as a share of the quota: room for the two samples it waits for. */
const LEAK_WATCHDOG_SHARE = 0.85
/** The watchdog acts after this many samples over its threshold (its `--for` default). */
const WATCHDOG_SAMPLES = 2

export interface AdviceOptions {
  app?: string
  /** The app's runtime (buildpacks, commands, allow-listed config vars), when known. */
  runtime?: AppRuntime
}

/** Advice a person can act on, with the numbers behind it, for one process type. */
export function adviseProcessType(type: ProcessTypeReport, dynos: DynoReport[], accumulators: Map<string, DynoAccumulator>, options: AdviceOptions = {}): Advice[] {
  const {app} = options
  const advice: Advice[] = []
  const quota = type.quotaMb
  const leaking = dynos.filter(dyno => dyno.verdict === 'leak')
  if (leaking.length > 0) advice.push(leakAdvice(type, leaking))

  const runtime = adviseRuntime(type, dynos, options.runtime, app)
  advice.push(...runtime.advice)
  const plateau = Math.max(0, ...dynos.filter(dyno => dyno.verdict === 'bloat' || dyno.verdict === 'steady').map(dyno => dyno.judgedBy?.endMb ?? 0))
  // Runtime advice names the setting itself; the generic line is for runtimes not recognised.
  if (plateau >= 0.7 * quota && !runtime.advice.some(item => item.expectedLevelMb !== undefined)) {
    const target = Math.floor((0.75 * quota) / 10) * 10
    advice.push({
      kind: 'concurrency',
      text: `${type.type} settles at ${mb(plateau)} (${percent(plateau, quota)} of ${mb(quota)}): run fewer processes or threads per dyno (WEB_CONCURRENCY, worker concurrency) to bring it under ${mb(target)}; on Ruby, MALLOC_ARENA_MAX=2 often trims it too`,
    })
  }

  if (type.verdict === 'spiky') {
    advice.push({
      kind: 'spikes',
      text: `${type.type} spikes to ${mb(type.memoryMaxMb)} (${percent(type.memoryMaxMb, quota)} of quota) from around ${mb(type.rss.p50)}: look for a request or job that loads a lot at once (uploads, exports, unpaginated queries) and stream or batch it`,
    })
  }

  const overloaded = type.memoryMaxMb > 0.85 * quota || type.r14 > 0 || type.r15 > 0
  if (overloaded || (plateau >= 0.7 * quota && leaking.length === 0)) {
    const workers = runtime.context?.workers?.count
    const sizeAdvice = leaking.length > 0 ? sizeFor(type, true) : (rightSizeAdvice(type, dynos.length, workers) ?? sizeFor(type, false))
    if (sizeAdvice) advice.push(sizeAdvice)
  }

  const watchdog = watchdogAdvice(type, dynos, accumulators, app)
  if (watchdog) advice.push(watchdog)
  return advice
}

function leakAdvice(type: ProcessTypeReport, leaking: DynoReport[]): Advice {
  const rates = leaking.map(dyno => dyno.judgedBy?.recentSlopeMbPerHour ?? 0).sort((a, b) => a - b)
  const rate = rates[Math.floor(rates.length / 2)]
  let soonest = leaking[0]
  for (const dyno of leaking) if ((dyno.judgedBy?.hoursToQuota ?? Infinity) < (soonest.judgedBy?.hoursToQuota ?? Infinity)) soonest = dyno
  const parts: string[] = []
  switch (type.pattern) {
  case 'app': {
    parts.push(`all ${leaking.length} ${type.type} dynos leak alike (about ${Math.round(rate)} MB/h): the app itself, a code path every request or job takes (caches without a bound, globals that accumulate, connections not closed)`)
    break
  }

  case 'single-dyno': {
    parts.push(`only ${leaking[0].name} of ${type.dynos.length} ${type.type} dynos leaks (${Math.round(rate)} MB/h): something that ran there alone, a particular request, job or long-lived connection; read its app logs for the window`)
    break
  }

  default: {
    parts.push(`${leaking.map(dyno => dyno.name).join(', ')} ${leaking.length === 1 ? 'leaks' : 'leak'} (about ${Math.round(rate)} MB/h)`)
  }
  }

  const since = type.chapters.findIndex((chapter, i) => chapter.verdict === 'leak' && i > 0 && type.chapters[i - 1].verdict !== 'leak')
  if (since > 0) {
    const chapter = type.chapters[since]
    parts.push(`it started with ${chapter.label}${chapter.release?.description ? ` (${chapter.release.description})` : ''}: compare it with ${type.chapters[since - 1].label}`)
  }

  const projection = currentProjection(soonest)
  if (projection) {
    const killAt = mb(type.quotaMb * type.killFactor)
    if (projection.previous) parts.push(`${soonest.name}'s previous instance ${projection.previous}`)
    const who = projection.previous ? `its current instance (${mb(projection.levelMb)} now)` : soonest.name
    parts.push(projection.hoursToQuota === 0
      ? `${who} is already over its quota and reaches the R15 kill threshold (${killAt}) in about ${formatHours(projection.hoursToKill)}`
      : `${who} reaches the quota (R14) in about ${formatHours(projection.hoursToQuota)}${intervalText(projection.interval)} `
        + `and the R15 kill threshold (${killAt}) in about ${formatHours(projection.hoursToKill)}`)
  }

  parts.push('to find it, compare two heap snapshots taken an hour apart (Node: --heapsnapshot-signal; Ruby: ObjectSpace.dump_all or heapy; Python: tracemalloc; JVM: jcmd GC.heap_dump) or trace allocations on one dyno')
  return {kind: 'leak', text: parts.join('; ')}
}

function sizeFor(type: ProcessTypeReport, leaking: boolean): Advice | undefined {
  const need = type.memoryMaxMb / HEADROOM
  const fits = SIZES.find(size => (limitsForSize(size)?.quota ?? 0) >= need)
  if (!fits) return undefined
  const fitsQuota = limitsForSize(fits)!.quota
  if (fitsQuota <= type.quotaMb) return undefined
  const from = type.size === undefined ? '' : ` instead of ${type.size}`
  const text = leaking
    ? `a bigger dyno only buys time while it leaks: ${fits} (${mb(fitsQuota)})${from} would hold the peak seen, ${mb(type.memoryMaxMb)}, with 20% headroom`
    : `peak ${mb(type.memoryMaxMb)} (${percent(type.memoryMaxMb, type.quotaMb)} of ${mb(type.quotaMb)}): ${fits} (${mb(fitsQuota)})${from} fits it with 20% headroom`
  return {kind: 'size', size: fits, text}
}

/**
 * The cheapest size and count that hold the peak with headroom, with the monthly price next to
 * today's; when workers are known they may move between dynos (per-process memory = peak / workers).
 */
function rightSizeAdvice(type: ProcessTypeReport, count: number, workers: number | undefined): Advice | undefined {
  const perProcessMb = workers && workers > 1 ? type.memoryMaxMb / workers : undefined
  const result = rightSize({
    count, peakMb: type.memoryMaxMb, perProcessMb, size: type.size, workers: perProcessMb === undefined ? undefined : workers,
  })
  if (!result?.today) return undefined
  const {plan, today} = result
  const difference = plan.monthlyUsd - today.monthlyUsd
  const split = plan.workersPerDyno === undefined ? '' : ` running ${plan.workersPerDyno} worker${plan.workersPerDyno === 1 ? '' : 's'} each`
  return {
    count: plan.count,
    kind: 'size',
    monthlyUsd: {pricesAsOf: DYNO_PRICES_AS_OF, suggested: plan.monthlyUsd, today: today.monthlyUsd},
    size: plan.size,
    text: `right-size: peak ${mb(type.memoryMaxMb)} (${percent(type.memoryMaxMb, type.quotaMb)} of ${mb(type.quotaMb)}); `
      + `${plan.count} × ${plan.size} (${mb(limitsForSize(plan.size)!.quota)})${split} holds it with 20% headroom for $${plan.monthlyUsd}/month, `
      + `against ${today.count} × ${today.size} today at $${today.monthlyUsd}/month (${difference >= 0 ? '+' : '-'}$${Math.abs(difference)}/month; list prices as of ${DYNO_PRICES_AS_OF})`,
  }
}

function intervalText(interval: [number, number] | undefined): string {
  if (!interval) return ''
  const [low, high] = interval.map(hours => (Number.isFinite(hours) ? formatHours(hours) : 'never'))
  return low === high ? '' : ` (${low} to ${high})`
}

/**
 * The highest `mem:restart-over` threshold that would have restarted the dyno before most of
 * the quota crossings seen (it needs two samples over it first), yet stays clear of the usual
 * level, so it would not restart the dynos all the time.
 */
function watchdogAdvice(type: ProcessTypeReport, dynos: DynoReport[], accumulators: Map<string, DynoAccumulator>, app?: string): Advice | undefined {
  const leaking = dynos.filter(dyno => dyno.verdict === 'leak' && dyno.judgedBy)
  if (leaking.length > 0) return leakWatchdogAdvice(type, leaking, app)
  const episodes = dynos.flatMap(dyno => accumulators.get(dyno.name)?.episodes ?? [])
  if (episodes.length === 0 && type.r14 === 0) return undefined
  // The usual level of RSS + swap (what the watchdog watches): the median series level per dyno.
  const levels = dynos.map(dyno => dyno.judgedBy?.levelMb ?? dyno.series[0]?.levelMb ?? dyno.rss.p50).sort((a, b) => a - b)
  const usual = levels[Math.floor(levels.length / 2)] ?? type.rss.p50
  let best: {caught: number; threshold: number} | undefined
  for (const share of WATCHDOG_SHARES) {
    const threshold = Math.floor((share * type.quotaMb) / 10) * 10
    if (threshold < usual + (0.05 * type.quotaMb)) continue
    const caught = episodes.filter(episode => wouldCatch(episode.lead, threshold)).length
    if (!best || caught > best.caught) best = {caught, threshold}
  }

  const command = `heroku mem:restart-over ${app ? `-a ${app}` : '-a <app>'} --threshold ${type.type}=${best?.threshold ?? 0}MB`
  if (!best) {
    return {kind: 'watchdog', text: `a restart watchdog cannot help ${type.type}: it usually sits at ${mb(usual)}, too close to the ${mb(type.quotaMb)} quota; it needs more memory or less usage`}
  }

  if (episodes.length === 0) {
    return {kind: 'watchdog', text: `\`${command}\` would restart a ${type.type} dyno before it swaps (R14)`, thresholdMb: best.threshold}
  }

  if (best.caught === 0) {
    return {kind: 'watchdog', text: `a restart watchdog would not have prevented these R14s: memory jumped over the quota within one sample; ${command} still guards against slow climbs`, thresholdMb: best.threshold}
  }

  return {
    kind: 'watchdog',
    text: `\`${command}\` would have restarted the dyno before ${best.caught} of the ${episodes.length} quota crossings seen (R14), with ${type.type} usually at ${mb(usual)}`,
    thresholdMb: best.threshold,
  }
}

/**
 * For a leak a watchdog is the stopgap: a dyno sits high only because it leaked, and a restart
 * takes it back to its boot level. The threshold leaves room under the quota; the interval is
 * the climb from the boot level (the series' start) to the threshold at the leak rate.
 */
function leakWatchdogAdvice(type: ProcessTypeReport, leaking: DynoReport[], app?: string): Advice {
  const threshold = Math.floor((LEAK_WATCHDOG_SHARE * type.quotaMb) / 10) * 10
  const rate = upperMedian(leaking.map(dyno => dyno.judgedBy!.recentSlopeMbPerHour))
  const boot = upperMedian(leaking.map(dyno => dyno.judgedBy!.startMb))
  const command = `heroku mem:restart-over ${app ? `-a ${app}` : '-a <app>'} --threshold ${type.type}=${threshold}MB`
  const interval = boot < threshold && rate > 0
    ? `; from about ${mb(boot)} after a restart at ${Math.round(rate)} MB/h, it would restart each leaking dyno about every ${formatHours((threshold - boot) / rate)}`
    : ''
  return {
    kind: 'watchdog',
    text: `as a stopgap until the leak is fixed, \`${command}\` (RSS + swap at ${percent(threshold, type.quotaMb)} of the quota) restarts a ${type.type} dyno before it swaps (R14)${interval}`,
    thresholdMb: threshold,
  }
}

/** Whether the last samples before a crossing were all over the threshold: the watchdog would have fired. */
function wouldCatch(lead: number[], threshold: number): boolean {
  const last = lead.slice(-WATCHDOG_SAMPLES)
  return last.length === WATCHDOG_SAMPLES && last.every(value => value >= threshold)
}

function mb(value: number): string {
  return `${Math.round(value)} MB`
}

function percent(value: number, quota: number): string {
  return `${Math.round((value / quota) * 100)}%`
}
