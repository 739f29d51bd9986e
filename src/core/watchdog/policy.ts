import type {LogEvent, MemorySample} from '../events.js'
import type {Metric, ThresholdSet} from './threshold.js'

import {compareDynoNames} from '../dyno-state.js'
import {processTypeOf} from '../events.js'
import {effectiveQuota} from '../quotas.js'
import {describeThreshold, limitFor, metricOf} from './threshold.js'

export interface RestartPolicyOptions {
  /** Minimum time between two restarts of one dyno (any restart: ours, a deploy's, a crash's). */
  cooldownMs: number
  /** Decide but never restart. */
  dryRun: boolean
  /** Consecutive readings over the limit before a restart. */
  forSamples: number
  /** A dyno that crosses within this long after a restart `loopLimit` times in a row is left alone. */
  loopLimit: number
  loopWindowMs: number
  /** Restarts the watchdog makes in any hour (log clock), all dynos together. */
  maxPerHour: number
  /** Dynos of one process type restarting at once. */
  maxParallel: number
  metric: Metric
  /** Count an R14 line as a reading over the limit. */
  onR14: boolean
  thresholds: ThresholdSet
  /** A restarted dyno with no new instance after this long frees its slot anyway. */
  upTimeoutMs: number
}

export const POLICY_DEFAULTS = {
  cooldownMs: 10 * 60_000,
  dryRun: false,
  forSamples: 2,
  loopLimit: 3,
  loopWindowMs: 5 * 60_000,
  maxParallel: 1,
  maxPerHour: 10,
  metric: 'rss+swap' as Metric,
  onR14: false,
  upTimeoutMs: 5 * 60_000,
}

/** A sample and an R14 this close on the log clock are one reading (R14 repeats with every sample). */
const SAME_READING_MS = 10_000
/** With preboot the old instance logs for ~3 minutes after a restart; its R14 lines carry no instance id. */
const PREBOOT_OVERLAP_MS = 5 * 60_000
/** In `--once`, a dyno whose latest reading is older than this (log clock) has stopped reporting. */
const STALE_READING_MS = 2 * 60_000
const HOUR_MS = 3_600_000
const KEPT_RESTARTS = 16
/** The hourly cap never needs more than this many of the watchdog's own restarts. */
const KEPT_WATCHDOG_RESTARTS = 1000
const KEPT_RETIRED = 8
/** Restarting a one-off dyno stops it: never a target. */
const ONE_OFF_TYPES = new Set(['release', 'run', 'scheduler'])

/**
 * - `watch`: over the limit for fewer than `--for` readings so far
 * - `restart`: over for `--for` readings: restart requested now
 * - `hold`: over for `--for` readings, but a guard holds the restart (the reason names it)
 * - `recovered`: back under the limit before any restart
 * - `up`: a restarting dyno's new instance is up (or is no longer waited for)
 * - `skip`: a restart that could not be made
 * - `ok`: (`--once`) the latest reading is under the limit
 */
export type DecisionAction = 'hold' | 'ok' | 'recovered' | 'restart' | 'skip' | 'up' | 'watch'

type GuardReason = 'cooldown' | 'dry-run' | 'failed' | 'hourly-cap' | 'loop-breaker' | 'max-parallel' | 'not-found' | 'not-in-dyno-list' | 'one-off' | 'stale'

export type DecisionReason = 'new-instance' | 'over' | 'r14' | 'state-up' | 'under' | 'up-timeout' | GuardReason

export interface Decision {
  action: DecisionAction
  /** For `up`: who restarted the dyno. */
  by?: 'platform' | 'watchdog'
  dyno: string
  instance?: string
  /** MiB */
  limit?: number
  /** Free text from outside the policy (an API error). */
  note?: string
  /** Consecutive readings over the limit. */
  over: number
  need: number
  /** MiB */
  quota?: number
  reason: DecisionReason
  /** The threshold as the user wrote it (`85%`, `900MB`). */
  threshold?: string
  /** Log-clock time of the decision. */
  time: number
  type: string
  /** End of a cooldown, or of the hour a cap counts. */
  until?: number
  /** MiB, the metric's latest value. */
  value?: number
  /** Dynos of the type still restarting (max parallel). */
  waitingFor?: string[]
}

