import type {WatchdogSummary} from './decision.js'
import type {DynoTrack} from './dyno-track.js'

import {addRestart, KEPT_WATCHDOG_RESTARTS, retire} from './dyno-track.js'

/** A dyno read after a lost answer shows our restart if it changed state this close to (or after) it. */
const RESTART_SEEN_SLACK_MS = 5000

/**
 * The watchdog's own restarts: counted the moment one goes out (for the cooldown, the hourly cap
 * and the summary), confirmed by the API's answer, the dyno or its new instance, or taken back
 * when the platform did not act (a 429, a failure before sending).
 */
export class RestartLedger {
  /** What the summary reports: every restart that went out; `unconfirmed` until something showed it. */
  readonly restarted: WatchdogSummary['restarted'] = []
  /** Log times of the watchdog's restarts, oldest first (the hourly cap). */
  readonly times: number[] = []

  confirm(track: DynoTrack, at: number): void {
    addRestart(track.restarts, at, 'watchdog')
    track.restartedByWatchdog = true
    const entry = this.restarted.find(restart => restart.dyno === track.name && restart.time === at)
    if (entry) delete entry.unconfirmed
  }

  /** A restart goes out now: the dyno's slot stays taken until its new instance is up. */
  send(track: DynoTrack, time: number): void {
    track.restarting = {
      at: time, by: 'watchdog', instance: track.current, sentAt: time,
    }
    addRestart(track.restarts, time, 'unconfirmed')
    // Two dynos restarted at one log time are two restarts for the cap.
    this.times.push(time)
    if (this.times.length > KEPT_WATCHDOG_RESTARTS) this.times.shift()
    this.restarted.push({dyno: track.name, time, unconfirmed: true})
    // Samples the old instance still writes (preboot) must not count for the new one.
    if (track.current !== undefined) retire(track, track.current)
  }

  /** The dyno (as last read) changed state at or after our restart: the restart happened. */
  shows(track: DynoTrack, at: number): boolean {
    return track.state === 'starting' || (track.updatedAt !== undefined && track.updatedAt >= at - RESTART_SEEN_SLACK_MS)
  }

  /** A restart that did not happen comes off the counts, and the replaced instance is followed again. */
  takeBack(track: DynoTrack, at: number, instance: string | undefined): void {
    track.restarting = undefined
    if (instance !== undefined && track.current === undefined) {
      track.retired = track.retired.filter(retired => retired !== instance)
      track.current = instance
    }

    track.restarts = track.restarts.filter(mark => !(mark.at === at && (mark.cause === 'unconfirmed' || mark.cause === 'watchdog')))
    const index = this.times.lastIndexOf(at)
    if (index !== -1) this.times.splice(index, 1)
    const entry = this.restarted.findIndex(restart => restart.dyno === track.name && restart.time === at)
    if (entry !== -1) this.restarted.splice(entry, 1)
  }
}
