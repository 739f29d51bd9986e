import type {LogEvent, MemorySample} from '../events.js'
import type {
  Decision, DecisionAction, DecisionReason, DynoInfo, PolicyStep, WatchdogSummary,
} from './decision.js'
import type {GuardView} from './guards.js'

import {compareDynoNames} from '../dyno-state.js'
import {processTypeOf} from '../events.js'
import {effectiveQuota} from '../quotas.js'
import {emptyStep} from './decision.js'
import {
  addTime, type DynoTrack, KEPT_WATCHDOG_RESTARTS, newTrack, resetReadings, retire,
} from './dyno-track.js'
import {firstHold, RESTART_GUARDS} from './guards.js'
import {noteCrossing, releaseLoopBreaker} from './loop-breaker.js'
import {
  POLICY_DEFAULTS, PREBOOT_OVERLAP_MS, type RestartPolicyOptions, SAME_READING_MS, STALE_READING_MS,
} from './options.js'
import {exportPolicy, type PersistedPolicy, restorePolicy} from './persisted-state.js'
import {describeThreshold, limitFor, metricOf} from './threshold.js'

/**
 * Decides which dyno to restart and when, from the platform's log events, as a pure state
 * machine: time is the log's own clock (each event's timestamp), so a replayed history, a
 * simulated clock and a skewed local clock all behave the same. The shell feeds events,
 * performs the restarts the returned steps ask for, and reports their outcome back.
 * The guards that can hold a restart are the named checks of guards.ts.
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
  /** Unlisted dyno names that already asked for a refresh of the list. */
  private readonly refreshAsked = new Set<string>()
  /** A history being replayed: state is updated, nothing is decided or shown. */
  private replaying = false
  private readonly restarted: {dyno: string; time: number}[] = []
  private watchdogRestarts: number[] = []

  constructor(options: Partial<RestartPolicyOptions> & Pick<RestartPolicyOptions, 'thresholds'>) {
    this.options = {...POLICY_DEFAULTS, ...options}
    if (this.options.forSamples < 1) this.options.forSamples = 1
  }

  /** Moves the clock on (e.g. at the end of a history) and handles restarts that never came up. */
  advance(now: number): PolicyStep {
    this.tick(now)
    return this.flush()
  }

  /**
   * `--once`: after the history has been replayed, decide on each dyno's latest readings.
   * Guards still apply: cooldowns and loop counts come from the restarts seen in the history
   * and the dyno list.
   */
  decideNow(): PolicyStep {
    this.tick(this.clock)
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
    return exportPolicy(this.dynos.values(), this.watchdogRestarts, this.clock)
  }

  /** Feeds one platform event. `replay` (a history being read) updates state but decides nothing. */
  observe(event: LogEvent, mode: 'live' | 'replay' = 'live'): PolicyStep {
    if (event.kind === 'release' || event.kind === 'load' || event.kind === 'reading') return this.flush()
    return this.inMode(mode, () => {
      if (event.time > this.clock) this.clock = event.time
      const track = this.trackOf(event.dyno, event.type)
      switch (event.kind) {
      case 'memory': {
        this.onSample(track, event)
        break
      }

      case 'error': {
        if (event.code === 'R14' && this.options.onR14) this.onR14(track, event.time)
        break
      }

      case 'dyno': {
        if (event.action === 'restarting' || event.action === 'cycling') this.onRestartLine(track, event.time)
        else if (event.action === 'crashed') addTime(track.restarts, event.time)
        else if (event.action === 'state' && event.to === 'up') {
          addTime(track.restarts, event.time)
          if (track.restarting && event.time >= track.restarting.at) this.markUp(track, 'state-up')
        }

        break
      }
      }

      this.tick(event.time)
    })
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
    restorePolicy(state, name => this.trackOf(name, processTypeOf(name)), this.watchdogRestarts)
  }

  /** The app's current dyno list. Only listed dynos are restarted; `updated_at` counts as a restart. */
  setDynos(dynos: readonly DynoInfo[], mode: 'live' | 'replay' = 'live'): PolicyStep {
    return this.inMode(mode, () => {
      const names = new Set(dynos.map(dyno => dyno.name))
      this.refreshAsked.clear()
      for (const track of this.dynos.values()) track.listed = names.has(track.name)
      for (const info of dynos) {
        const track = this.trackOf(info.name, info.type ?? processTypeOf(info.name))
        track.listed = true
        track.size = info.size ?? track.size
        if (info.updatedAt === undefined) continue
        addTime(track.restarts, info.updatedAt)
        if (info.state === 'starting' && !track.restarting) track.restarting = {at: info.updatedAt, by: 'platform', sentAt: info.updatedAt}
        else if (info.state === 'up' && track.restarting && track.restarting.sentAt !== undefined && info.updatedAt >= track.restarting.at) {
          this.markUp(track, 'state-up')
        }
      }

      // A listed dyno already over its limit for long enough gets its decision now.
      if (this.replaying) return
      for (const track of this.sortedTracks()) {
        if (track.listed && track.inBreach && !track.restarting && track.over >= this.options.forSamples) this.decide(track)
      }
    })
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

  /** A dyno over its limit for `--for` readings: restart it unless a guard holds. */
  private decide(track: DynoTrack): void {
    if (track.restarting) return
    releaseLoopBreaker(track, this.options)
    const hold = firstHold(RESTART_GUARDS, this.guardView(track))
    if (hold) {
      if (hold.reason === 'not-in-dyno-list' && !this.refreshAsked.has(track.name)) {
        this.refreshAsked.add(track.name)
        this.out.refreshDynos = true
      }

      if (hold.reason === 'max-parallel') this.enqueue(track)
      this.hold(track, hold.reason, {until: hold.until, waitingFor: hold.waitingFor})
      return
    }

    const time = this.clock
    this.dequeue(track)
    track.restarting = {at: time, by: 'watchdog', instance: track.current}
    addTime(track.restarts, time)
    this.watchdogRestarts.push(time)
    if (this.watchdogRestarts.length > KEPT_WATCHDOG_RESTARTS) this.watchdogRestarts.shift()
    const overBySample = track.value !== undefined && track.value >= (this.limitOf(track) ?? Number.POSITIVE_INFINITY)
    this.emit(track, 'restart', overBySample ? 'over' : 'r14')
    // Samples the old instance still writes (preboot) must not count for the new one.
    if (track.current !== undefined) retire(track, track.current)
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
    if (this.replaying) return
    const limit = this.limitOf(track)
    const decision: Decision = {
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
    }
    for (const [key, value] of Object.entries(extra)) if (value !== undefined) (decision as unknown as Record<string, unknown>)[key] = value
    this.out.decisions.push(decision)
    track.lastShown = `${action}:${reason}`
  }

  private enqueue(track: DynoTrack): void {
    const queue = this.queues.get(track.type) ?? []
    if (!queue.includes(track.name)) queue.push(track.name)
    this.queues.set(track.type, queue)
  }

  private flush(): PolicyStep {
    const step = this.out
    this.out = emptyStep()
    return step
  }

  private guardView(track: DynoTrack): GuardView {
    return {
      now: this.clock,
      options: this.options,
      restartingOfType: type => this.restartingOfType(type).filter(name => name !== track.name),
      track,
      watchdogRestarts: this.watchdogRestarts,
    }
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

  /** Runs `body` in a mode (a replayed history shows and decides nothing) and returns what it asked for. */
  private inMode(mode: 'live' | 'replay', body: () => void): PolicyStep {
    this.replaying = mode === 'replay'
    try {
      body()
    } finally {
      this.replaying = false
    }

    return this.flush()
  }

  private limitOf(track: DynoTrack): number | undefined {
    return limitFor(this.options.thresholds, track.type, this.quotaOf(track))
  }

  private markUp(track: DynoTrack, reason: 'new-instance' | 'state-up' | 'up-timeout'): void {
    const {restarting} = track
    if (!restarting) return
    track.restarting = undefined
    // The new instance's readings start a new count; its first value is known only from a sample.
    resetReadings(track)
    if (reason !== 'new-instance') track.value = undefined
    this.emit(track, 'up', reason, {by: restarting.by})
    this.drain(track.type)
  }

  private onR14(track: DynoTrack, time: number): void {
    if (track.restarting || this.limitOf(track) === undefined) return
    // The old instance's R14s cannot be told from the new one's: none counts just after a restart.
    const last = track.restarts.at(-1)
    if (last !== undefined && time - last < PREBOOT_OVERLAP_MS) return
    this.reading(track, time, true)
  }

  private onRestartLine(track: DynoTrack, time: number): void {
    // Our own restart shows up in the log a moment after the request: that is a confirmation.
    if (track.restarting && time >= track.restarting.at - 1000) return
    const newest = track.restarts.at(-1)
    addTime(track.restarts, time)
    // Older than a restart already known (history read after the dyno list, a reconnect's replay): nothing in flight.
    if (newest !== undefined && time <= newest) return
    if (track.current !== undefined) retire(track, track.current)
    track.restarting = {at: time, by: 'platform', sentAt: time}
    resetReadings(track)
    this.dequeue(track)
    if (!this.replaying && track.lastShown?.startsWith('hold:')) track.lastShown = undefined
  }

  private onSample(track: DynoTrack, sample: MemorySample): void {
    const {instance} = sample
    let newInstance = false
    if (instance !== undefined) {
      if (track.retired.includes(instance)) return
      if (instance !== track.current) {
        if (track.current !== undefined) retire(track, track.current)
        track.current = instance
        resetReadings(track)
        newInstance = true
      }
    }

    track.quota = effectiveQuota(sample.quota, track.size)
    track.value = metricOf(sample, this.options.metric)
    if (newInstance && track.restarting) this.markUp(track, 'new-instance')
    const limit = this.limitOf(track)
    if (limit === undefined) return
    this.reading(track, sample.time, track.value >= limit)
  }

  private quotaOf(track: DynoTrack): number {
    return track.quota ?? effectiveQuota(undefined, track.size)
  }

  /** One reading of a dyno: a sample, or an R14 (merged with a sample of the same moment). */
  private reading(track: DynoTrack, time: number, over: boolean): void {
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
        if (wasOver) this.emit(track, 'recovered', 'under')
        return
      }

      track.over++
    }

    if (track.over < this.options.forSamples) {
      this.emit(track, 'watch', 'over')
      return
    }

    if (!track.inBreach) noteCrossing(track, time, this.options)
    if (!this.replaying) this.decide(track)
  }

  private restartingOfType(type: string): string[] {
    const names: string[] = []
    for (const track of this.dynos.values()) if (track.type === type && track.restarting) names.push(track.name)
    return names.sort()
  }

  private sortedTracks(): DynoTrack[] {
    return [...this.dynos.values()].sort(compareDynoNames)
  }

  /** Moves the clock and frees slots of restarts that never showed a new instance. */
  private tick(now: number): void {
    if (now > this.clock) this.clock = now
    for (const track of this.dynos.values()) {
      const {restarting} = track
      if (!restarting || restarting.sentAt === undefined) continue
      if (this.clock - restarting.sentAt > this.options.upTimeoutMs) {
        this.out.refreshDynos = true
        this.markUp(track, 'up-timeout')
      }
    }
  }

  private trackOf(name: string, type: string): DynoTrack {
    let track = this.dynos.get(name)
    if (!track) {
      track = newTrack(name, type)
      this.dynos.set(name, track)
    }

    return track
  }
}
