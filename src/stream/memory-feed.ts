import type {LogEvent} from '../core/events.js'
import type {FeedUpdate} from '../core/ports/feed-update.js'
import type {HerokuApi} from '../heroku/api.js'

import {DynoBoard} from '../core/dyno-state.js'
import {readLog} from './read-log.js'

/** Samples come every ~20 s: a dyno quiet for this long (on the log's clock) has stopped reporting. */
export const SILENT_AFTER_MS = 70_000
/** A dyno silent this long is gone (scaled down, a finished one-off dyno): forget it. */
export const FORGET_AFTER_MS = 3_600_000

export interface MemoryFeedOptions {
  app: string
  dyno?: string
  lines?: number
  onUpdate: (update: FeedUpdate) => void
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
  private readonly silent = new Set<string>()

  constructor(private readonly api: HerokuApi, private readonly options: MemoryFeedOptions) {
    this.board = new DynoBoard(60, options.sizes)
  }

  async run(): Promise<void> {
    const {options} = this
    await readLog({
      app: options.app, dyno: options.dyno, kind: options.tail ? 'tail' : 'history', lines: options.lines, type: options.type,
    }, {
      api: this.api,
      onEvent: event => this.onEvent(event),
      onNotice: notice => options.onUpdate({kind: 'stream', notice}),
      signal: options.signal,
    })
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
    if (advanced) this.checkSilence()
  }
}
