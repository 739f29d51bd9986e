/**
 * Decimal numbers and size units as the platform writes them (`491.32MB`, `1013M`, `176221pages`).
 */
import {Char, isDigit, MAX_DIGITS} from './chars.js'

/**
 * Where a `readNumber` stopped: its second result, in a record the caller owns and reuses, so
 * that reading a number allocates nothing.
 */
export interface ReadEnd {
  end: number
}

/** A non-negative decimal (`491.32`, `12`, `.5`) at `start`; NaN when there is none. Sets `stop.end`. */
export function readNumber(line: string, start: number, end: number, stop: ReadEnd): number {
  let pos = start
  let mantissa = 0
  let digits = 0
  let scale = 1
  while (pos < end) {
    const code = line.charCodeAt(pos)
    if (!isDigit(code)) break
    mantissa = (mantissa * 10) + code - Char.Digit0
    digits++
    pos++
  }

  if (pos < end && line.charCodeAt(pos) === Char.Dot) {
    pos++
    while (pos < end) {
      const code = line.charCodeAt(pos)
      if (!isDigit(code)) break
      mantissa = (mantissa * 10) + code - Char.Digit0
      scale *= 10
      digits++
      pos++
    }
  }

  stop.end = pos
  // Up to 15 digits the mantissa is an exact integer, so one division rounds like parseFloat.
  if (digits === 0 || digits > MAX_DIGITS) return Number.NaN
  return mantissa / scale
}

/** `readNumber` over UTF-8 bytes: the byte readers' numbers (memory-line-bytes.ts, router-line-bytes.ts). */
export function readNumberBytes(bytes: Uint8Array, start: number, end: number, stop: ReadEnd): number {
  let pos = start
  let mantissa = 0
  let digits = 0
  let scale = 1
  while (pos < end && isDigit(bytes[pos])) {
    mantissa = (mantissa * 10) + bytes[pos++] - Char.Digit0
    digits++
  }

  if (pos < end && bytes[pos] === Char.Dot) {
    pos++
    while (pos < end && isDigit(bytes[pos])) {
      mantissa = (mantissa * 10) + bytes[pos++] - Char.Digit0
      scale *= 10
      digits++
    }
  }

  stop.end = pos
  if (digits === 0 || digits > MAX_DIGITS) return Number.NaN
  return mantissa / scale
}

/** MiB per unit in `line[start, end)`: Heroku's `MB` (and `M`) is MiB; no unit means MB. NaN for an unknown unit. */
export function sizeUnitFactor(line: string, start: number, end: number): number {
  if (start < 0 || end <= start) return 1
  switch (end - start) {
  case 1: {
    const unit = line.charCodeAt(start)
    if (unit === Char.UpperM) return 1
    if (unit === Char.UpperG) return 1024
    if (unit === Char.UpperK || unit === Char.LowerK) return 1 / 1024
    if (unit === Char.UpperB) return 1 / (1024 * 1024)
    return Number.NaN
  }

  case 2: {
    if (line.charCodeAt(start + 1) !== Char.UpperB) return Number.NaN
    const unit = line.charCodeAt(start)
    if (unit === Char.UpperM) return 1
    if (unit === Char.UpperG) return 1024
    if (unit === Char.UpperK || unit === Char.LowerK) return 1 / 1024
    return Number.NaN
  }

  case 3: {
    if (line.startsWith('MiB', start)) return 1
    if (line.startsWith('GiB', start)) return 1024
    if (line.startsWith('KiB', start)) return 1 / 1024
    return Number.NaN
  }

  default: {
    return Number.NaN
  }
  }
}
