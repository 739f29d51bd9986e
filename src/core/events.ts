/**
 * What the log parser emits. One small union, shared by tail, report and the watchdog.
 * All memory values are MiB (Heroku's "MB"), times are epoch milliseconds (UTC).
 */

/** Fields every platform event carries. */
export interface EventBase {
  /** Dyno name as Heroku shows it: `web.1`, `worker.3`, `run.1234`. Stable across restarts. */
  dyno: string
  /** Epoch ms of the log line's timestamp; NaN never appears (lines without a usable time are dropped). */
  time: number
  /** Process type: the part of the dyno name before the last dot (`web`, `worker`, `run`). */
  type: string
}

/** One `sample#memory_*` line (or a complete group of legacy `measure=memory_*` lines). */
export interface MemorySample extends EventBase {
  cache: number
  /** The `dyno=` value (`heroku.<app>.<uuid>`): changes at every restart; undefined when the line has none. */
  instance?: string
  kind: 'memory'
  pgpgin?: number
  pgpgout?: number
  /** `sample#memory_quota` when present; undefined otherwise (fall back to the dyno size's quota). */
  quota?: number
  rss: number
  /** A point standing for many samples (a stored rollup bucket, at its peak): the time those samples covered. */
  spanMs?: number
  swap: number
  /** `memory_total` as logged (rss + swap + cache); computed from the parts when missing. */
  total: number
}

export interface LoadSample extends EventBase {
  instance?: string
  kind: 'load'
  load1m?: number
  load5m?: number
  load15m?: number
}

/** `Error R14 (Memory quota exceeded)` / `Error R15 (Memory quota vastly exceeded)`. */
export interface MemoryError extends EventBase {
  code: 'R14' | 'R15'
  kind: 'error'
}

/**
 * `Process running mem=1013M(197.9%)`: the platform's own reading just before an R14/R15; also a
 * 2013 legacy sample that logged `memory_total` alone (no percent then).
 */
export interface MemoryReading extends EventBase {
  kind: 'reading'
  /** MiB */
  mem: number
  /** Percent of the quota, when the line gives one. */
  percent?: number
}

export type DynoStateChange =
  | {action: 'crashed' | 'state'; from: string; to: string}
  | {action: 'cycling'}
  /** Old logs say `Process exited` with no status. */
  | {action: 'exited'; status?: number}
  | {action: 'restarting'}
  | {action: 'sigkill'}
  | {action: 'starting'; command: string}
  | {action: 'stopping'}

/** Lifecycle lines: `Restarting`, `Cycling`, `State changed from up to crashed`, `Process exited with status 137`, ... */
export type DynoEvent = DynoStateChange & EventBase & {kind: 'dyno'}

/** `app[api]: Release v42 created by user ...`, `Deploy 1a2b3c4 by ...`, `Set FOO config vars by ...`, `Rollback to v12 by ...`, `Scaled to ...`. */
export interface ReleaseEvent {
  /** `release` for `Release vN created`, `deploy`, `config`, `rollback`, `scale` */
  action: 'config' | 'deploy' | 'release' | 'rollback' | 'scale'
  /** The message text after `app[api]: `, without the user's e-mail. */
  description: string
  kind: 'release'
  time: number
  /** Release version number when the line names one (`v42` -> 42). */
  version?: number
}

export type LogEvent = DynoEvent | LoadSample | MemoryError | MemoryReading | MemorySample | ReleaseEvent

/** RSS + swap, MiB: what R14 measures, and what every command calls a dyno's memory. */
export function usedMemory(sample: MemorySample): number {
  return sample.rss + sample.swap
}

/** Why a dyno restarted, when a lifecycle line says it did: the platform's or an API `Restarting`, the daily `Cycling`, a crash. */
export function restartCause(event: DynoEvent): 'crash' | 'cycling' | 'restart' | undefined {
  switch (event.action) {
  case 'restarting': {return 'restart'}
  case 'cycling': {return 'cycling'}
  case 'crashed': {return 'crash'}
  default: {return undefined}
  }
}

/**
 * `heroku[logplex]: Error L10 (output buffer overflow): drain 'd.…' dropped 12 messages since
 * 2025-10-22T14:24:27.798935+00:00.`: Logplex dropped lines, so the log has a gap. Not a
 * `LogEvent`: a parser emits it only to a caller that asks for it (`onLinesDropped`).
 */
export interface LinesDropped {
  /** Lines dropped, when the message says. */
  count?: number
  kind: 'dropped'
  /** Epoch ms of the first line dropped, when the message says. */
  since?: number
  /** When Logplex reported it. */
  time: number
}

/**
 * One request as the router logged it (`heroku[router]: at=info method=GET path="/x" ... dyno=web.3
 * connect=0ms service=2340ms status=200 bytes=880123 protocol=https`); `time` is when the response
 * finished. Not a `LogEvent`: a parser emits it only to a caller that asks for it (`onRouterRequest`).
 */
export interface RouterRequest {
  /** Response bytes; undefined when the line has none. */
  bytes?: number
  /** `H12` and the like on `at=error` lines. */
  code?: string
  /** The dyno that served the request (`dyno=`); empty when none did (e.g. H12 before a dyno took it). */
  dyno: string
  kind: 'router'
  method: string
  /** Path and query as logged. */
  path: string
  /** Milliseconds the dyno took (`service=`). */
  serviceMs: number
  status: number
  time: number
  /** The process type of `dyno` (`web`). */
  type: string
}

/** The process type of a dyno name: `web.1` -> `web`, `run.1234` -> `run`, `web` -> `web`. */
export function processTypeOf(dyno: string): string {
  const dot = dyno.lastIndexOf('.')
  return dot > 0 ? dyno.slice(0, dot) : dyno
}

/**
 * Whether a dyno is one a `-d NAME` / `-p TYPE` filter names: the name itself, or a dyno of the
 * type (`web` takes `web.1`, never `webhooks.1`; `web.1` never takes `web.10`), as Logplex filters.
 */
export function inDynoFilter(dyno: string, filter: {dyno?: string; type?: string}): boolean {
  return (!filter.dyno || dyno === filter.dyno) && (!filter.type || processTypeOf(dyno) === filter.type)
}

/** One-off dynos (`heroku run`, Heroku Scheduler, the release phase): in no formation, and a restart stops them. */
const ONE_OFF_TYPES = new Set(['release', 'run', 'scheduler'])

export function isOneOffType(type: string): boolean {
  return ONE_OFF_TYPES.has(type)
}
