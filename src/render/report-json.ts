import type {Report} from '../core/report/report-schema.js'

/** Keys whose values are epoch ms in the report: ISO 8601 UTC strings in the JSON. */
const TIME_KEYS = new Set(['from', 'time', 'to'])

/**
 * The `--json` document (schema in docs/report.md): the report's fields in snake_case, like
 * `mem:tail --json`, times as ISO 8601 UTC strings, numbers to two decimals, non-finite numbers as null.
 * `toJson` is that conversion, shared with the other --json documents (mem:blame).
 */
export function reportJson(report: Report): string {
  return `${JSON.stringify(toJson(report), null, 2)}\n`
}

export function toJson(value: unknown, key = '', round: (value: number) => number = twoDecimals): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null
    if (TIME_KEYS.has(key)) return new Date(value).toISOString()
    return round(value)
  }

  if (Array.isArray(value)) return value.map(item => toJson(item, '', round))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [name, item] of Object.entries(value)) {
      if (item === undefined) continue
      out[name.replaceAll(/[A-Z]/g, letter => `_${letter.toLowerCase()}`)] = toJson(item, name, round)
    }

    return out
  }

  return value
}

function twoDecimals(value: number): number {
  return Math.round(value * 100) / 100
}
