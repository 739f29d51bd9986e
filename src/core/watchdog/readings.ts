import type {DynoTrack} from './dyno-track.js'

import {resetReadings, retire} from './dyno-track.js'
import {READING_ROW_GAP_MS, SAME_READING_MS} from './options.js'

/**
 * Which instance a sample belongs to: `retired` (a replaced instance still logging, preboot: ignore
 * it), `new` (a new instance: its readings start a new count), or `same`.
 */
export function followInstance(track: DynoTrack, instance: string | undefined): 'new' | 'retired' | 'same' {
  if (instance === undefined) return 'same'
  if (track.retired.includes(instance)) return 'retired'
  if (instance === track.current) return 'same'
  if (track.current !== undefined) retire(track, track.current)
  track.current = instance
  resetReadings(track)
  return 'new'
}

/**
 * Counts one reading (a sample, or an R14 merged with the sample of the same moment) and says what
 * it did: `ignored` (a replay already counted, or the same reading again), `recovered` (back under
 * after being over), `under`, or `over` (the count in `track.over`).
 */
export function countReading(track: DynoTrack, time: number, over: boolean): 'ignored' | 'over' | 'recovered' | 'under' {
  if (track.lastReadingAt !== undefined && time < track.lastReadingAt - SAME_READING_MS) {
    // One older reading is a replay already counted; several in a row: the dyno's clock stepped back.
    if (++track.behindReadings < 2) return 'ignored'
    track.lastReadingAt = undefined
  }

  track.behindReadings = 0
  if (track.lastReadingAt !== undefined && Math.abs(time - track.lastReadingAt) <= SAME_READING_MS) {
    if (!over || track.lastReadingOver) return 'ignored'
    track.lastReadingOver = true
    track.over++
    return 'over'
  }

  // A silence breaks the row: the breach (for the loop breaker) goes on, the count starts again.
  if (track.lastReadingAt !== undefined && time - track.lastReadingAt > READING_ROW_GAP_MS) track.over = 0
  track.lastReadingAt = time
  track.lastReadingOver = over
  if (over) {
    track.over++
    return 'over'
  }

  const wasOver = track.over > 0
  track.over = 0
  track.inBreach = false
  return wasOver ? 'recovered' : 'under'
}
