import type {LogEvent, MemoryReading, MemorySample} from '../events.js'
import type {
  DynoInfo, PolicyStep, RestartOutcome, WatchdogSummary,
} from './decision.js'
import type {GuardView} from './guards.js'

import {compareDynoNames} from '../dyno-state.js'
import {processTypeOf} from '../events.js'
import {limitsForSize, quotaFromReading} from '../quotas.js'
import {DecisionLog} from './decision-log.js'
import {
  addRestart, type DynoTrack, newTrack, resetReadings, retire,
} from './dyno-track.js'
import {
  firstHold, isStaleReading, RESTART_GUARDS, SEND_GUARDS,
} from './guards.js'
import {LogClock} from './log-clock.js'
import {noteCrossing, releaseLoopBreaker} from './loop-breaker.js'
import {POLICY_DEFAULTS, type RestartPolicyOptions} from './options.js'
import {exportPolicy, type PersistedPolicy, restorePolicy} from './persisted-state.js'
import {
  countReading, followInstance, justRestarted, processRunningIsOver,
} from './readings.js'
import {RestartLedger} from './restart-ledger.js'
import {RestartQueues} from './restart-queues.js'
import {describeThreshold, limitFor, metricOf} from './threshold.js'

/** A listed dyno up for longer than this without a reading in the log means the log is not being read. */
const READING_EXPECTED_AFTER_MS = 60_000
/**
 * Dyno states in which a dyno logs no samples. Any other state, unknown or missing ones included,
 * is taken as running: a dyno list that does not say must never let `--once` report "nothing over"
 * about a dyno it did not read.
 */
const NOT_RUNNING_STATES = new Set(['crashed', 'down', 'idle', 'starting'])

/**
 * Decides which dyno to restart and when, from the platform's log events, as a pure state
 * machine: time is the log's own clock (LogClock), so a replayed history, a simulated clock and a
 * skewed local clock all behave the same. The shell feeds events, asks before each restart goes
 * out (`confirmSend`: the guards again, on the newest readings), and reports each outcome back.
 * The guards are the named checks of guards.ts.
 */
export class RestartPolicy {
  private readonly dynos = new Map<string, DynoTrack>()
  private readonly log: DecisionLog
  private readonly logClock = new LogClock()
  private readonly options: RestartPolicyOptions
  private readonly queues = new RestartQueues()
  /** Readings seen so far, all dynos (staleness is judged by what the others logged since). */
  private readingSeq = 0
  /** Unlisted dyno names that already asked for a refresh of the list. */
  private readonly refreshAsked = new Set<string>()
  private readonly ledger = new RestartLedger()

  constructor(options: Partial<RestartPolicyOptions> & Pick<RestartPolicyOptions, 'thresholds'>) {
    this.options = {...POLICY_DEFAULTS, ...options}
    if (this.options.forSamples < 1) this.options.forSamples = 1
    this.log = new DecisionLog(track => ({
      limit: this.limitOf(track), need: this.options.forSamples, quota: this.quotaOf(track), threshold: describeThreshold(this.options.thresholds, track.type),
    }), () => this.clock)
  }

  /** Latest log time believed. */
  get clock(): number {
    return this.logClock.now
  }

  /** Moves the clock on (e.g. at the end of a history) and handles restarts that never came up. */
  advance(now: number): PolicyStep {
    this.tick(now)
    return this.log.flush()
  }

