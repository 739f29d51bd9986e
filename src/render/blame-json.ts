import type {BlameResult} from '../core/blame/blame-schema.js'

import {toJson} from './report-json.js'

/**
 * The `mem:blame --json` document (schema in docs/blame.md): the result's fields in snake_case,
 * times as ISO 8601 UTC strings, as mem:report's; numbers below 1 keep 4 significant digits, since
 * p-values like 0.0002 would be 0 at two decimals. `suspects` is ranked.
 */
export function blameJson(result: BlameResult): string {
  return `${JSON.stringify(toJson(result, '', roundForJson), null, 2)}\n`
}

/** Two decimals, as mem:report, but 4 significant digits below 1: a p-value of 0.0002 stays 0.0002. */
function roundForJson(value: number): number {
  return Math.abs(value) >= 1 ? Math.round(value * 100) / 100 : Number(value.toPrecision(4))
}
