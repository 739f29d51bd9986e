export interface EventWindow {
  /** Keep load-average samples (half the metric lines); default true. */
  loadSamples?: boolean
  /** Keep events at or after this time (epoch ms). */
  since?: number
  /** Keep events at or before this time (epoch ms). */
  until?: number
}

/**
 * Which events (and router requests) a reader passes on: inside since..until, and no load samples when they are not
 * wanted. One rule for every source (files, history, tail); the bounds are read once, as this runs
 * per event.
 */
export function eventFilter(window: EventWindow): (event: {kind: string; time: number}) => boolean {
  const since = window.since ?? -Infinity
  const until = window.until ?? Infinity
  const loadSamples = window.loadSamples ?? true
  return event => event.time >= since && event.time <= until && (loadSamples || event.kind !== 'load')
}
