import type {Decision, WatchdogSummary} from '../watchdog/decision.js'
import type {StreamNotice} from './stream-notice.js'

/**
 * Where the watchdog's decisions, notices and summary go: stream/ writes to it, render/ implements
 * it (text or JSON lines), so the port lives below both.
 */
/** The watchdog cannot see the log (a stream stalled, refused, reconnecting), or sees it again. */
export interface BlindState {
  blind: boolean
  /** When seeing again: how long it was blind. */
  blindForMs?: number
  reason: string
}

export interface WatchdogOutput {
  /** Said once when the watchdog goes blind, once when it sees again. */
  blind(state: BlindState): void
  decision(decision: Decision): void
  /** Something the user should know that is not a decision: a restart sent, a refresh, a state file ignored. */
  note(message: string): void
  stream(notice: StreamNotice): void
  summary(summary: WatchdogSummary, extra: {exitCode?: number}): void
}
