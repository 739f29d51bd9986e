import type {LogEvent} from '../core/events.js'
import type {FeedUpdate} from '../core/ports/feed-update.js'
import type {HerokuApi} from '../heroku/api.js'
import type {TrendSeed} from './stored-trend.js'

import {DynoBoard} from '../core/dyno-state.js'
import {inDynoFilter} from '../core/events.js'
import {readLog} from './read-log.js'
import {withDeadline} from './with-deadline.js'

/** Samples come every ~20 s: a dyno quiet for this long (on the log's clock) has stopped reporting. */
export const SILENT_AFTER_MS = 70_000
/** A dyno silent this long is gone (scaled down, a finished one-off dyno): forget it. */
export const FORGET_AFTER_MS = 3_600_000
/** Earlier samples that arrive later than this are not used: the trends have started from the log. */
export const SEED_WAIT_MS = 5000
/** The store is read after the first line is shown, or after this long if none came (a quiet log, -n 0). */
export const SEED_START_MS = 3000

export interface MemoryFeedOptions {
  app: string
  dyno?: string
  lines?: number
  onUpdate: (update: FeedUpdate) => void
  /** Reads earlier samples to start trends from (stored-trend.ts); called once the first line is shown. */
  seed?: () => Promise<TrendSeed>
  /** A note for stderr when the store could not be read. */
  onSeedNote?: (note: string) => void
  signal?: AbortSignal
  sizes?: Map<string, string>
  tail: boolean
  type?: string
}

/**
 * The live path of the plugin: log stream -> parser -> per-dyno board. Reports every platform
 * event with the dyno it changed, and a dyno that falls silent (timed on the log's own clock,
 * so a skewed local clock or a replay does not fake silence).
 */
export class MemoryFeed {
  readonly board: DynoBoard
  private clock = 0
  private seedStarted = false
  private readonly silent = new Set<string>()

  constructor(private readonly api: HerokuApi, private readonly options: MemoryFeedOptions) {
    this.board = new DynoBoard(60, options.sizes)
  }

  async run(): Promise<void> {
    const {options} = this
    // Opening the embedded store (WebAssembly) and reading it take the CPU for a few hundred ms: only
    // once the first line is out, so that it waits for nothing.
    const seedTimer = options.seed ? setTimeout(() => this.startSeed(), SEED_START_MS) : undefined
    seedTimer?.unref()
    try {
      await readLog({
        app: options.app, dyno: options.dyno, kind: options.tail ? 'tail' : 'history', lines: options.lines, type: options.type,
      }, {
        api: this.api,
        onEvent: event => this.onEvent(event),
        onNotice: notice => options.onUpdate({kind: 'stream', notice}),
        signal: options.signal,
      })
    } finally {
      clearTimeout(seedTimer)
    }
  }

  private startSeed(): void {
    if (this.seedStarted || !this.options.seed || this.options.signal?.aborted) return
    this.seedStarted = true
    this.seedTrends(this.options.seed())
  }

  private async seedTrends(reading: Promise<TrendSeed>): Promise<void> {
    let seed: TrendSeed
    try {
      seed = await withDeadline(reading, SEED_WAIT_MS)
    } catch {
      seed = {note: `mem:tail: the recorded history did not answer within ${SEED_WAIT_MS / 1000}s: trends start from the log`, samples: []}
    }

    if (this.options.signal?.aborted) return
    if (seed.note) this.options.onSeedNote?.(seed.note)
    this.board.seed(seed.samples.filter(sample => inDynoFilter(sample.dyno, this.options)))
  }

  private checkSilence(): void {
    for (const dyno of this.board.list()) {
      const quietFor = this.clock - dyno.lastEventTime
      if (quietFor > FORGET_AFTER_MS) {
        this.board.forget(dyno.name)
        this.silent.delete(dyno.name)
        this.options.onUpdate({kind: 'forgotten', name: dyno.name})
        continue
      }

      if (this.silent.has(dyno.name)) continue
      if (dyno.lastEventTime > 0 && quietFor > SILENT_AFTER_MS) {
        this.silent.add(dyno.name)
        this.options.onUpdate({dyno, kind: 'silent', since: dyno.lastEventTime})
      }
    }
  }

  private onEvent(event: LogEvent): void {
    if (event.kind === 'release') return
    const dyno = this.board.apply(event)
    if (!dyno) return
    this.silent.delete(dyno.name)
    const advanced = event.time > this.clock
    if (advanced) this.clock = event.time
    this.options.onUpdate({dyno, event, kind: 'event'})
    if (!this.seedStarted && this.options.seed) setImmediate(() => this.startSeed())
    if (advanced) this.checkSilence()
  }
}