  /**
   * Just before a decided restart goes out: every send guard again, on the newest readings and
   * whatever happened meanwhile (a restart by the platform or another watchdog, a recovery, the
   * cap filled). `send` false: dropped, with a decision saying why.
   */
  confirmSend(dyno: string): {send: boolean; step: PolicyStep} {
    const track = this.dynos.get(dyno)
    if (!track?.pending) return {send: false, step: this.log.flush()}
    const drop = (reason: 'under' | Parameters<DecisionLog['emit']>[2], extra = {}) => {
      track.pending = undefined
      this.log.emit(track, 'skip', reason, {note: 'when the restart was about to go out', ...extra})
      this.drainQueue(track.type)
      return {send: false, step: this.log.flush()}
    }

    // A limit that grew since the decision (the dyno read gave a size the list did not, a resize) judges the newest value again.
    const limit = this.limitOf(track)
    const raised = limit !== undefined && track.pending.limit !== undefined && limit > track.pending.limit
    if (track.over < this.options.forSamples || (raised && track.value !== undefined && track.value < limit)) return drop('under')
    const hold = firstHold(SEND_GUARDS, this.guardView(track))
    // Restarting already (the platform, another watchdog) counts whatever the cooldown says.
    if (hold?.reason === 'cooldown' || track.restarting) return drop('restarted-meanwhile', {until: hold?.until})
    if (hold?.reason === 'max-parallel') this.queues.add(track)
    if (hold) return drop(hold.reason, {until: hold.until, waitingFor: hold.waitingFor})
    track.pending = undefined
    this.ledger.send(track, this.clock)
    return {send: true, step: this.log.flush()}
  }

  /**
   * `--once`: after the history has been replayed, decide on each dyno's latest readings.
   * Guards still apply: cooldowns and loop counts come from the restarts seen in the history
   * and the dyno list.
   */
  decideNow(): PolicyStep {
    this.tick(this.clock)
    const tracks = this.sortedTracks()
    const reporting = tracks.filter(track => track.lastReadingSeq !== undefined).length
    for (const track of tracks) {
      if (this.limitOf(track) === undefined || track.lastReadingAt === undefined) continue
      if (isStaleReading(track, this.readingSeq - (track.lastReadingSeq ?? 0), reporting - 1, this.clock)) {
        if (track.lastReadingOver) this.log.emit(track, 'skip', 'stale')
        continue
      }

      if (track.over >= this.options.forSamples) this.decide(track)
      else if (track.over > 0) this.log.emit(track, 'watch', 'over')
      else this.log.emit(track, 'ok', 'under')
    }

    return this.log.flush()
  }

  /** One dyno as the API shows it now (read before a restart goes out, and after an answer was lost). */
  dynoRead(info: DynoInfo): PolicyStep {
    const track = this.dynos.get(info.name)
    if (track) this.applyDynoInfo(track, info)
    return this.log.flush()
  }

  exportState(): PersistedPolicy {
    return exportPolicy(this.dynos.values(), this.ledger.times, this.clock)
  }

