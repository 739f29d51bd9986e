import {CLOCK_JUMP_MS, SAMPLE_PERIOD_MS} from './options.js'

/**
 * Lines in a row far behind the clock, spanning at least a sample period of their own time, after
 * which the clock itself is taken to be wrong. The span matters: one dyno whose clock stepped back
 * logs several lines at once (a sample, `Process running`, R14), and the other dynos' lines on time
 * come between its bursts.
 */
const BEHIND_TO_STEP_BACK = 3
const BEHIND_SPAN_MS = SAMPLE_PERIOD_MS

/**
 * The policy's clock: the log's own time, as the newest line says, except that one line far from
 * the others cannot drag it. A line more than CLOCK_JUMP_MS ahead is held back until a second line
 * agrees with it (a real jump, e.g. after a long reconnect, costs one line); lines far behind it
 * do not move it, unless several in a row say the clock itself was wrong.
 */
export class LogClock {
  now = 0
  private ahead?: number
  private behind = 0
  private behindFrom = 0

  /** Whether a line at `time` may be acted on; moves the clock when it may. */
  admit(time: number): boolean {
    if (this.now === 0 || Math.abs(time - this.now) <= CLOCK_JUMP_MS) {
      this.behind = 0
      this.ahead = undefined
      if (time > this.now) this.now = time
      return true
    }

    if (time > this.now) {
      if (this.ahead !== undefined && Math.abs(time - this.ahead) <= CLOCK_JUMP_MS) {
        this.now = Math.max(time, this.ahead)
        this.ahead = undefined
        return true
      }

      this.ahead = time
      return false
    }

    if (this.behind++ === 0) this.behindFrom = time
    if (this.behind >= BEHIND_TO_STEP_BACK && Math.abs(time - this.behindFrom) >= BEHIND_SPAN_MS) {
      this.now = time
      this.behind = 0
    }

    return true
  }

  /** Whether a time from elsewhere (the dyno list, a state file) is believable now: not far in the future. */
  plausible(time: number): boolean {
    return this.now === 0 || time <= this.now + CLOCK_JUMP_MS
  }
}