/** What the shell must do after feeding the policy one input. */
export interface PolicyStep {
  decisions: Decision[]
  /** Fetch the app's dyno list again: a dyno not in it appeared, or a restarted one did not come up. */
  refreshDynos: boolean
  /** Dynos to restart now, in order. */
  restarts: string[]
}

/** What `GET /apps/{app}/dynos` says about a dyno, times on the log clock. */
export interface DynoInfo {
  name: string
  size?: string
  state?: string
  type?: string
  /** `updated_at`: when the dyno last changed state ("up since"). */
  updatedAt?: number
}

/** The part of the policy's memory worth keeping between runs (cron), times on the log clock. */
export interface PersistedPolicy {
  dynos: Record<string, {broken: boolean; brokenAt?: number; relapses: number; restarts: number[]}>
  watchdogRestarts: number[]
}

export interface WatchdogSummary {
  /** Dynos the loop breaker holds. */
  broken: string[]
  /** Hold decisions by reason (a dyno counted once per reason). */
  held: Partial<Record<DecisionReason, string[]>>
  /** Dynos whose latest reading is over the limit. */
  over: string[]
  /** Restarts requested by the watchdog and accepted by the API. */
  restarted: {dyno: string; time: number}[]
  watched: number
}

interface Restarting {
  at: number
  by: 'platform' | 'watchdog'
  /** The instance being replaced (watchdog restarts), followed again if the restart fails. */
  instance?: string
  /** The API accepted the restart (watchdog) at this log-clock time; the up timeout runs from here. */
  sentAt?: number
}

interface DynoTrack {
  breachAt?: number
  broken: boolean
  brokenAt?: number
  /** Instance (`dyno=` id) followed now; older ones are retired and their samples ignored. */
  current?: string
  /** The restart API call failed: no new attempt before this time. */
  holdUntil?: number
  inBreach: boolean
  lastReadingAt?: number
  lastReadingOver: boolean
  /** Last decision key shown, to print a repeated hold only once. */
  lastShown?: string
  listed?: boolean
  name: string
  over: number
  quota?: number
  relapses: number
  /** Times the dyno was (re)started, any cause, ascending. */
  restarts: number[]
  restarting?: Restarting
  retired: string[]
  size?: string
  type: string
  value?: number
}

/**
 * Decides which dyno to restart and when, from the platform's log events, as a pure state
 * machine: time is the log's own clock (each event's timestamp), so a replayed history, a
 * simulated clock and a skewed local clock all behave the same. The shell feeds events,
 * performs the restarts the returned steps ask for, and reports their outcome back.
 */
export class RestartPolicy {
  /** Latest log time seen. */
  clock = 0
  private readonly dynos = new Map<string, DynoTrack>()
  private readonly held = new Map<DecisionReason, Set<string>>()
  private readonly options: RestartPolicyOptions
  private out: PolicyStep = emptyStep()
  /** Dynos waiting for a free slot, per process type, first come first served. */
  private readonly queues = new Map<string, string[]>()
  private readonly restarted: {dyno: string; time: number}[] = []
  /** Unlisted dyno names that already asked for a refresh of the list. */
  private readonly refreshAsked = new Set<string>()
  private watchdogRestarts: number[] = []

  constructor(options: Partial<RestartPolicyOptions> & Pick<RestartPolicyOptions, 'thresholds'>) {
    this.options = {...POLICY_DEFAULTS, ...options}
    if (this.options.forSamples < 1) this.options.forSamples = 1
  }

  /** Moves the clock on (e.g. at the end of a history) and handles restarts that never came up. */
  advance(now: number): PolicyStep {
    this.tick(now, true)
    return this.flush()
  }

  /**
   * `--once`: after the history has been replayed, decide on each dyno's latest readings.
   * Guards still apply: cooldowns and loop counts come from the restarts seen in the history
   * and the dyno list.
   */
  decideNow(): PolicyStep {
    this.tick(this.clock, true)
    for (const track of this.sortedTracks()) {
      const limit = this.limitOf(track)
      if (limit === undefined || track.lastReadingAt === undefined) continue
      if (this.clock - track.lastReadingAt > STALE_READING_MS) {
        if (track.lastReadingOver) this.emit(track, 'skip', 'stale')
        continue
      }

      if (track.over >= this.options.forSamples) this.decide(track)
      else if (track.over > 0) this.emit(track, 'watch', 'over')
      else this.emit(track, 'ok', 'under')
    }

    return this.flush()
  }

