/**
 * Timestamps of the log shapes, to epoch ms by arithmetic (this runs on every platform line):
 * RFC 3339 / ISO 8601 stamps, and BSD syslog stamps with no year (`Nov 21 14:14:58`), whose
 * year a `NoYearCalendar` supplies.
 */
import {Char, isDigit, readDigits} from './chars.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
/** `HH:MM:SS`, the clock of a BSD stamp. */
const CLOCK_LENGTH = 8

/**
 * The year of lines that carry none: the caller's default year for the first such line, else the
 * year of the last fully dated line seen; later lines roll over to the next year when the month
 * steps back (Dec -> Jan). State of one input: one calendar per parser.
 */
export class NoYearCalendar {
  private lastDatedYear: number | undefined
  private month = -1
  private year = 0

  constructor(private readonly defaultYear: number | undefined) {}

  /** A fully dated line of this year was read. */
  noteDatedYear(year: number): void {
    this.lastDatedYear = year
  }

  /** The year of a no-year line of `month` (0-11), read after the lines before it; undefined when none is known yet. */
  yearFor(month: number): number | undefined {
    if (this.month === -1) {
      const year = this.defaultYear ?? this.lastDatedYear
      if (year === undefined) return undefined
      this.year = year
    } else if (this.month - month > 6) {
      // A step back of more than half a year is the turn of the year, not lines out of order.
      this.year++
    }

    this.month = month
    return this.year
  }
}

/**
 * Epoch ms of `YYYY-MM-DD(T| )HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` filling `line[start, end)`;
 * no zone means UTC (Papertrail's `generated_at`). NaN when malformed or out of range.
 */
export function parseIsoTime(line: string, start: number, end: number): number {
  if (end - start < 19) return Number.NaN
  const year = readDigits(line, start, 4)
  const month = readDigits(line, start + 5, 2)
  const day = readDigits(line, start + 8, 2)
  const hour = readDigits(line, start + 11, 2)
  const minute = readDigits(line, start + 14, 2)
  const second = readDigits(line, start + 17, 2)
  const separator = line.charCodeAt(start + 10)
  if (line.charCodeAt(start + 4) !== Char.Dash || line.charCodeAt(start + 7) !== Char.Dash || (separator !== Char.UpperT && separator !== Char.Space)) return Number.NaN
  if (line.charCodeAt(start + 13) !== Char.Colon || line.charCodeAt(start + 16) !== Char.Colon) return Number.NaN
  if (!isValidDate(year, month, day) || !isClock(hour, minute, second)) return Number.NaN

  let pos = start + 19
  let millis = 0
  if (line.charCodeAt(pos) === Char.Dot) {
    const fractionStart = ++pos
    let unit = 100
    while (pos < end && isDigit(line.charCodeAt(pos))) {
      millis += (line.charCodeAt(pos++) - Char.Digit0) * unit
      unit /= 10
    }

    if (pos === fractionStart) return Number.NaN
    // Digits past the millisecond add a fraction of one: truncate, as Date.parse does.
    millis = Math.floor(millis)
  }

  let offsetMinutes = 0
  const zone = line.charCodeAt(pos)
  if (zone === Char.UpperZ) pos++
  else if (zone === Char.Plus || zone === Char.Dash) {
    const hours = readDigits(line, pos + 1, 2)
    const colon = line.charCodeAt(pos + 3) === Char.Colon ? 1 : 0
    const minutes = readDigits(line, pos + 3 + colon, 2)
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN
    offsetMinutes = (zone === Char.Plus ? 1 : -1) * ((hours * 60) + minutes)
    pos += 5 + colon
  }

  if (pos !== end) return Number.NaN
  return epochMs(year, month - 1, day, (hour * 3600) + (minute * 60) + second - (offsetMinutes * 60)) + millis
}

/** The 4-digit year a stamp starts with at `start` (already validated by `parseIsoTime`). */
export function isoYear(line: string, start: number): number {
  return readDigits(line, start, 4)
}

/**
 * Where a BSD stamp `Mon [ ]D HH:MM:SS ` at `start` ends (the index of the space after the clock),
 * from its shape alone; -1 when the shape does not fit. `noYearTime` checks the values.
 */
export function noYearStampEnd(line: string, start: number): number {
  if (line.charCodeAt(start + 3) !== Char.Space) return -1
  let pos = start + 4
  // A one-digit day may be padded with a space.
  if (line.charCodeAt(pos) === Char.Space) pos++
  const dayStart = pos
  while (pos < dayStart + 2 && isDigit(line.charCodeAt(pos))) pos++
  if (pos === dayStart || line.charCodeAt(pos) !== Char.Space) return -1
  const clockEnd = pos + 1 + CLOCK_LENGTH
  return line.charCodeAt(clockEnd) === Char.Space ? clockEnd : -1
}

/** Epoch ms of the BSD stamp `line[start, end)` found by `noYearStampEnd`, in the calendar's year; NaN when invalid. */
export function noYearTime(line: string, start: number, end: number, calendar: NoYearCalendar): number {
  const clockStart = end - CLOCK_LENGTH
  const dayEnd = clockStart - 1
  const dayStart = line.charCodeAt(dayEnd - 2) === Char.Space ? dayEnd - 1 : dayEnd - 2
  const month = monthIndex(line, start)
  const day = readDigits(line, dayStart, dayEnd - dayStart)
  const hour = readDigits(line, clockStart, 2)
  const minute = readDigits(line, clockStart + 3, 2)
  const second = readDigits(line, clockStart + 6, 2)
  if (month < 0 || line.charCodeAt(clockStart + 2) !== Char.Colon || line.charCodeAt(clockStart + 5) !== Char.Colon) return Number.NaN
  if (!isClock(hour, minute, second)) return Number.NaN
  const year = calendar.yearFor(month)
  if (year === undefined || day < 1 || day > daysInMonth(year, month)) return Number.NaN
  return epochMs(year, month, day, (hour * 3600) + (minute * 60) + second)
}

/** A calendar date (month 1-12) a stamp may carry: from 1970 on, the day within its month. */
export function isValidDate(year: number, month: number, day: number): boolean {
  return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month - 1)
}

/**
 * Epoch ms of a UTC calendar day (month 0-11) plus seconds into it, by arithmetic: Date.UTC is
 * a runtime call, and this runs on every platform line. (Days from civil, H. Hinnant.)
 */
export function epochMs(year: number, month: number, day: number, seconds: number): number {
  const shiftedYear = month < 2 ? year - 1 : year
  const era = Math.floor(shiftedYear / 400)
  const yearOfEra = shiftedYear - (era * 400)
  const dayOfYear = Math.floor(((153 * (month < 2 ? month + 10 : month - 2)) + 2) / 5) + day - 1
  const dayOfEra = (yearOfEra * 365) + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = (era * 146_097) + dayOfEra - 719_468
  return ((days * 86_400) + seconds) * 1000
}

/** A leap second (`:60`) is allowed, as Date.parse allows it. */
export function isClock(hour: number, minute: number, second: number): boolean {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60
}

export function monthIndex(line: string, start: number): number {
  for (const [index, name] of MONTHS.entries()) if (line.startsWith(name, start)) return index
  return -1
}

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month]
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
}
