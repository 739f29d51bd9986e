/**
 * Delivers alerts to every --notify target without ever holding up the recorder: `send` only
 * queues; one delivery loop per target posts in order, retrying a failed post with backoff. The
 * queue is bounded (the oldest alerts go first when a target is down for long), and failures are
 * reported by the target's label, never its URL.
 */
import type {Alert} from '../core/alerts/alert-monitor.js'

import {abortableSleep} from '../abortable-sleep.js'
import {alertBody, type AlertTarget} from './alert-targets.js'

export interface AlertSenderOptions {
  /** Tries per alert (default 5), waiting 1, 2, 4, 8 s between them (`retryBaseMs`). */
  attempts?: number
  retryBaseMs?: number
  /** Alerts held per target (default 100). */
  maxQueued?: number
  /** A post that takes longer fails (default 10 s). */
  timeoutMs?: number
  onFailure?: (message: string) => void
}

interface TargetQueue {
  target: AlertTarget
  queue: Alert[]
  running?: Promise<void>
}

export class AlertSender {
  delivered = 0
  private readonly queues: TargetQueue[]
  /** Aborted when a drain's time is up: posts in flight end, nothing is retried or started. */
  private readonly stopped = new AbortController()

  constructor(targets: AlertTarget[], private readonly options: AlertSenderOptions = {}) {
    this.queues = targets.map(target => ({queue: [], target}))
  }

  /**
   * Waits (at most `ms`) for what is queued to go out: on stop, the last alerts still leave. Then
   * whatever is left is given up, posts in flight included: a webhook that hangs, or answers 500
   * for ever, must not keep the process from exiting.
   */
  async drain(ms: number): Promise<void> {
    const running = Promise.all(this.queues.map(queue => queue.running))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([running, new Promise(resolve => {
      timer = setTimeout(resolve, ms)
    })])
    clearTimeout(timer)
    this.stopped.abort()
    const left = this.queues.reduce((sum, entry) => sum + entry.queue.length, 0)
    if (left > 0) this.options.onFailure?.(`gave up on ${left} alert${left === 1 ? '' : 's'} not yet delivered at exit`)
    for (const entry of this.queues) entry.queue.length = 0
  }

  send(alert: Alert): void {
    if (this.stopped.signal.aborted) return
    for (const entry of this.queues) {
      entry.queue.push(alert)
      const excess = entry.queue.length - (this.options.maxQueued ?? 100)
      if (excess > 0) {
        entry.queue.splice(0, excess)
        this.options.onFailure?.(`${entry.target.label}: too many alerts waiting, dropped the ${excess} oldest`)
      }

      entry.running ??= this.deliver(entry).finally(() => {
        entry.running = undefined
      })
    }
  }

  private async deliver(entry: TargetQueue): Promise<void> {
    const attempts = this.options.attempts ?? 5
    const base = this.options.retryBaseMs ?? 1000
    const {signal} = this.stopped
    while (entry.queue.length > 0 && !signal.aborted) {
      const alert = entry.queue[0]
      let failure = ''
      for (let attempt = 1; attempt <= attempts && !signal.aborted; attempt++) {
        failure = await this.post(entry.target, alert)
        if (!failure) break
        if (attempt < attempts) await abortableSleep(base * 2 ** (attempt - 1), signal)
      }

      if (signal.aborted) return
      entry.queue.shift()
      const what = `the ${alert.kind} alert for ${alert.app}${alert.dyno ? ` ${alert.dyno}` : ''}`
      if (failure) this.options.onFailure?.(`${entry.target.label}: could not deliver ${what} after ${attempts} tries (${failure})`)
      else this.delivered++
    }
  }

  /** One POST; '' when delivered, else why not (status or network error, no URL). Ends at its timeout, or at once when the sender stops. */
  private async post(target: AlertTarget, alert: Alert): Promise<string> {
    const abort = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      abort.abort()
    }, this.options.timeoutMs ?? 10_000)
    const stop = () => abort.abort()
    this.stopped.signal.addEventListener('abort', stop, {once: true})
    try {
      // eslint-disable-next-line n/no-unsupported-features/node-builtins -- fetch is on by default (and no longer warns) from Node 18 on; this plugin needs 20
      const response = await fetch(target.url, {
        body: JSON.stringify(alertBody(target, alert)),
        headers: {'content-type': 'application/json', 'user-agent': 'heroku-mem'},
        method: 'POST',
        signal: abort.signal,
      })
      await response.arrayBuffer().catch(() => {})
      return response.ok ? '' : `HTTP ${response.status}`
    } catch (error) {
      const {cause} = error as {cause?: {code?: string}}
      return timedOut ? 'timed out' : (cause?.code ?? 'network error')
    } finally {
      clearTimeout(timer)
      this.stopped.signal.removeEventListener('abort', stop)
    }
  }
}
