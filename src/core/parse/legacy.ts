/**
 * The 2013 legacy metrics, one metric a line (`source=heroku.772639.web.1.<uuid> measure=memory_rss
 * val=508.97 units=MB`), grouped per instance into one sample.
 */
import type {LogEvent} from '../events.js'

import {processTypeOf} from '../events.js'
import {
  isLoadMetric, Metric, METRIC_NAMES, sampleEvent,
} from './samples.js'

/** A group completes with every metric a 2013 sample logs; a partial group waits for the next one. */
const LEGACY_MEMORY_METRICS = [Metric.Total, Metric.Rss, Metric.Cache, Metric.Swap, Metric.Pgpgin, Metric.Pgpgout]
const LEGACY_LOAD_METRICS = [Metric.Load1m, Metric.Load5m, Metric.Load15m]
/** Lines of one legacy sample share a timestamp; samples are ~20 s apart. */
const LEGACY_GROUP_WINDOW_MS = 10_000

interface LegacyGroup {
  dyno: string
  instance: string | undefined
  time: number
  /** By metric index; NaN until the group's line for that metric is seen. */
  values: Float64Array
}

/** The groups of one input still waiting for metrics, memory and load apart, by instance. */
export class LegacyGroups {
  private readonly load = new Map<string, LegacyGroup>()
  private readonly memory = new Map<string, LegacyGroup>()

  /**
   * Adds one metric of `dyno` (instance `instance`, when the line names one) at `time`; returns the
   * sample of a group this line completes, or of the one it ends (its instance's next sample began).
   */
  add(dyno: string, instance: string | undefined, time: number, index: number, value: number): LogEvent | undefined {
    if (!Number.isFinite(value)) return undefined
    const isLoad = isLoadMetric(index)
    const groups = isLoad ? this.load : this.memory
    const key = instance ?? dyno
    let group = groups.get(key)
    let finished: LogEvent | undefined
    if (group && (!Number.isNaN(group.values[index]) || Math.abs(time - group.time) >= LEGACY_GROUP_WINDOW_MS)) {
      finished = legacyEvent(group)
      group = undefined
    }

    if (!group) {
      group = {
        dyno, instance, time, values: new Float64Array(METRIC_NAMES.length).fill(Number.NaN),
      }
      groups.set(key, group)
    }

    const {values} = group
    values[index] = value
    if ((isLoad ? LEGACY_LOAD_METRICS : LEGACY_MEMORY_METRICS).every(metric => !Number.isNaN(values[metric]))) {
      groups.delete(key)
      // A group that just began holds one metric, so it never completes while `finished` is set.
      return legacyEvent(group)
    }

    return finished
  }

  /** The groups still waiting for their last metric, oldest first; emptied. */
  flush(): LogEvent[] {
    const groups = [...this.memory.values(), ...this.load.values()].sort((a, b) => a.time - b.time)
    this.memory.clear()
    this.load.clear()
    const events: LogEvent[] = []
    for (const group of groups) {
      const event = legacyEvent(group)
      if (event) events.push(event)
    }

    return events
  }
}

/**
 * The group's sample; a group with `memory_total` but no rss (older logs carry it alone, as
 * whacamole read them) is a memory reading of that total.
 */
function legacyEvent(group: LegacyGroup): LogEvent | undefined {
  const {dyno, instance, time, values} = group
  const sample = sampleEvent(values, dyno, instance, time)
  if (sample !== undefined || !Number.isFinite(values[Metric.Total])) return sample
  return {
    dyno, kind: 'reading', mem: values[Metric.Total], time, type: processTypeOf(dyno),
  }
}

