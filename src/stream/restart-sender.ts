import type {PolicyStep} from '../core/watchdog/decision.js'
import type {RestartPolicy} from '../core/watchdog/policy.js'

import {abortableSleep} from '../abortable-sleep.js'
import {UserError} from '../errors.js'
import {
  describeApiError, HerokuApi, RateLimitedError, type RestartAnswer,
} from '../heroku/api.js'
import {dynoInfos} from '../heroku/restart-state.js'

/** A rate-limited restart (the platform did not act) is offered again after this long when no Retry-After says. */
const RATE_LIMIT_RETRY_MS = 60_000
/** After Ctrl-C, a restart in flight has this long to get its answer; then it is abandoned (and counted). */
const STOP_GRACE_MS = 2000

export interface RestartSenderOptions {
  api: HerokuApi
  app: string
  /** Carries out what the policy asks for after each step (decisions, restarts, refresh). */
  apply: (step: PolicyStep) => void
  /** Random wait before the dyno is read and the restart sent (two watchdogs on one app rarely read at once). */
  jitterMs: number
  note: (message: string) => void
  /** 401/403: nothing will get better by waiting. */
  onFatal: (error: Error) => void
  policy: RestartPolicy
  save: () => Promise<void>
  signal: AbortSignal
}

/**
 * Sends the restarts the policy decides, one task per dyno so a slow answer for one dyno never
 * holds up another's restart (the policy's max-parallel bounds how many run). Each restart:
 * read the dyno, ask the policy again (`confirmSend`: every guard on the newest readings), send
 * it once, and when the answer is lost read the dyno again to learn what happened. Never sent
 * twice: a restart is not idempotent.
 */
export class RestartSender {
  private readonly abandon = new AbortController()
  private readonly inFlight = new Map<string, Promise<void>>()

  constructor(private readonly options: RestartSenderOptions) {
    options.signal.addEventListener('abort', () => {
      setTimeout(() => this.abandon.abort(), STOP_GRACE_MS).unref()
    }, {once: true})
  }

  /** Resolves once no restart is in flight (each is bounded by the API deadline and the stop). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values())
  }

  /** Sends the dyno's decided restart; one decided while the dyno's previous task ends goes after it, never beside it. */
  start(dyno: string): void {
    const previous = this.inFlight.get(dyno) ?? Promise.resolve()
    const task: Promise<void> = previous.then(() => this.send(dyno)).catch(error => {
      this.options.note(`the restart of ${dyno} failed: ${describeApiError(error)}`)
    }).finally(() => {
      if (this.inFlight.get(dyno) === task) this.inFlight.delete(dyno)
    })
    this.inFlight.set(dyno, task)
  }

  /**
   * The dyno as it is now, to the policy; false when the restart must not go (the outcome is
   * reported). Before a restart, only a dyno the API shows by its name, up (or already starting:
   * the policy then drops the restart), may be restarted: an answer that is not this dyno, or a
   * dyno crashed, down or idle, is no ground to restart it (a restart would start a stopped dyno,
   * or double the platform's own restart of a crashed one). A read refused with 429 (the platform
   * did nothing) says how long to wait before the restart is offered again, as a 429 restart does.
   */
  private async readDyno(dyno: string, signal: AbortSignal, before: boolean): Promise<boolean | {rateLimitedMs: number}> {
    const {api, app, apply, policy} = this.options
    try {
      const [info] = dynoInfos([await api.getDyno(app, dyno, signal)])
      const same = info?.name === dyno
      if (same) apply(policy.dynoRead(info))
      if (!before || (same && (info.state === 'up' || info.state === 'starting'))) return true
      const shown = same ? `it ${info.state ? `is ${info.state}` : 'has no state'}, not up` : 'an answer that is not this dyno'
      apply(policy.restartOutcome(dyno, 'failed', `the dyno read before restarting it showed ${shown}: not sent`))
      return false
    } catch (error) {
      if (!before) return false
      const status = error instanceof UserError ? error.status : undefined
      if (error instanceof RateLimitedError && !this.options.signal.aborted) {
        apply(policy.restartOutcome(dyno, 'rate-limited'))
        return {rateLimitedMs: error.retryAfterMs ?? RATE_LIMIT_RETRY_MS}
      }

      if (status === 404) apply(policy.restartOutcome(dyno, 'not-found'))
      else if (this.options.signal.aborted) apply(policy.restartOutcome(dyno, 'stopped'))
      else {
        if (status === 401 || status === 403) this.options.onFatal(error as Error)
        apply(policy.restartOutcome(dyno, 'failed', `could not read the dyno before restarting it: ${describeApiError(error)}`))
      }

      return false
    }
  }

  private async send(dyno: string): Promise<void> {
    const {api, app, apply, jitterMs, policy, save, signal} = this.options
    for (;;) {
      if (jitterMs > 0) await abortableSleep(Math.random() * jitterMs, signal)
      if (signal.aborted) {
        apply(policy.restartOutcome(dyno, 'stopped'))
        return
      }

      const read = await this.readDyno(dyno, signal, true)
      if (typeof read === 'object') {
        await this.waitRateLimited(dyno, read.rateLimitedMs)
        continue
      }

      if (!read) return
      const {send, step} = policy.confirmSend(dyno)
      apply(step)
      if (!send) return
      let answer: RestartAnswer
      try {
        answer = await api.restartDyno(app, dyno, this.abandon.signal)
      } catch (error) {
        const {status} = error as UserError
        if (status === 401 || status === 403) this.options.onFatal(error as Error)
        apply(policy.restartOutcome(dyno, 'failed', describeApiError(error)))
        return
      }

      switch (answer.kind) {
      case 'restarted':
      case 'not-found': {
        apply(policy.restartOutcome(dyno, answer.kind))
        await save()
        return
      }

      case 'rate-limited': {
        // Refused before acting: safe to offer again, through every guard again.
        apply(policy.restartOutcome(dyno, 'rate-limited'))
        await this.waitRateLimited(dyno, answer.retryAfterMs ?? RATE_LIMIT_RETRY_MS)
        continue
      }

      case 'unknown': {
        // The platform may have acted: what the dyno shows decides how it is told, never a second request.
        await this.readDyno(dyno, this.abandon.signal, false)
        apply(policy.restartOutcome(dyno, 'unconfirmed', answer.reason))
        await save()
        return
      }
      }
    }
  }

  /** The platform refused (429) before acting: the restart is offered again after the wait, through every check again. */
  private async waitRateLimited(dyno: string, waitMs: number): Promise<void> {
    this.options.note(`rate limited by the Heroku API: the restart of ${dyno} is offered again in ${Math.round(waitMs / 1000)}s, if still needed then`)
    await abortableSleep(waitMs, this.options.signal)
  }
}
