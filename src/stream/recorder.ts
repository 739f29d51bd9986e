/**
 * mem:record's shell: each app's live log through the one log path (readLog: reconnects,
 * de-duplication, gap notices) -> memory samples and platform events -> batched, idempotent
 * writes to the store, with the spans of the log it saw. Router lines are not kept: they go into
 * mem:blame's per-dyno intervals (IntervalBuilder), and the finished intervals are stored instead. A store that stops answering (Postgres
 * restarting) does not stop the recording: events wait in memory, bounded, and the writes are
 * retried with backoff.
 */
import type {StoredInterval} from '../core/blame/stored-intervals.js'
import type {LogEvent, RouterRequest} from '../core/events.js'
import type {RecorderNotice, RecorderStatus} from '../core/ports/recorder-status.js'
import type {StreamNotice} from '../core/ports/stream-notice.js'
import type {HerokuApi} from '../heroku/api.js'
import type {CoverageSegment, RecordBatch} from '../store/memory-store.js'

import {abortableSleep} from '../abortable-sleep.js'
import {IntervalBuilder} from '../core/blame/intervals.js'
import {toStoredIntervals} from '../core/blame/stored-intervals.js'
import {HISTORY_LINES, readLog} from './read-log.js'

/** What the recorder needs of a store (MemoryStore; tests may wrap it to inject faults). */
export interface RecordSink {
  write(batch: RecordBatch): Promise<void>
}

export interface RecorderOptions {
  api: HerokuApi
  apps: string[]
  sink: RecordSink
  signal: AbortSignal
  /** Identifies this run in the coverage table. */
  recorderId: string
  /** Lines of the log buffer each app starts from (default 1500: all Logplex keeps). */
  lines?: number
  /** Longest wait before buffered events are written (default 2 s). */
  flushMs?: number
  /** Events held in memory while the store is down; beyond, the oldest are dropped (default 200,000, ~60 MB). */
  maxBuffered?: number
  /** On stop, how long the last batch may wait for a store that does not answer (default 15 s). */
  finalFlushMs?: number
  onEvent?: (app: string, event: LogEvent) => void
  onNotice?: (notice: RecorderNotice) => void
  /** Called after every write attempt and stream notice. */
  onStatus?: (status: RecorderStatus) => void
}

/** A batch this large is written at once instead of waiting for the timer. */
const BATCH_EVENTS = 2000
/** A failing store is retried after 1, 2, 4 ... s, at most this long apart. */
const MAX_RETRY_MS = 30_000
/** On stop, how long the last batch may wait for a store that does not answer. */
const FINAL_FLUSH_MS = 15_000

interface AppRecording {
  app: string
  /** Blame's intervals of this app, when the recorder reads router lines itself (`run`, not `follow`). */
  builder?: IntervalBuilder
  /** Finished intervals not yet written. */
  intervals: StoredInterval[]
  pending: LogEvent[]
  segment: {from: number; index: number; to: number} | undefined
  /** Segments with events not yet written. */
  dirty: Map<number, {from: number; to: number}>
  nextSegment: number
}

export class Recorder {
  private readonly dynos = new Set<string>()
  private failures = 0
  private gaps = 0
  /** Events of the write under way: still waiting for the store until it answers. */
  private inFlight = 0
  private lastSampleAt?: number
  private readonly recordings: AppRecording[]
  private retryAt = 0
  private samplesStored = 0
  private storeDown = false
  private writing?: Promise<void>

  constructor(private readonly options: RecorderOptions) {
    this.recordings = options.apps.map(app => ({
      app, dirty: new Map(), intervals: [], nextSegment: 0, pending: [], segment: undefined,
    }))
  }

  get status(): RecorderStatus {
    return {
      apps: this.recordings.length,
      buffered: this.inFlight + this.recordings.reduce((sum, recording) => sum + recording.pending.length, 0),
      dynos: this.dynos.size,
      gaps: this.gaps,
      lastSampleAt: this.lastSampleAt,
      samplesStored: this.samplesStored,
      storeDown: this.storeDown,
    }
  }

  /** Records until the signal, then writes what is left; resolves with what could not be written (0 normally). */
  async run(): Promise<number> {
    const {options} = this
    const flushMs = options.flushMs ?? 2000
    const timer = setInterval(() => this.flushSoon(), flushMs)
    // One app's stream failing for good (its app deleted, the token revoked) stops the others too,
    // and what was read is still written before the error is reported.
    const stop = new AbortController()
    const onStop = () => stop.abort()
    options.signal.addEventListener('abort', onStop, {once: true})
    for (const recording of this.recordings) {
      // Each interval joins the next batch as it closes (on a sample, or at the end).
      const builder = new IntervalBuilder(interval => recording.intervals.push(...toStoredIntervals([interval], builder.routeNames)))
      recording.builder = builder
    }

    const results = await Promise.allSettled(this.recordings.map(recording => readLog({app: recording.app, kind: 'tail', lines: options.lines ?? HISTORY_LINES}, {
      api: options.api,
      loadSamples: false,
      onEvent: event => this.onEvent(recording, event),
      onNotice: notice => this.onStreamNotice(recording, notice),
      onRouterRequest: request => this.onRouterRequest(recording, request),
      signal: stop.signal,
    }).catch(error => {
      stop.abort()
      throw error
    })))
    clearInterval(timer)
    options.signal.removeEventListener('abort', onStop)
    const unwritten = await this.finalFlush()
    const failed = results.find(result => result.status === 'rejected')
    if (failed) throw failed.reason
    return unwritten
  }