  /** Feeds one platform event. `replay` (a history being read) updates state but decides nothing. */
  observe(event: LogEvent, mode: 'live' | 'replay' = 'live'): PolicyStep {
    if (event.kind === 'release' || event.kind === 'load') return this.log.flush()
    // One line far from all the others (a wrong date) is not acted on at all.
    if (!this.logClock.admit(event.time)) return this.log.flush()
    return this.inMode(mode, () => {
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

      case 'reading': {
        this.onProcessRunning(track, event)
        break
      }

      case 'dyno': {
        if (event.action === 'restarting' || event.action === 'cycling') this.onRestartLine(track, event.time)
        else if (event.action === 'crashed') addRestart(track.restarts, event.time, 'memory')
        else if (event.action === 'state' && event.to === 'up') {
          addRestart(track.restarts, event.time, 'boot')
          if (track.restarting && event.time >= track.restarting.at) this.markUp(track, 'state-up')
        }

        break
      }
      }

      this.tick(event.time)
    })
  }

  /** The outcome of a restart the policy asked for (after `confirmSend`, or instead of it). */
  restartOutcome(dyno: string, outcome: RestartOutcome, note?: string): PolicyStep {
    const track = this.dynos.get(dyno)
    const sent = track?.restarting?.by === 'watchdog' ? track.restarting : undefined
    if (!track || (!sent && !track.pending)) return this.log.flush()
    if (sent && outcome === 'unconfirmed' && this.ledger.shows(track, sent.at)) outcome = 'restarted'
    if (sent && (outcome === 'restarted' || outcome === 'unconfirmed')) {
      // Either way it counts (it was counted when it went out): a restart whose answer was lost is never sent again.
      if (outcome === 'restarted') this.ledger.confirm(track, sent.at)
      else this.log.emit(track, 'sent', 'unconfirmed', {note})
      return this.log.flush()
    }

    // The restart did not happen (or was never sent): take it back from the counts.
    if (sent) this.ledger.takeBack(track, sent.at, sent.instance)
    if (outcome === 'rate-limited') {
      // Still decided: it goes out later, through confirmSend again.
      track.pending = {at: sent?.at ?? track.pending?.at ?? this.clock, limit: track.pending?.limit ?? this.limitOf(track)}
      return this.log.flush()
    }

    track.pending = undefined
    if (outcome === 'not-found') {
      track.listed = false
      this.log.askRefresh()
    }

    // A 404 may come from a dyno restarting or a platform that acted anyway: held like a failure,
    // so a dyno list that still shows the dyno cannot start a restart every refresh.
    if (outcome === 'failed' || outcome === 'not-found') track.holdUntil = this.clock + this.options.cooldownMs

    if (outcome !== 'stopped') this.log.emit(track, 'skip', outcome as 'failed' | 'not-found', {note})
    this.drainQueue(track.type)
    return this.log.flush()
  }

  /**
   * Merges what an earlier run kept (state file): the larger count and every restart wins. Times
   * far in the future (a clock that was wrong, a hand edit) are ignored; the notes say which.
   */
  restoreState(state: PersistedPolicy, now: number): string[] {
    return restorePolicy(state, name => this.trackOf(name, processTypeOf(name)), this.ledger.times, Math.max(now, this.clock))
  }

  /** The app's current dyno list. Only listed dynos are restarted; `updated_at` counts as a restart. */
  setDynos(dynos: readonly DynoInfo[], mode: 'live' | 'replay' = 'live'): PolicyStep {
    return this.inMode(mode, () => {
      const names = new Set(dynos.map(dyno => dyno.name))
      this.refreshAsked.clear()
      for (const track of this.dynos.values()) track.listed = names.has(track.name)
      for (const info of dynos) this.applyDynoInfo(this.trackOf(info.name, info.type ?? processTypeOf(info.name)), info)
      // A listed dyno already over its limit for long enough gets its decision now.
      if (this.log.replaying) return
      for (const track of this.sortedTracks()) {
        if (track.listed && track.inBreach && !track.restarting && track.over >= this.options.forSamples) this.decide(track)
      }
    })
  }

  summary(): WatchdogSummary {
    const tracks = this.sortedTracks()
    return {
      broken: tracks.filter(track => track.broken).map(track => track.name),
      held: this.log.heldByReason(),
      over: tracks.filter(track => track.lastReadingOver && !track.restarting && this.limitOf(track) !== undefined).map(track => track.name),
      restarted: this.ledger.restarted.map(restart => ({...restart})),
      watched: tracks.filter(track => track.lastReadingAt !== undefined && this.limitOf(track) !== undefined).length,
    }
  }

  /**
   * Listed dynos, up for a while and watched by a threshold, of which the log gave no reading at
   * all. `now`: the wall clock, for when the log gave no line at all.
   */
  unreadDynos(now: number): string[] {
    return this.sortedTracks().filter(track => track.lastReadingAt === undefined && this.expectsReadings(track, now)).map(track => track.name)
  }

  /**
   * Listed dynos, up for a while and watched by a threshold, whose latest reading is stale: the log
   * stopped showing them while they ran (lines lost), so what they use now is unknown.
   */
  silentDynos(now: number): string[] {
    const tracks = this.sortedTracks()
    const reporting = tracks.filter(track => track.lastReadingSeq !== undefined).length
    return tracks.filter(track => track.lastReadingAt !== undefined && !track.restarting && this.expectsReadings(track, now)
      && isStaleReading(track, this.readingSeq - (track.lastReadingSeq ?? 0), reporting - 1, this.clock)).map(track => track.name)
  }

  /** A listed dyno, running for over a minute, watched by a threshold: the log should show its readings. */
  private expectsReadings(track: DynoTrack, now: number): boolean {
    const reference = Math.max(this.clock, now)
    return Boolean(track.listed) && !NOT_RUNNING_STATES.has(track.state ?? '') && this.limitOf(track) !== undefined
      && (track.updatedAt === undefined || reference - track.updatedAt > READING_EXPECTED_AFTER_MS)
  }

  private applyDynoInfo(track: DynoTrack, info: DynoInfo): void {
    track.listed = true
    track.size = info.size ?? track.size
    track.state = info.state ?? track.state
    if (info.updatedAt === undefined || !this.logClock.plausible(info.updatedAt)) return
    track.updatedAt = info.updatedAt
    addRestart(track.restarts, info.updatedAt, info.state === 'starting' ? 'platform' : 'boot')
    if (info.state === 'starting' && !track.restarting) track.restarting = {at: info.updatedAt, by: 'platform', sentAt: info.updatedAt}
    else if (info.state === 'up' && track.restarting && track.restarting.sentAt !== undefined && info.updatedAt >= track.restarting.at) {
      this.markUp(track, 'state-up')
    }
  }

  /** A dyno over its limit for `--for` readings: restart it unless a guard holds. */
  private decide(track: DynoTrack): void {
    if (track.restarting || track.pending) return
    releaseLoopBreaker(track, this.options)
    const hold = firstHold(RESTART_GUARDS, this.guardView(track))
    if (hold) {
      if (hold.reason === 'not-in-dyno-list' && !this.refreshAsked.has(track.name)) {
        this.refreshAsked.add(track.name)
        this.log.askRefresh()
      }

      if (hold.reason === 'max-parallel') this.queues.add(track)
      const relapseMinutes = hold.reason === 'loop-breaker' ? track.relapseGaps.map(gap => Math.round(gap * 10) / 10) : undefined
      this.log.hold(track, hold.reason, {relapseMinutes, until: hold.until, waitingFor: hold.waitingFor})
      return
    }

    this.queues.remove(track)
    track.pending = {at: this.clock, limit: this.limitOf(track)}
    const overBySample = track.value !== undefined && track.value >= (this.limitOf(track) ?? Number.POSITIVE_INFINITY)
    this.log.emit(track, 'restart', overBySample ? 'over' : 'r14')
    this.log.askRestart(track.name)
  }

  /** A slot of this type may be free: the queued dynos still over their limit get their turn. */
  private drainQueue(type: string): void {
    this.queues.drain(type, name => {
      const track = this.dynos.get(name)
      if (!track || track.over < this.options.forSamples) return 'drop'
      this.decide(track)
      return this.restartingOfType(type).length >= this.options.maxParallel ? 'full' : 'next'
    })
  }

  private guardView(track: DynoTrack): GuardView {
    return {
      now: this.clock,
      options: this.options,
      restartingOfType: type => this.restartingOfType(type).filter(name => name !== track.name),
      track,
      watchdogRestarts: this.ledger.times,
    }
  }

  /** Runs `body` in a mode (a replayed history shows and decides nothing) and returns what it asked for. */
  private inMode(mode: 'live' | 'replay', body: () => void): PolicyStep {
    this.log.replaying = mode === 'replay'
    try {
      body()
    } finally {
      this.log.replaying = false
    }

    return this.log.flush()
  }

  private limitOf(track: DynoTrack): number | undefined {
    return limitFor(this.options.thresholds, track.type, this.quotaOf(track))
  }

  private markUp(track: DynoTrack, reason: 'new-instance' | 'state-up' | 'up-timeout'): void {
    const {restarting} = track
    if (!restarting) return
    track.restarting = undefined
    // A new instance after our restart proves it happened, even when its answer was lost.
    if (restarting.by === 'watchdog' && reason !== 'up-timeout') this.ledger.confirm(track, restarting.at)
    // The new instance's readings start a new count; its first value is known only from a sample.
    resetReadings(track)
    if (reason !== 'new-instance') track.value = undefined
    this.log.emit(track, 'up', reason, {by: restarting.by})
    this.drainQueue(track.type)
  }

  /** `Process running mem=`: a reading over the limit when it is one (readings.ts says when); its quota is the platform's. */
  private onProcessRunning(track: DynoTrack, event: MemoryReading): void {
    if (event.percent !== undefined) track.quota ??= quotaFromReading(event.mem, event.percent)
    if (!processRunningIsOver(track, event, this.options.metric, this.limitOf(track))) return
    if (this.options.metric === 'rss+swap') track.value = event.mem
    this.reading(track, event.time, true)
  }

  private onR14(track: DynoTrack, time: number): void {
    // The old instance's R14s cannot be told from the new one's: none counts just after a restart.
    if (track.restarting || this.limitOf(track) === undefined || justRestarted(track, time)) return
    this.reading(track, time, true)
  }

  private onRestartLine(track: DynoTrack, time: number): void {
    // Our own restart shows up in the log a moment after the request: that is a confirmation.
    if (track.restarting?.by === 'watchdog' && time >= track.restarting.at - 1000) return
    const newest = track.restarts.at(-1)
    addRestart(track.restarts, time, 'platform')
    // Older than a restart already known (history read after the dyno list, a reconnect's replay): nothing in flight.
    if (newest !== undefined && time <= newest.at) return
    if (track.current !== undefined) retire(track, track.current)
    track.restarting = {at: time, by: 'platform', sentAt: time}
    resetReadings(track)
    this.queues.remove(track)
    if (!this.log.replaying && track.lastShown?.startsWith('hold:')) track.lastShown = undefined
  }

  private onSample(track: DynoTrack, sample: MemorySample): void {
    const instance = followInstance(track, sample.instance)
    if (instance === 'retired') return
    if (sample.quota !== undefined && sample.quota > 0) track.quota = sample.quota
    track.value = metricOf(sample, this.options.metric)
    if (instance === 'new' && track.restarting) this.markUp(track, 'new-instance')
    const limit = this.limitOf(track)
    if (limit !== undefined) this.reading(track, sample.time, track.value >= limit)
  }

  /** The stated quota, else the size's, else 512 MB (the smallest: a guess, see unknownQuotaGuard). */
  private quotaOf(track: DynoTrack): number {
    return track.quota ?? limitsForSize(track.size)?.quota ?? 512
  }

  /** One reading of a dyno: a sample, or an R14 (merged with a sample of the same moment). */
  private reading(track: DynoTrack, time: number, over: boolean): void {
    track.lastReadingSeq = ++this.readingSeq
    const counted = countReading(track, time, over)
    if (counted === 'ignored') return
    if (counted !== 'over') {
      this.queues.remove(track)
      if (counted === 'recovered') this.log.emit(track, 'recovered', 'under')
    } else if (track.over < this.options.forSamples) {
      this.log.emit(track, 'watch', 'over')
    } else {
      if (!track.inBreach) noteCrossing(track, time, this.options)
      if (!this.log.replaying) this.decide(track)
    }
  }

  /** Dynos of a type holding a slot: restarting, or with a restart decided and not yet sent. */
  private restartingOfType(type: string): string[] {
    const names: string[] = []
    for (const track of this.dynos.values()) if (track.type === type && (track.restarting || track.pending)) names.push(track.name)
    return names.sort()
  }

  private sortedTracks(): DynoTrack[] {
    return [...this.dynos.values()].sort(compareDynoNames)
  }

  /** Moves the clock and frees slots of restarts that never showed a new instance. */
  private tick(now: number): void {
    if (now > this.logClock.now) this.logClock.admit(now)
    for (const track of this.dynos.values()) {
      const {restarting} = track
      if (!restarting || restarting.sentAt === undefined) continue
      if (this.clock - restarting.sentAt > this.options.upTimeoutMs) {
        this.log.askRefresh()
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
