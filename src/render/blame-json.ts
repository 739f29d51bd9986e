import type {BlameResult} from '../core/blame/blame-schema.js'

import {toJson} from './report-json.js'

/**
 * The `mem:blame --json` document (schema in docs/blame.md): the result's fields in snake_case,
 * times as ISO 8601 UTC strings, as mem:report's; numbers to 4 significant digits, since p-values
 * like 0.0002 would be 0 at two decimals. `suspects` is ranked.
 */
export function blameJson(result: BlameResult): string {
  return `${JSON.stringify(toJson(result, '', fourDigits), null, 2)}\n`
}

function fourDigits(value: number): number {
  return Number(value.toPrecision(4))
}