  /**
   * Records what another reader hands in (`feed`, `feedNotice`) instead of reading the log itself,
   * until the signal; then writes what is left. mem:restart-over --record: one log stream for both.
   */
  async follow(): Promise<number> {
    const {signal} = this.options
    const timer = setInterval(() => this.flushSoon(), this.options.flushMs ?? 2000)
    await new Promise<void>(resolve => {
      if (signal.aborted) resolve()
      else signal.addEventListener('abort', () => resolve(), {once: true})
    })
    clearInterval(timer)
    return this.finalFlush()
  }

  /** An event of `app` read elsewhere (see `follow`). */
  feed(app: string, event: LogEvent): void {
    const recording = this.recordings.find(candidate => candidate.app === app)
    if (recording) this.onEvent(recording, event)
  }

  /** A notice of the stream that reads `app` elsewhere: a gap ends the span recorded. */
  feedNotice(app: string, notice: StreamNotice): void {
    const recording = this.recordings.find(candidate => candidate.app === app)
    if (recording) this.onStreamNotice(recording, notice)
  }

  private addToSegment(recording: AppRecording, time: number): void {
    if (!recording.segment) recording.segment = {from: time, index: recording.nextSegment++, to: time}
    const {segment} = recording
    segment.from = Math.min(segment.from, time)
    segment.to = Math.max(segment.to, time)
    recording.dirty.set(segment.index, {from: segment.from, to: segment.to})
  }

  /** Keeps the buffer bounded: drops the oldest events and starts a new segment, so the dropped span shows as a gap. */
  private bound(recording: AppRecording): void {
    const max = this.options.maxBuffered ?? 200_000
    const excess = this.status.buffered - max
    if (excess <= 0) return
    const dropped = Math.min(excess, recording.pending.length)
    recording.pending.splice(0, dropped)
    // Intervals are a few per dyno a minute: bounded by the same count, oldest first.
    recording.intervals.splice(0, Math.max(0, recording.intervals.length - max))
    recording.dirty.clear()
    recording.segment = undefined
    for (const event of recording.pending) this.addToSegment(recording, event.time)
    this.options.onNotice?.({app: recording.app, dropped, kind: 'dropped'})
  }

  private async finalFlush(): Promise<number> {
    const deadline = Date.now() + (this.options.finalFlushMs ?? FINAL_FLUSH_MS)
    await this.writing
    // The intervals still open to late router lines are as complete as they will get.
    for (const recording of this.recordings) recording.builder?.result()

    for (;;) {
      await this.flush()
      const left = this.status.buffered
      if (left === 0 || Date.now() >= deadline) return left
      await abortableSleep(Math.min(1000, Math.max(0, this.retryAt - Date.now())))
    }
  }

  /** Writes every app's pending events, one transaction per app; on failure they stay pending. */
  private async flush(): Promise<void> {
    for (const recording of this.recordings) {
      if (recording.pending.length === 0 && recording.dirty.size === 0 && recording.intervals.length === 0) continue
      const events = recording.pending
      const {intervals} = recording
      const coverage: CoverageSegment[] = [...recording.dirty].map(([segment, span]) => ({...span, recorder: this.options.recorderId, segment}))
      recording.pending = []
      recording.intervals = []
      recording.dirty = new Map()
      this.inFlight = events.length
      try {
        await this.options.sink.write({
          app: recording.app, coverage, events, intervals,
        })
        this.inFlight = 0
      } catch (error) {
        this.inFlight = 0
        // Back in front of what arrived meanwhile; the coverage too (merged with newer extents).
        recording.pending = [...events, ...recording.pending]
        recording.intervals = [...intervals, ...recording.intervals]
        for (const span of coverage) {
          const newer = recording.dirty.get(span.segment)
          recording.dirty.set(span.segment, newer ? {from: Math.min(span.from, newer.from), to: Math.max(span.to, newer.to)} : {from: span.from, to: span.to})
        }

        this.onWriteFailed(error as Error)
        this.bound(recording)
        return
      }

      const samples = events.filter(event => event.kind === 'memory').length
      this.samplesStored += samples
      if (this.storeDown) this.options.onNotice?.({kind: 'store-up', written: events.length})
      this.storeDown = false
      this.failures = 0
    }

    this.options.onStatus?.(this.status)
  }

  /** Starts a write unless one is under way or the store is in its retry pause. */
  private flushSoon(): void {
    if (this.writing || Date.now() < this.retryAt) return
    this.writing = this.flush().finally(() => {
      this.writing = undefined
    })
  }

  private onEvent(recording: AppRecording, event: LogEvent): void {
    if (event.kind === 'load') return
    recording.pending.push(event)
    this.addToSegment(recording, event.time)
    if (event.kind === 'memory') {
      this.lastSampleAt = Date.now()
      this.dynos.add(`${recording.app}/${event.dyno}`)
      recording.builder?.addSample(event)
    }

    this.options.onEvent?.(recording.app, event)
    if (recording.pending.length >= BATCH_EVENTS) this.flushSoon()
    if (this.storeDown) this.bound(recording)
  }

  private onRouterRequest(recording: AppRecording, request: RouterRequest): void {
    recording.builder?.addRequest(request)
  }

  private onStreamNotice(recording: AppRecording, notice: StreamNotice): void {
    // What the stream could not see ends the segment: the next event starts another one.
    if (notice.kind === 'gap') {
      this.gaps++
      recording.segment = undefined
    }

    this.options.onNotice?.({app: recording.app, kind: 'stream', notice})
    this.options.onStatus?.(this.status)
  }

  private onWriteFailed(error: Error): void {
    this.failures++
    const retryInMs = Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(this.failures - 1, 5))
    this.retryAt = Date.now() + retryInMs
    this.storeDown = true
    this.options.onNotice?.({
      buffered: this.status.buffered, kind: 'store-down', reason: error.message, retryInMs,
    })
    this.options.onStatus?.(this.status)
  }
}
