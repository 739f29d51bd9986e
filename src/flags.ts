import {Flags} from '@oclif/core'

import {UserError} from './errors.js'

/**
 * The dyno filter flags every mem command shares, named as `heroku logs` names them (each command
 * declares its own `--json`: they print different things).
 * `--app`/`--remote` come from @heroku-cli/command (see base-command.ts); this module stays free
 * of it so that `mem:report --file` starts without loading the API client.
 */
export const filterFlags = {
  'dyno-name': Flags.string({char: 'd', description: 'only this dyno, e.g. web.1', exclusive: ['process-type']}),
  'process-type': Flags.string({char: 'p', description: 'only dynos of this process type, e.g. web', exclusive: ['dyno-name']}),
}

const UNIT_MS: Record<string, number> = {
  d: 86_400_000, h: 3_600_000, m: 60_000, ms: 1, s: 1000,
}

/** `90s`, `10m`, `1h30m`, `2d`, `500ms`; a bare number is seconds. Never zero (`--duration 0` would mean no limit). */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase()
  // A bare number is read as seconds.
  const withUnits = /^\d+(\.\d+)?$/.test(trimmed) ? `${trimmed}s` : trimmed
  const part = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/g
  let total = 0
  let consumed = 0
  for (const match of withUnits.matchAll(part)) {
    if (match.index !== consumed) break
    total += Number(match[1]) * UNIT_MS[match[2]]
    consumed += match[0].length
  }

  if (consumed === 0 || consumed !== withUnits.length || !Number.isFinite(total) || total <= 0) {
    throw new UserError(`Invalid duration "${text}": use e.g. 30s, 10m, 1h30m or 2d`, 2)
  }

  return total
}

export const durationFlag = Flags.custom<number>({
  parse: async input => parseDuration(input),
})

/** The dyno filter a log session takes (`-d` and `-p` exclude each other). */
export function dynoFilter(values: {'dyno-name'?: string; 'process-type'?: string}): {dyno?: string; type?: string} {
  if (values['dyno-name']) return {dyno: values['dyno-name']}
  if (values['process-type']) return {type: values['process-type']}
  return {}
}

/** `--notify` and its timings: mem:record and mem:restart-over alert alike (docs/record.md). */
export const alertFlags = {
  'blind-after': durationFlag({description: 'alert when nothing arrives from the app\'s log this long while dynos run [default: 5m]'}),
  notify: Flags.string({description: 'send alerts here: a Slack webhook, PagerDuty (https://events.pagerduty.com/v2/enqueue?routing_key=KEY) or any JSON webhook (repeatable)', multiple: true}),
  'over-quota-for': durationFlag({description: 'alert when a dyno stays over its quota this long [default: 10m]'}),
}

/** `--since`/`--until`: `2026-11-20T10:00:00Z` or a duration ago (`6h`). */
export function parseTime(text: string | undefined, now: number, name: string): number | undefined {
  if (text === undefined) return undefined
  const absolute = Date.parse(text)
  if (!Number.isNaN(absolute) && /\d{4}-\d{2}-\d{2}/.test(text)) return absolute
  try {
    return now - parseDuration(text)
  } catch {
    throw new UserError(`Invalid --${name} "${text}": use an ISO time (2026-11-20T10:00:00Z) or a duration ago (6h)`, 2)
  }
}

/** A --since/--until window (either may be missing; `until` may default, e.g. to now); one that ends before it starts is a usage error. */
export function parseWindow(flags: {since?: string; until?: string}, now: number, untilDefault?: number): {since?: number; until?: number} {
  const since = parseTime(flags.since, now, 'since')
  const until = parseTime(flags.until, now, 'until') ?? untilDefault
  if (since !== undefined && until !== undefined && since > until) {
    throw new UserError(`--since (${flags.since}) is after --until (${flags.until ?? 'now'}): nothing could match`, 2)
  }

  return {since, until}
}
