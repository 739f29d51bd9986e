/**
 * mem:tail's head start: each dyno's trend begins with the samples mem:record stored in the last
 * half hour, so the sparkline shows where a dyno was heading from the first line on. The store is
 * a convenience here: one that is unreadable (or, named with --store, empty) is a note, never an
 * error, and a slow one is not waited for (see MemoryFeed).
 */
import type {MemorySample} from '../core/events.js'
import type {MemoryStore} from '../store/memory-store.js'
import type {StoreChoice} from './stored-history.js'

import {openStoreForReading, storeLabel} from '../store/open-store.js'

/** A trend shows 60 samples (20 min): a little more is read, for dynos that missed a few. */
export const TREND_SEED_MS = 30 * 60_000

export interface TrendSeed {
  samples: MemorySample[]
  /** One line for stderr, when the store could not be read or a named one had nothing recent. */
  note?: string
}

export async function readTrendSeed(choice: StoreChoice, app: string, now: number): Promise<TrendSeed> {
  const samples: MemorySample[] = []
  let store: MemoryStore | undefined
  try {
    store = await openStoreForReading(choice.target)
    await store?.read(app, {since: now - TREND_SEED_MS}, event => {
      if (event.kind === 'memory') samples.push(event)
    })
  } catch (error) {
    return {note: `mem:tail: the recorded history in ${storeLabel(choice.target)} could not be read (${(error as Error).message}): trends start from the log`, samples: []}
  } finally {
    await store?.close().catch(() => {})
  }

  // The default store missing or empty is the usual case (mem:record never ran): nothing to say.
  const note = choice.explicit && samples.length === 0 ? `mem:tail: no samples of ${app} from the last 30 min in ${storeLabel(choice.target)}: trends start from the log` : undefined
  return {note, samples}
}
