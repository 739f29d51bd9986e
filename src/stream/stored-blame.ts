/**
 * mem:blame --since: blame's intervals from mem:record's store (no router lines were kept, only
 * per-dyno, per-interval route counts), handed to the same blame core as a log's.
 */
import type {StoreChoice} from './stored-history.js'

import {StoredIntervals} from '../core/blame/stored-intervals.js'
import {UserError} from '../errors.js'
import {openStoreForReading, storeLabel} from '../store/open-store.js'

export interface StoredBlameWindow {
  app: string
  since: number
  until: number
}

export async function readStoredBlame(choice: StoreChoice, window: StoredBlameWindow): Promise<StoredIntervals> {
  const {app} = window
  const store = await openStoreForReading(choice.target)
  if (!store) throw new UserError(`No recorded history in ${storeLabel(choice.target)}: heroku mem:record -a ${app} --store ... writes it`)
  const intervals = new StoredIntervals()
  try {
    await store.readIntervals(app, {from: window.since, to: window.until}, interval => intervals.add(interval))
  } finally {
    await store.close()
  }

  const span = `${new Date(window.since).toISOString()} to ${new Date(window.until).toISOString()}`
  if (intervals.counts().intervals === 0) {
    throw new UserError(`No route data for ${app} in ${storeLabel(choice.target)} from ${span}: mem:record keeps it while it records (from plugin schema version 3 on)`)
  }

  if (intervals.counts().requests === 0) {
    throw new UserError(`No router requests for ${app} in ${storeLabel(choice.target)} from ${span}: the recorded intervals served none`)
  }

  return intervals
}