  exportState(): PersistedPolicy {
    const dynos: PersistedPolicy['dynos'] = {}
    for (const track of this.dynos.values()) {
      if (track.restarts.length === 0 && track.relapses === 0 && !track.broken) continue
      dynos[track.name] = {
        broken: track.broken, brokenAt: track.brokenAt, relapses: track.relapses, restarts: [...track.restarts],
      }
    }

    return {dynos, watchdogRestarts: this.watchdogRestarts.filter(time => time > this.clock - HOUR_MS)}
  }

  /** Feeds one platform event. `replay` (a history being read) updates state but decides nothing. */
  observe(event: LogEvent, mode: 'live' | 'replay' = 'live'): PolicyStep {
    if (event.kind === 'release' || event.kind === 'load' || event.kind === 'reading') return this.flush()
    const live = mode === 'live'
    if (event.time > this.clock) this.clock = event.time
    const track = this.trackOf(event.dyno, event.type)
    switch (event.kind) {
    case 'memory': {
      this.onSample(track, event, live)
      break
    }

    case 'error': {
      if (event.code === 'R14' && this.options.onR14) this.onR14(track, event.time, live)
      break
    }

    case 'dyno': {
      if (event.action === 'restarting' || event.action === 'cycling') this.onRestartLine(track, event.time, live)
      else if (event.action === 'crashed') this.noteRestart(track, event.time)
      else if (event.action === 'state' && event.to === 'up') {
        this.noteRestart(track, event.time)
        if (track.restarting && event.time >= track.restarting.at) this.markUp(track, 'state-up', live)
      }

      break
    }
    }

    this.tick(event.time, live)
    return this.flush()
  }

  /** The outcome of a restart the policy asked for. */
  restartOutcome(dyno: string, outcome: 'failed' | 'not-found' | 'restarted', note?: string): PolicyStep {
    const track = this.dynos.get(dyno)
    if (!track?.restarting || track.restarting.by !== 'watchdog') return this.flush()
    if (outcome === 'restarted') {
      track.restarting.sentAt = this.clock
      this.restarted.push({dyno, time: track.restarting.at})
      return this.flush()
    }

    // The restart did not happen: take it back from the counts and free the slot.
    const {at, instance} = track.restarting
    track.restarting = undefined
    if (instance !== undefined && track.current === undefined) {
      track.retired = track.retired.filter(retired => retired !== instance)
      track.current = instance
    }

    track.restarts = track.restarts.filter(time => time !== at)
    const index = this.watchdogRestarts.lastIndexOf(at)
    if (index !== -1) this.watchdogRestarts.splice(index, 1)
    if (outcome === 'not-found') {
      track.listed = false
      this.out.refreshDynos = true
    } else {
      track.holdUntil = this.clock + this.options.cooldownMs
    }

    this.emit(track, 'skip', outcome, {note})
    this.drain(track.type)
    return this.flush()
  }

  /** Merges what an earlier run kept (state file): the larger count and every restart wins. */
  restoreState(state: PersistedPolicy): void {
    for (const [name, saved] of Object.entries(state.dynos ?? {})) {
      const track = this.trackOf(name, processTypeOf(name))
      for (const time of saved.restarts ?? []) addTime(track.restarts, time)
      if ((saved.relapses ?? 0) > track.relapses) track.relapses = saved.relapses
      if (saved.broken && !track.broken) {
        track.broken = true
        track.brokenAt = saved.brokenAt
      }
    }

    for (const time of state.watchdogRestarts ?? []) addTime(this.watchdogRestarts, time, KEPT_WATCHDOG_RESTARTS)
  }

