/**
 * LogEvents <-> store rows. A memory sample is a row of numbers; every other event kept is a row
 * of its key (app, time, dyno, kind), a `detail` rollups count by, and the rest as JSON. Load
 * samples are not kept: no report reads them.
 */
import type {LogEvent, MemorySample} from '../core/events.js'
import type {SqlRow, SqlValue} from './sql-driver.js'

import {processTypeOf} from '../core/events.js'

export const SAMPLE_COLUMNS = ['app', 'dyno', 'time', 'instance', 'rss', 'swap', 'cache', 'total', 'quota'] as const
export const EVENT_COLUMNS = ['app', 'time', 'dyno', 'kind', 'detail', 'body'] as const

export function sampleRow(app: string, sample: MemorySample): SqlValue[] {
  return [app, sample.dyno, sample.time, sample.instance ?? '', sample.rss, sample.swap, sample.cache, sample.total, sample.quota ?? null]
}

/** The row of an event other than a memory sample; undefined for what is not kept (load samples). */
export function eventRow(app: string, event: Exclude<LogEvent, MemorySample>): SqlValue[] | undefined {
  switch (event.kind) {
  case 'dyno': {
    // The type is the dyno name's prefix: not stored twice.
    const {dyno, kind, time, ...rest} = event
    return [app, time, dyno, kind, event.action, JSON.stringify({...rest, type: undefined})]
  }

  case 'error': {
    return [app, event.time, event.dyno, event.kind, event.code, JSON.stringify({code: event.code})]
  }

  case 'reading': {
    return [app, event.time, event.dyno, event.kind, '', JSON.stringify({mem: event.mem, percent: event.percent})]
  }

  case 'release': {
    const {kind, time, ...rest} = event
    return [app, time, '', kind, event.action, JSON.stringify(rest)]
  }

  default: {
    return undefined
  }
  }
}

export function sampleOf(row: SqlRow): MemorySample {
  const dyno = String(row.dyno)
  const sample: MemorySample = {
    cache: Number(row.cache), dyno, kind: 'memory', rss: Number(row.rss), swap: Number(row.swap), time: Number(row.time), total: Number(row.total), type: processTypeOf(dyno),
  }
  if (row.instance) sample.instance = String(row.instance)
  if (row.quota !== null && row.quota !== undefined) sample.quota = Number(row.quota)
  return sample
}

export function eventOf(row: SqlRow): LogEvent {
  const body = JSON.parse(String(row.body)) as Record<string, unknown>
  const time = Number(row.time)
  if (row.kind === 'release') return {...body, kind: 'release', time} as LogEvent
  const dyno = String(row.dyno)
  return {
    ...body, dyno, kind: row.kind, time, type: processTypeOf(dyno),
  } as LogEvent
}
