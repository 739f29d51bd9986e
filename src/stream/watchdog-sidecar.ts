/**
 * mem:restart-over --record and --notify: the recorder and the alerts, fed from the watchdog's own
 * log stream (no second stream) and its decisions. The watchdog's first rule is that it never does
 * harm, so everything here stays off its path:
 * - events and decisions are handed over synchronously, after the policy has acted on them, and
 *   only queued here; an error here is a note, never the watchdog's;
 * - the store is opened in the background, and every open or write has a deadline: a store that is
 *   down or hangs costs buffered events (bounded), never a wait;
 * - alerts are posted by their own queue (notify/alert-sender.ts);
 * - on stop, the last batch and the last alerts get EXIT_BUDGET_MS together, then are given up.
 */
import type {LogEvent} from '../core/events.js'
import type {RecorderNotice} from '../core/ports/recorder-status.js'
import type {StreamNotice} from '../core/ports/stream-notice.js'
import type {BlindState, WatchdogOutput} from '../core/ports/watchdog-output.js'
import type {Decision, WatchdogSummary} from '../core/watchdog/decision.js'
import type {HerokuApi} from '../heroku/api.js'
import type {MemoryStore, RecordBatch} from '../store/memory-store.js'
import type {RecordSink} from './recorder.js'

import {openStore} from '../store/open-store.js'
import {Alerting, type AlertSettings} from './alerting.js'
import {Recorder} from './recorder.js'
import {withDeadline} from './with-deadline.js'

/** A store open or write that takes longer fails (and is retried with backoff, the events kept). */
export const STORE_DEADLINE_MS = 5000
/** On stop, what the last batch and the last alerts may add to the watchdog's exit, together. */
export const EXIT_BUDGET_MS = 3000
/** The alert rules' wall-clock checks (a silent app) run this often. */
const TICK_MS = 1000

export interface SidecarOptions {
  api: HerokuApi
  app: string
  filter: {dyno?: string; type?: string}
  /** --record: where (`postgres://...` or a SQLite path, as mem:record's --store). */
  storeTarget?: string
  alerts?: AlertSettings
  /** Recorder notices (store down, up, events dropped): for the watchdog's output as notes. */
  onNotice: (notice: RecorderNotice) => void
}

export class WatchdogSidecar {
  private readonly alerting?: Alerting
  private readonly recorder?: Recorder
  private readonly recording?: Promise<number>
  private readonly sink?: LazyStoreSink
  /** Set once stop's budget is spent: what the recorder still says after that is not shown. */
  private silenced = false
  private readonly stopRecording = new AbortController()
  private readonly ticker?: NodeJS.Timeout

  constructor(private readonly options: SidecarOptions) {
    const {alerts, app, storeTarget} = options
    if (storeTarget !== undefined) {
      this.sink = new LazyStoreSink(storeTarget)
      this.recorder = new Recorder({
        api: options.api,
        apps: [app],
        finalFlushMs: EXIT_BUDGET_MS,
        onNotice: notice => {
          if (!this.silenced) options.onNotice(notice)
        },
        recorderId: `watchdog-${process.pid}-${Date.now().toString(36)}`,
        signal: this.stopRecording.signal,
        sink: this.sink,
      })
      this.recording = this.recorder.follow().catch(() => 0)
    }

    if (alerts && alerts.targets.length > 0) {
      this.alerting = new Alerting({
        api: options.api,
        apps: [app],
        filter: options.filter,
        onAlert: alert => options.onNotice({action: alert.action, kind: 'alert', summary: alert.summary}),
        onFailure: message => options.onNotice({kind: 'alert-failed', message}),
        onNote: message => options.onNotice({kind: 'alert-note', message}),
        settings: alerts,
      })
      this.alerting.learnSizes()
      this.ticker = setInterval(() => this.guarded(() => this.alerting!.tick()), TICK_MS)
      this.ticker.unref()
    }
  }

  /** The watchdog's tap (WatchdogRunOptions.tap): the history is recorded; live events are recorded and alerted on. */
  readonly tap = (event: LogEvent, phase: 'history' | 'live'): void => {
    this.guarded(() => {
      this.recorder?.feed(this.options.app, event)
      if (phase === 'live') this.alerting?.onEvent(this.options.app, event)
    })
  }

  /** Ends recording and alerting: the last batch and alerts get EXIT_BUDGET_MS, then are given up. */
  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker)
    this.stopRecording.abort()
    let timer: NodeJS.Timeout | undefined
    const budget = new Promise<void>(resolve => {
      timer = setTimeout(resolve, EXIT_BUDGET_MS)
    })
    await Promise.race([Promise.all([this.recording, this.alerting?.stop(EXIT_BUDGET_MS)]), budget])
    clearTimeout(timer)
    this.silenced = true
    const unwritten = this.recorder?.status.buffered ?? 0
    if (unwritten > 0) this.options.onNotice({kind: 'alert-note', message: `the store did not take the last ${unwritten} events before the exit`})
    await this.sink?.close()
  }

  /** The watchdog's output, with its decisions sent to the alerts and its stream notices to the recorder. */
  wrap(output: WatchdogOutput): WatchdogOutput {
    const {app} = this.options
    return {
      blind: (state: BlindState) => output.blind(state),
      decision: (decision: Decision) => {
        output.decision(decision)
        this.guarded(() => this.alerting?.onDecision(app, decision))
      },
      note: (message: string) => output.note(message),
      stream: (notice: StreamNotice) => {
        output.stream(notice)
        this.guarded(() => this.recorder?.feedNotice(app, notice))
      },
      summary: (summary: WatchdogSummary, extra: {exitCode?: number}) => output.summary(summary, extra),
    }
  }

  /** Runs recording or alerting work; what it throws becomes a note, never the watchdog's error. */
  private guarded(work: () => void): void {
    try {
      work()
    } catch (error) {
      this.options.onNotice({kind: 'alert-note', message: `recording or alerting failed, the watchdog goes on: ${(error as Error).message}`})
    }
  }
}

/**
 * The store, opened at the first write rather than before the watchdog starts: an unreachable
 * Postgres is then one more failed write (retried, events kept), not a watchdog that never starts.
 */
class LazyStoreSink implements RecordSink {
  private opening?: Promise<MemoryStore>

  constructor(private readonly target: string) {}

  /** Closes the store if it opened (in the background when it is still opening or hung). */
  async close(): Promise<void> {
    const {opening} = this
    this.opening = undefined
    if (!opening) return
    const closing = opening.then(store => store.close()).catch(() => {})
    await withDeadline(closing, 1000).catch(() => {})
  }

  async write(batch: RecordBatch): Promise<void> {
    const store = await withDeadline(this.open(), STORE_DEADLINE_MS)
    await withDeadline(store.write(batch), STORE_DEADLINE_MS)
  }

  private open(): Promise<MemoryStore> {
    this.opening ??= openStore(this.target).catch(error => {
      this.opening = undefined
      throw error
    })
    return this.opening
  }
}
