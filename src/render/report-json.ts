import type {Report} from '../core/report/report-schema.js'

/** Keys whose values are epoch ms in the report: ISO 8601 UTC strings in the JSON. */
const TIME_KEYS = new Set(['from', 'time', 'to'])
/** Arrays written one element at a time: they grow with the number of dynos (100k dynos: ~500 MB of JSON). */
const STREAMED = new Set(['dynos', 'processTypes'])

/**
 * The `--json` document (schema in docs/report.md): the report's fields in snake_case, like
 * `mem:tail --json`, times as ISO 8601 UTC strings, numbers to two decimals, non-finite numbers as null.
 * `toJson` is that conversion, shared with the other --json documents (mem:blame).
 */
export function reportJson(report: Report): string {
  return [...reportJsonChunks(report)].join('')
}

/**
 * The same document in pieces, a dyno at a time, so that a farm's report is written without
 * holding all of it as one string (and a snake_case copy of all of it) at once. The pieces are
 * exactly `JSON.stringify(document, null, 2)` cut up: nested values are indented by their depth.
 * @yields pieces of the document, in order
 */
export function * reportJsonChunks(report: Report): Generator<string> {
  const entries = Object.entries(report).filter(([, value]) => value !== undefined)
  yield '{\n'
  for (const [index, [name, value]] of entries.entries()) {
    const key = `  ${JSON.stringify(snakeCase(name))}: `
    if (STREAMED.has(name) && Array.isArray(value) && value.length > 0) {
      yield `${key}[\n`
      for (const [at, item] of value.entries()) yield `    ${indent(JSON.stringify(toJson(item), null, 2), '    ')}${at < value.length - 1 ? ',' : ''}\n`
      yield '  ]'
    } else {
      yield `${key}${indent(JSON.stringify(toJson(value, name), null, 2), '  ')}`
    }

    yield index < entries.length - 1 ? ',\n' : '\n'
  }

  yield '}\n'
}

function indent(text: string, by: string): string {
  return text.replaceAll('\n', `\n${by}`)
}

/** Keys converted so far: a report repeats a few dozen keys hundreds of thousands of times. */
const SNAKE_CASE = new Map<string, string>()

function snakeCase(name: string): string {
  let snake = SNAKE_CASE.get(name)
  if (snake === undefined) {
    snake = name.replaceAll(/[A-Z]/g, letter => `_${letter.toLowerCase()}`)
    SNAKE_CASE.set(name, snake)
  }

  return snake
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
      out[snakeCase(name)] = toJson(item, name, round)
    }

    return out
  }

  return value
}

function twoDecimals(value: number): number {
  return Math.round(value * 100) / 100
}