  /** The app's current dyno list. Only listed dynos are restarted; `updated_at` counts as a restart. */
  setDynos(dynos: readonly DynoInfo[], mode: 'live' | 'replay' = 'live'): PolicyStep {
    const live = mode === 'live'
    const names = new Set(dynos.map(dyno => dyno.name))
    this.refreshAsked.clear()
    for (const track of this.dynos.values()) track.listed = names.has(track.name)
    for (const info of dynos) {
      const track = this.trackOf(info.name, info.type ?? processTypeOf(info.name))
      track.listed = true
      track.size = info.size ?? track.size
      if (info.updatedAt === undefined) continue
      this.noteRestart(track, info.updatedAt)
      if (info.state === 'starting' && !track.restarting) track.restarting = {at: info.updatedAt, by: 'platform', sentAt: info.updatedAt}
      else if (info.state === 'up' && track.restarting && track.restarting.sentAt !== undefined && info.updatedAt >= track.restarting.at) {
        this.markUp(track, 'state-up', live)
      }
    }

    // A listed dyno already over its limit for long enough gets its decision now.
    if (live) {
      for (const track of this.sortedTracks()) {
        if (track.listed && track.inBreach && !track.restarting && track.over >= this.options.forSamples) this.decide(track)
      }
    }

    return this.flush()
  }

  summary(): WatchdogSummary {
    const held: WatchdogSummary['held'] = {}
    for (const [reason, names] of this.held) held[reason] = [...names].sort()
    const tracks = this.sortedTracks()
    return {
      broken: tracks.filter(track => track.broken).map(track => track.name),
      held,
      over: tracks.filter(track => track.lastReadingOver && !track.restarting && this.limitOf(track) !== undefined).map(track => track.name),
      restarted: [...this.restarted],
      watched: tracks.filter(track => track.lastReadingAt !== undefined && this.limitOf(track) !== undefined).length,
    }
  }

  private decide(track: DynoTrack): void {
    const {options} = this
    const time = this.clock
    if (track.restarting) return
    if (ONE_OFF_TYPES.has(track.type)) return this.hold(track, 'one-off')
    if (track.broken && track.breachAt !== undefined && track.brokenAt !== undefined) {
      // A restart since the breaker engaged, followed by a long enough healthy run: restarts help again.
      const last = lastBefore(track.restarts, track.breachAt)
      if (last !== undefined && last > track.brokenAt && track.breachAt - last > options.loopWindowMs) {
        track.broken = false
        track.relapses = 0
      }
    }

    if (track.broken) return this.hold(track, 'loop-breaker')
    if (track.listed !== true) {
      if (!this.refreshAsked.has(track.name)) {
        this.refreshAsked.add(track.name)
        this.out.refreshDynos = true
      }

      return this.hold(track, 'not-in-dyno-list')
    }

    if (track.holdUntil !== undefined && time < track.holdUntil) return this.hold(track, 'failed', {until: track.holdUntil})
    const last = track.restarts.at(-1)
    if (last !== undefined && time - last < options.cooldownMs) return this.hold(track, 'cooldown', {until: last + options.cooldownMs})
    const inHour = this.watchdogRestarts.filter(at => at > time - HOUR_MS)
    if (inHour.length >= options.maxPerHour) return this.hold(track, 'hourly-cap', {until: inHour[0] + HOUR_MS})
    const busy = this.restartingOfType(track.type)
    if (busy.length >= options.maxParallel) {
      const queue = this.queues.get(track.type) ?? []
      if (!queue.includes(track.name)) queue.push(track.name)
      this.queues.set(track.type, queue)
      return this.hold(track, 'max-parallel', {waitingFor: busy})
    }

    if (options.dryRun) return this.hold(track, 'dry-run')
    this.dequeue(track)
    track.restarting = {at: time, by: 'watchdog', instance: track.current}
    addTime(track.restarts, time)
    this.watchdogRestarts.push(time)
    if (this.watchdogRestarts.length > KEPT_WATCHDOG_RESTARTS) this.watchdogRestarts.shift()
    const overBySample = track.value !== undefined && track.value >= (this.limitOf(track) ?? Number.POSITIVE_INFINITY)
    this.emit(track, 'restart', overBySample ? 'over' : 'r14')
    // Samples the old instance still writes (preboot) must not count for the new one.
    if (track.current !== undefined) this.retire(track, track.current)
    this.out.restarts.push(track.name)
  }

  private dequeue(track: DynoTrack): void {
    const queue = this.queues.get(track.type)
    const index = queue?.indexOf(track.name) ?? -1
    if (queue && index !== -1) queue.splice(index, 1)
  }

