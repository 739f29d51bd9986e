/**
 * mem:report's recorded history: what mem:record stored for the app, read into the report
 * before the log buffer's newest minutes, and the notes that say which source covered which span
 * and where nobody saw the log.
 */
import type {LogEvent} from '../core/events.js'
import type {MemoryStore} from '../store/memory-store.js'

import {UserError} from '../errors.js'
import {gapsBetween, MERGE_SLACK_MS, type Span} from '../store/coverage.js'
import {openStoreForReading, storeLabel} from '../store/open-store.js'
import {holdYoungGeneration} from './young-generation.js'

export interface StoreChoice {
  target: string
  /** Named by the user (--store): a store that cannot be read is an error, not a note. */
  explicit: boolean
}

export interface StoredHistory {
  label: string
  /** The newest time the store has for the app: the log buffer fills in after it. */
  through: number
  from: number
  samples: number
  rollups?: Span
  /** Span read from rollups by choice (the window is too long to read sample by sample), and at which level. */
  coarse?: Span & {level: string}
  coverage: Span[]
}

/** Reads the app's stored events in the window into `onEvent`; undefined when the store has none (or, not named, cannot be read: `notes` says so). */
export async function readStoredHistory(choice: StoreChoice, app: string, window: {since?: number; until?: number}, onEvent: (event: LogEvent) => void, notes: string[]): Promise<StoredHistory | undefined> {
  let store: MemoryStore | undefined
  try {
    store = await openStoreForReading(choice.target)
  } catch (error) {
    if (choice.explicit) throw error
    notes.push(`The recorded history could not be read (${(error as Error).message}): this report uses the log buffer only.`)
    return undefined
  }

  if (!store) {
    if (choice.explicit) throw new UserError(`No recorded history in ${storeLabel(choice.target)}: heroku mem:record -a ${app} --store ... writes it`)
    return undefined
  }

  try {
    // Rows read a page at a time are short-lived garbage, as a log's lines are (young-generation.ts).
    holdYoungGeneration()
    let from = Number.POSITIVE_INFINITY
    let through = Number.NEGATIVE_INFINITY
    const result = await store.read(app, {...window, resolution: 'auto'}, event => {
      if (event.time < from) from = event.time
      if (event.time > through) through = event.time
      onEvent(event)
    })
    if (result.samples === 0) return undefined
    return {
      coarse: result.coarse, coverage: await store.coverage(app), from, label: store.label, rollups: result.rollups, samples: result.samples, through,
    }
  } catch (error) {
    throw new UserError(`Reading the recorded history in ${store.label} failed: ${(error as Error).message}`)
  } finally {
    await store.close()
  }
}

/** Which source covered which span, and the gaps: in the recorded coverage, and between the store's newest sample and the log buffer. */
export function storedHistoryNotes(stored: StoredHistory, buffer?: Span): string[] {
  const fromBuffer = buffer ? `; the Heroku log buffer from ${iso(buffer.from)} to ${iso(buffer.to)}` : ''
  const notes = [`Sources: recorded history (${stored.label}) from ${iso(stored.from)} to ${iso(stored.through)}, ${stored.samples} samples${fromBuffer}.`]
  if (stored.rollups) notes.push(`From ${iso(stored.rollups.from)} to ${iso(stored.rollups.to)} the raw samples had aged out: ${rollupReading('5-minute rollups')}`)
  if (stored.coarse) {
    const levels = stored.coarse.level === 'hourly' ? 'hourly rollups (5-minute ones at its ends)' : `${stored.coarse.level} rollups`
    notes.push(`From ${iso(stored.coarse.from)} to ${iso(stored.coarse.to)} the window is too long to read sample by sample: ${rollupReading(levels)}`)
  }

  const gaps = gapsBetween(stored.coverage, stored.from, stored.through)
  if (buffer && buffer.from > stored.through + MERGE_SLACK_MS) gaps.push({from: stored.through, to: buffer.from})
  if (gaps.length > 0) notes.push(`Gaps (nobody saw the log): ${gaps.map(gap => `${iso(gap.from)} to ${iso(gap.to)}`).join(', ')}.`)
  return notes
}

/** What a report read from rollups can and cannot tell (read-history.ts, rollups.ts). */
function rollupReading(levels: string): string {
  return `read from ${levels}, one point per dyno and bucket at the bucket's peak. Peaks and the counts of R14, R15 and restarts are exact; `
    + 'percentiles and means lean high (they are of the peaks), time over the quota counts whole buckets whose peak was over it, '
    + 'the trend is judged on the peaks, and runs are split at restarts rather than by instance.'
}

/** Notes name times as the rest of the report does: ISO, UTC, to the second. */
function iso(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
