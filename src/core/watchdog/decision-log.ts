import type {
  Decision, DecisionAction, DecisionReason, PolicyStep, WatchdogSummary,
} from './decision.js'
import type {DynoTrack} from './dyno-track.js'

import {emptyStep} from './decision.js'

/** What every decision about a dyno says besides its action: its limit, quota and threshold. */
export type DecisionContext = (track: DynoTrack) => Pick<Decision, 'limit' | 'need' | 'quota' | 'threshold'>

/**
 * The policy's output being gathered: decisions (a repeated hold shown once), restarts asked for,
 * a refresh of the dyno list, and which dynos each guard held. Silent while a history is replayed.
 */
export class DecisionLog {
  /** A history being replayed: state is updated, nothing is decided or shown. */
  replaying = false
  private readonly held = new Map<DecisionReason, Set<string>>()
  private out: PolicyStep = emptyStep()

  constructor(private readonly context: DecisionContext, private readonly clock: () => number) {}

  askRefresh(): void {
    this.out.refreshDynos = true
  }

  askRestart(dyno: string): void {
    this.out.restarts.push(dyno)
  }

  emit(track: DynoTrack, action: DecisionAction, reason: DecisionReason, extra: Partial<Decision> = {}): void {
    if (this.replaying) return
    const decision: Decision = {
      action,
      dyno: track.name,
      instance: track.current,
      over: track.over,
      reason,
      time: this.clock(),
      type: track.type,
      value: track.value,
      ...this.context(track),
    }
    for (const [key, value] of Object.entries(extra)) if (value !== undefined) (decision as unknown as Record<string, unknown>)[key] = value
    this.out.decisions.push(decision)
    track.lastShown = `${action}:${reason}`
  }

  flush(): PolicyStep {
    const step = this.out
    this.out = emptyStep()
    return step
  }

  heldByReason(): WatchdogSummary['held'] {
    const held: WatchdogSummary['held'] = {}
    for (const [reason, names] of this.held) held[reason] = [...names].sort()
    return held
  }

  /** A guard holds the restart: shown once for as long as the same guard holds. */
  hold(track: DynoTrack, reason: DecisionReason, extra: Partial<Decision> = {}): void {
    let names = this.held.get(reason)
    if (!names) {
      names = new Set()
      this.held.set(reason, names)
    }

    names.add(track.name)
    if (track.lastShown === `hold:${reason}`) return
    this.emit(track, 'hold', reason, extra)
  }
}
