/**
 * Platform messages, once the header says the platform wrote the line: memory errors and
 * readings, dyno lifecycle lines, metric lines, release lines. Each reader takes the message
 * `line[start, end)` and the line's context, and returns its event or undefined.
 */
import type {DynoEvent, DynoStateChange, LogEvent} from '../events.js'
import type {LineContext} from './header.js'

import {processTypeOf} from '../events.js'
import {
  Char, isExactly, isWord, readDigits,
} from './chars.js'
import {linesDropped} from './dropped-lines.js'
import {metricEvent} from './metrics.js'
import {readNumber, sizeUnitFactor} from './numbers.js'
import {releaseEvent} from './release-lines.js'
import {routerRequest} from './router-lines.js'

const PROCESS_RUNNING = 'Process running mem='
const PROCESS_EXITED = 'Process exited'
const WITH_STATUS = ' with status '
const STATE_CHANGED = 'State changed from '
/** Followed by ` ` or, in some logs, `: `. */
const STARTING = 'Starting process with command'
/** The longest exit status: 3 digits. */
const MAX_STATUS_DIGITS = 3

/** The event of the platform's message `line[start, end)`, else undefined. */
export function messageEvent(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  if (start >= end) return undefined
  if (context.origin !== 'platform') {
    return context.origin === 'api' ? releaseEvent(line.slice(start, end), context.time) : routerRequest(line, start, end, context)
  }

  switch (line.charCodeAt(start)) {
  case Char.UpperC: {
    return isExactly(line, start, end, 'Cycling') ? dynoEvent({action: 'cycling'}, context) : undefined
  }

  case Char.UpperE: {
    return memoryError(line, start, end, context) ?? linesDropped(line, start, end, context)
  }

  case Char.UpperP: {
    if (line.startsWith(PROCESS_RUNNING, start)) return memoryReading(line, start + PROCESS_RUNNING.length, end, context)
    return processExited(line, start, end, context)
  }

  case Char.UpperR: {
    return isExactly(line, start, end, 'Restarting') ? dynoEvent({action: 'restarting'}, context) : undefined
  }

  case Char.UpperS: {
    return stateChange(line, start, end, context)
  }

  default: {
    return metricEvent(line, start, end, context)
  }
  }
}

/** Completes the change in place: one object per event, no spread on the hot path. */
function dynoEvent(change: DynoStateChange, context: LineContext): DynoEvent {
  const event = change as DynoEvent
  event.dyno = context.dyno
  event.kind = 'dyno'
  event.time = context.time
  event.type = processTypeOf(event.dyno)
  return event
}

/** `Error R14 (Memory quota exceeded)`, `Error R15 (Memory quota vastly exceeded)`. */
function memoryError(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  if (end < start + 9 || !line.startsWith('Error R1', start) || (end > start + 9 && line.charCodeAt(start + 9) !== Char.Space)) return undefined
  const digit = line.charCodeAt(start + 8)
  const code = digit === Char.Digit4 ? 'R14' : (digit === Char.Digit5 ? 'R15' : undefined)
  if (!code) return undefined
  const {dyno} = context
  return {
    code, dyno, kind: 'error', time: context.time, type: processTypeOf(dyno),
  }
}

/** `Process exited with status 137`; old logs say `Process exited` alone. */
function processExited(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  if (!line.startsWith(PROCESS_EXITED, start)) return undefined
  const withStart = start + PROCESS_EXITED.length
  if (withStart === end) return dynoEvent({action: 'exited'}, context)
  const statusStart = withStart + WITH_STATUS.length
  if (!line.startsWith(WITH_STATUS, withStart) || end - statusStart > MAX_STATUS_DIGITS) return undefined
  const status = readDigits(line, statusStart, end - statusStart)
  return status >= 0 ? dynoEvent({action: 'exited', status}, context) : undefined
}

/** `State changed from up to crashed`, `Starting process with command ...`, `Stopping ... with SIGTERM|SIGKILL`. */
function stateChange(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  if (line.startsWith(STATE_CHANGED, start)) {
    const fromStart = start + STATE_CHANGED.length
    const to = line.indexOf(' to ', fromStart)
    if (to === -1 || to >= end || !isWord(line, fromStart, to) || !isWord(line, to + 4, end)) return undefined
    const toState = line.slice(to + 4, end)
    return dynoEvent({action: toState === 'crashed' ? 'crashed' : 'state', from: line.slice(fromStart, to), to: toState}, context)
  }

  if (line.startsWith(STARTING, start)) {
    let commandStart = start + STARTING.length
    if (line.charCodeAt(commandStart) === Char.Colon) commandStart++
    if (line.charCodeAt(commandStart) !== Char.Space) return undefined
    return dynoEvent({action: 'starting', command: commandOf(line, commandStart + 1, end)}, context)
  }

  if (line.startsWith('Stopping ', start)) {
    const kill = line.indexOf('SIGKILL', start)
    if (kill !== -1 && kill < end) return dynoEvent({action: 'sigkill'}, context)
    const term = line.indexOf('SIGTERM', start)
    if (term !== -1 && term < end) return dynoEvent({action: 'stopping'}, context)
    return undefined
  }

  return metricEvent(line, start, end, context)
}

/** `1013M(197.9%)` or `1028MB(103.3%)` after `Process running mem=`. */
function memoryReading(line: string, start: number, end: number, context: LineContext): LogEvent | undefined {
  const {dyno, read, time} = context
  const open = line.indexOf('(', start)
  if (open === -1 || open >= end) return undefined
  const amount = readNumber(line, start, open, read)
  const mem = amount * sizeUnitFactor(line, read.end, open)
  const percent = readNumber(line, open + 1, end, read)
  const percentEnd = read.end
  if (percentEnd + 2 > end || line.charCodeAt(percentEnd) !== Char.Percent || line.charCodeAt(percentEnd + 1) !== Char.CloseParen) return undefined
  if (!Number.isFinite(mem) || !Number.isFinite(percent)) return undefined
  return {
    dyno, kind: 'reading', mem, percent, time, type: processTypeOf(dyno),
  }
}

/** The command between backticks (one-off dynos add ` by user ...` after them), else the rest of the line. */
function commandOf(line: string, start: number, end: number): string {
  if (line.charCodeAt(start) === Char.Backtick) {
    const close = line.lastIndexOf('`', end - 1)
    if (close > start) return line.slice(start + 1, close)
  }

  return line.slice(start, end)
}