  /** A slot of this type may be free: the queued dynos still over their limit get their turn. */
  private drain(type: string): void {
    const queue = this.queues.get(type)
    if (!queue) return
    for (const name of queue) {
      const track = this.dynos.get(name)
      if (!track || track.over < this.options.forSamples) {
        queue.splice(queue.indexOf(name), 1)
        continue
      }

      this.decide(track)
      if (this.restartingOfType(type).length >= this.options.maxParallel) return
    }
  }

  private emit(track: DynoTrack, action: DecisionAction, reason: DecisionReason, extra: Partial<Decision> = {}): void {
    const limit = this.limitOf(track)
    this.out.decisions.push({
      action,
      dyno: track.name,
      instance: track.current,
      limit,
      need: this.options.forSamples,
      over: track.over,
      quota: this.quotaOf(track),
      reason,
      threshold: describeThreshold(this.options.thresholds, track.type),
      time: this.clock,
      type: track.type,
      value: track.value,
      ...extra,
    })
    track.lastShown = `${action}:${reason}`
  }

  private flush(): PolicyStep {
    const step = this.out
    this.out = emptyStep()
    return step
  }

  private hold(track: DynoTrack, reason: DecisionReason, extra: Partial<Decision> = {}): void {
    let names = this.held.get(reason)
    if (!names) {
      names = new Set()
      this.held.set(reason, names)
    }

    names.add(track.name)
    // The same guard on every sample of a long breach is one decision, shown once.
    if (track.lastShown === `hold:${reason}`) return
    this.emit(track, 'hold', reason, extra)
  }

  private limitOf(track: DynoTrack): number | undefined {
    return limitFor(this.options.thresholds, track.type, this.quotaOf(track))
  }

  private markUp(track: DynoTrack, reason: 'new-instance' | 'state-up' | 'up-timeout', live: boolean): void {
    const {restarting} = track
    if (!restarting) return
    track.restarting = undefined
    // The new instance's readings start a new count; its first value is known only from a sample.
    resetReadings(track)
    if (reason !== 'new-instance') track.value = undefined
    if (live) this.emit(track, 'up', reason, {by: restarting.by})
    this.drain(track.type)
  }

  /** A restart the platform made (or confirmed): `Restarting`, `Cycling`, a crash, a state change to up. */
  private noteRestart(track: DynoTrack, time: number): void {
    addTime(track.restarts, time)
  }

  private onR14(track: DynoTrack, time: number, live: boolean): void {
    if (track.restarting || this.limitOf(track) === undefined) return
    // The old instance's R14s cannot be told from the new one's: none counts just after a restart.
    const last = track.restarts.at(-1)
    if (last !== undefined && time - last < PREBOOT_OVERLAP_MS) return
    this.reading(track, time, true, live)
  }

  private onRestartLine(track: DynoTrack, time: number, live: boolean): void {
    // Our own restart shows up in the log a moment after the request: that is a confirmation.
    if (track.restarting && time >= track.restarting.at - 1000) return
    const newest = track.restarts.at(-1)
    this.noteRestart(track, time)
    // Older than a restart already known (history read after the dyno list, a reconnect's replay): nothing in flight.
    if (newest !== undefined && time <= newest) return
    if (track.current !== undefined) this.retire(track, track.current)
    track.restarting = {at: time, by: 'platform', sentAt: time}
    resetReadings(track)
    this.dequeue(track)
    if (live && track.lastShown?.startsWith('hold:')) track.lastShown = undefined
  }

  private onSample(track: DynoTrack, sample: MemorySample, live: boolean): void {
    const {instance} = sample
    let newInstance = false
    if (instance !== undefined) {
      if (track.retired.includes(instance)) return
      if (instance !== track.current) {
        if (track.current !== undefined) this.retire(track, track.current)
        track.current = instance
        resetReadings(track)
        newInstance = true
      }
    }

    track.quota = effectiveQuota(sample.quota, track.size)
    track.value = metricOf(sample, this.options.metric)
    if (newInstance && track.restarting) this.markUp(track, 'new-instance', live)
    const limit = this.limitOf(track)
    if (limit === undefined) return
    this.reading(track, sample.time, track.value >= limit, live)
  }

