/**
 * Character codes the parser compares with, named, and small checks over `line[start, end)`.
 * The parser reads lines by `charCodeAt` and indexes: no slicing, regex or allocation until a
 * line is known to be the platform's.
 */

/**
 * A `const enum`, so that the compiler writes each code as a literal: a comparison with a literal
 * costs less than a load of an imported constant on every character the hot path reads.
 */
export const enum Char {
  Backtick = 96,
  CarriageReturn = 13,
  CloseBracket = 93,
  CloseParen = 41,
  Colon = 58,
  Dash = 45,
  Digit0 = 48,
  Digit4 = 52,
  Digit5 = 53,
  Digit9 = 57,
  Dot = 46,
  Equals = 61,
  GreaterThan = 62,
  LessThan = 60,
  LineFeed = 10,
  LowerA = 97,
  LowerD = 100,
  LowerK = 107,
  LowerM = 109,
  LowerP = 112,
  LowerS = 115,
  LowerZ = 122,
  Percent = 37,
  Plus = 43,
  Quote = 34,
  Space = 32,
  Tab = 9,
  Underscore = 95,
  UpperA = 65,
  UpperB = 66,
  UpperC = 67,
  UpperE = 69,
  UpperG = 71,
  UpperK = 75,
  UpperM = 77,
  UpperP = 80,
  UpperR = 82,
  UpperS = 83,
  UpperT = 84,
  UpperZ = 90,
}

/** More significant digits than a double holds exactly are not a plausible reading. */
export const MAX_DIGITS = 15

export function isDigit(code: number): boolean {
  return code >= Char.Digit0 && code <= Char.Digit9
}

export function isUpper(code: number): boolean {
  return code >= Char.UpperA && code <= Char.UpperZ
}

/** The unsigned integer of exactly `count` digits at `start`, else -1. */
export function readDigits(line: string, start: number, count: number): number {
  if (count <= 0 || count > MAX_DIGITS) return -1
  let value = 0
  for (let pos = start; pos < start + count; pos++) {
    const code = line.charCodeAt(pos)
    if (!isDigit(code)) return -1
    value = (value * 10) + code - Char.Digit0
  }

  return value
}

/** Where the run of digits starting at `start` ends (at most `end`). */
export function digitsEnd(line: string, start: number, end: number): number {
  let pos = start
  while (pos < end && isDigit(line.charCodeAt(pos))) pos++
  return pos
}

export function isExactly(line: string, start: number, end: number, text: string): boolean {
  return end - start === text.length && line.startsWith(text, start)
}

/** A state name: non-empty, lower-case letters only (`up`, `starting`, `crashed`). */
export function isWord(line: string, start: number, end: number): boolean {
  if (end <= start || end - start > 32) return false
  for (let pos = start; pos < end; pos++) {
    const code = line.charCodeAt(pos)
    if (code < Char.LowerA || code > Char.LowerZ) return false
  }

  return true
}

/** End of `line[start, end)` without trailing spaces, `\r` and `\n`. */
export function trimmedEnd(line: string, start: number, end: number): number {
  let pos = end
  while (pos > start) {
    const code = line.charCodeAt(pos - 1)
    if (code !== Char.Space && code !== Char.CarriageReturn && code !== Char.LineFeed) break
    pos--
  }

  return pos
}

/** Where the spaces and tabs starting at `start` end (at most `end`). */
export function blanksEnd(line: string, start: number, end: number): number {
  let pos = start
  while (pos < end) {
    const code = line.charCodeAt(pos)
    if (code !== Char.Space && code !== Char.Tab) break
    pos++
  }

  return pos
}

/** Where the spaces starting at `start` end (at most `end`). */
export function spacesEnd(line: string, start: number, end: number): number {
  let pos = start
  while (pos < end && line.charCodeAt(pos) === Char.Space) pos++
  return pos
}
