import type {MemoryReading} from '../events.js'
import type {DynoTrack} from './dyno-track.js'
import type {Metric} from './threshold.js'

import {KEPT_READINGS, resetReadings, retire} from './dyno-track.js'
import {PREBOOT_OVERLAP_MS, READING_ROW_GAP_MS, SAME_READING_MS} from './options.js'

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
  // The very reading again (same time, same verdict): a resent log. Several of them would otherwise
  // look like a clock that stepped back, and add the readings of a row to it a second time.
  const key = `${time}${over ? '+' : '-'}`
  if (track.countedReadings.includes(key)) return 'ignored'
  track.countedReadings.push(key)
  if (track.countedReadings.length > KEPT_READINGS) track.countedReadings.shift()
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

/** Lines without an instance id (R14, Process running) may come from the replaced instance this soon after a restart. */
export function justRestarted(track: DynoTrack, time: number): boolean {
  const last = track.restarts.at(-1)
  return last !== undefined && time - last.at < PREBOOT_OVERLAP_MS
}

/**
 * `Process running mem=1013M(197.9%)`: the platform's own rss + swap, logged with each R14/R15, so
 * only while the dyno is over its quota. It counts as one reading over the limit when it is over it
 * (merged with the sample of the same moment): it keeps a breach counted when that sample was lost
 * or malformed. Never as a reading under (its absence says nothing), never for `--metric rss` (swap
 * included, it could be over where rss is not), never just after a restart (it carries no instance
 * id), never while restarting. A 2013 legacy `measure=memory_total` reading (no percent) is not this line.
 */
export function processRunningIsOver(track: DynoTrack, event: MemoryReading, metric: Metric, limit: number | undefined): boolean {
  if (event.percent === undefined || metric === 'rss' || track.restarting || limit === undefined) return false
  return event.mem >= limit && !justRestarted(track, event.time)
}