  private quotaOf(track: DynoTrack): number {
    return track.quota ?? effectiveQuota(undefined, track.size)
  }

  /** One reading of a dyno: a sample, or an R14 (merged with a sample of the same moment). */
  private reading(track: DynoTrack, time: number, over: boolean, live: boolean): void {
    // An older reading than one already counted (a replay after a reconnect) must not count twice.
    if (track.lastReadingAt !== undefined && time < track.lastReadingAt - SAME_READING_MS) return
    if (track.lastReadingAt !== undefined && Math.abs(time - track.lastReadingAt) <= SAME_READING_MS) {
      if (!over || track.lastReadingOver) return
      track.lastReadingOver = true
      track.over++
    } else {
      track.lastReadingAt = time
      track.lastReadingOver = over
      if (!over) {
        const wasOver = track.over > 0
        track.over = 0
        track.inBreach = false
        this.dequeue(track)
        if (live && wasOver) this.emit(track, 'recovered', 'under')
        return
      }

      track.over++
    }

    if (track.over < this.options.forSamples) {
      if (live) this.emit(track, 'watch', 'over')
      return
    }

    if (!track.inBreach) this.onCrossing(track, time)
    if (live) this.decide(track)
  }

  /** The start of a sustained breach: one soon after a restart is a relapse, and enough relapses break the loop. */
  private onCrossing(track: DynoTrack, time: number): void {
    track.inBreach = true
    track.breachAt = time
    const last = lastBefore(track.restarts, time)
    if (last !== undefined && time - last <= this.options.loopWindowMs) {
      track.relapses++
      if (track.relapses >= this.options.loopLimit && !track.broken) {
        track.broken = true
        track.brokenAt = time
      }
    } else if (!track.broken) {
      track.relapses = 0
    }
  }

  private restartingOfType(type: string): string[] {
    const names: string[] = []
    for (const track of this.dynos.values()) if (track.type === type && track.restarting) names.push(track.name)
    return names.sort()
  }

  private retire(track: DynoTrack, instance: string): void {
    if (!track.retired.includes(instance)) track.retired.push(instance)
    if (track.retired.length > KEPT_RETIRED) track.retired.shift()
    if (track.current === instance) track.current = undefined
  }

  private sortedTracks(): DynoTrack[] {
    return [...this.dynos.values()].sort(compareDynoNames)
  }

  /** Moves the clock and frees slots of restarts that never showed a new instance. */
  private tick(now: number, live: boolean): void {
    if (now > this.clock) this.clock = now
    for (const track of this.dynos.values()) {
      const {restarting} = track
      if (!restarting || restarting.sentAt === undefined) continue
      if (this.clock - restarting.sentAt > this.options.upTimeoutMs) {
        this.out.refreshDynos = true
        this.markUp(track, 'up-timeout', live)
      }
    }
  }

  private trackOf(name: string, type: string): DynoTrack {
    let track = this.dynos.get(name)
    if (!track) {
      track = {
        broken: false, inBreach: false, lastReadingOver: false, name, over: 0, relapses: 0, restarts: [], retired: [], type,
      }
      this.dynos.set(name, track)
    }

    return track
  }
}

function resetReadings(track: DynoTrack): void {
  track.over = 0
  track.inBreach = false
  track.lastReadingAt = undefined
  track.lastReadingOver = false
}

function emptyStep(): PolicyStep {
  return {decisions: [], refreshDynos: false, restarts: []}
}

/** Adds a time to an ascending list, skipping near-duplicates (the same restart seen twice), keeping the newest. */
function addTime(times: number[], time: number, keep = KEPT_RESTARTS): void {
  let index = times.length
  while (index > 0 && times[index - 1] > time) index--
  if ((index > 0 && time - times[index - 1] < 1000) || (index < times.length && times[index] - time < 1000)) return
  times.splice(index, 0, time)
  if (times.length > keep) times.splice(0, times.length - keep)
}

/** The latest time at or before `time`. */
function lastBefore(times: readonly number[], time: number): number | undefined {
  for (let index = times.length - 1; index >= 0; index--) if (times[index] <= time) return times[index]
  return undefined
}
