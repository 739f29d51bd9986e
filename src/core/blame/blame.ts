/**
 * mem:blame's core: router requests and memory samples -> per-interval counts -> per process type,
 * a jump test (bloat) and a leak regression -> suspects ranked by the memory they account for, and
 * what this log cannot show. Pure: the caller feeds events and gets plain data back.
 */
import type {LogEvent, RouterRequest} from '../events.js'
import type {
  BlameLimit, BlameResult, BlameSuspect, BlameTypeSummary, RouteFinding,
} from './blame-schema.js'

import {ALPHA} from './inference.js'
import {type IntervalTable} from './interval-table.js'
import {IntervalBuilder, type IntervalData} from './intervals.js'
import {
  findJumps, MIN_JUMPS, type RouteJumpEvidence, testJumps,
} from './jumps.js'
import {fitLeak, type LeakFit} from './leak.js'
import {chooseColumns, type RouteColumns} from './route-columns.js'

/** A jump suspect must be at least this over-represented: a busy route in busy moments is not a cause. */
const MIN_LIFT = 2
/** ... and present in at least this many jumps. */
const MIN_JUMPS_WITH_ROUTE = 3
/** Requests in flight per dyno above which one interval mixes too many requests to read well. */
const BLURRING_CONCURRENCY = 8
/** Less than this much data per type (about 1.5 h of one dyno) is called short. */
const SHORT_INTERVALS = 270
/** Share of requests that could not be placed above which the output says so. */
const UNPLACED_SHARE = 0.1
/**
 * Routes each test looks at (the rest pooled as `other`): a route that bloats or leaks is often
 * rare. The leak fit adds routes one at a time (forward selection), so a column costs it only
 * its share of the Holm correction, not a coefficient.
 */
const ROUTE_COLUMNS = 40
/** Fixed seeds: the same log gives the same p-values and intervals on every run. */
const JUMP_SEED = 1
const LEAK_SEED = 2

export interface BlameOptions {
  /** `Error L10` lines seen: Logplex dropped lines, router lines among them. */
  lostLineWarnings?: number
}

/** What the blame core reads: intervals and the time they span (from a log, BlameAccumulator; from the store, StoredIntervals). */
export interface BlameSource {
  from: number
  result(): IntervalData
  to: number
}

/** Gathers events in log order; bounded by intervals, not requests. */
export class BlameAccumulator implements BlameSource {
  from = Number.POSITIVE_INFINITY
  to = Number.NEGATIVE_INFINITY
  private readonly builder = new IntervalBuilder()

  /** Requests and memory samples seen so far. */
  counts(): {requests: number; samples: number} {
    return this.builder.counts()
  }

  add(event: LogEvent | RouterRequest): void {
    if (event.kind === 'router') this.builder.addRequest(event)
    else if (event.kind === 'memory') this.builder.addSample(event)
    else return
    if (event.time < this.from) this.from = event.time
    if (event.time > this.to) this.to = event.time
  }

  result(): IntervalData {
    return this.builder.result()
  }
}

export function buildBlame(accumulator: BlameSource, options: BlameOptions = {}): BlameResult {
  const data = accumulator.result()
  const types: BlameTypeSummary[] = []
  const suspects: BlameSuspect[] = []
  for (const intervals of [...data.tables].sort((x, y) => x.type.localeCompare(y.type))) {
    if (sumOf(intervals.requests, intervals.length) === 0) continue
    const analysis = analyseType(intervals, data)
    types.push(analysis.summary)
    suspects.push(...analysis.suspects)
  }

  suspects.sort((x, y) => y.mbExplained - x.mbExplained)
  return {
    from: accumulator.from,
    limits: limitsOf(data, types, options),
    requests: data.requests,
    samples: data.samples,
    suspects,
    to: accumulator.to,
    types,
    unplaced: data.unplaced,
  }
}

function analyseType(intervals: IntervalTable, data: IntervalData): {summary: BlameTypeSummary; suspects: BlameSuspect[]} {
  const {type} = intervals
  const columns = chooseColumns(intervals, data.routes, ROUTE_COLUMNS)
  const jumpIndex = findJumps(intervals)
  const jumpEvidence = jumpIndex.jumps.length >= MIN_JUMPS ? testJumps(intervals, jumpIndex, columns, JUMP_SEED) : []
  const leak = fitLeak(intervals, jumpIndex.breaks, columns, LEAK_SEED)
  const requests = columnRequests(columns, data)
  const byRoute = columns.names.map((route, column) => {
    const known = {
      finding: {requests: requests[column], route} as RouteFinding, jumpMb: 0, leakMb: 0, members: columns.members[column],
    }
    if (jumpEvidence[column]) {
      known.finding.jumps = jumpFinding(jumpEvidence[column], jumpIndex.jumps.length)
      known.jumpMb = jumpEvidence[column].jumpMb
    }

    if (leak) {
      known.finding.leak = leakFinding(leak, column)
      known.leakMb = leak.routes[column].mbPer1000 * leak.routes[column].requests / 1000
    }

    return known
  })
  const routes = [...byRoute].sort((x, y) => y.finding.requests - x.finding.requests)
  const suspects: BlameSuspect[] = []
  for (const {finding, jumpMb, leakMb, members} of routes) {
    const leakSuspect = isLeakSuspect(finding)
    const jumpSuspect = isJumpSuspect(finding)
    if (!leakSuspect && !jumpSuspect) continue
    suspects.push({
      jumps: jumpSuspect ? finding.jumps : undefined,
      leak: leakSuspect ? finding.leak : undefined,
      mbExplained: (leakSuspect ? leakMb : 0) + (jumpSuspect ? jumpMb : 0),
      requests: finding.requests,
      route: finding.route,
      tiedWith: members.length > 1 ? members : undefined,
      type,
    })
  }

  let wallMs = 0
  for (let i = 0; i < intervals.length; i++) wallMs += intervals.end[i] - intervals.start[i]
  const serviceMs = sumOf(intervals.serviceMs, intervals.length)
  return {
    suspects,
    summary: {
      backgroundMbPerHour: leak?.backgroundMbPerHour,
      concurrency: wallMs > 0 ? serviceMs / wallMs : 0,
      sharedMbPer1000: leak?.commonMbPer1000,
      dynos: new Set(intervals.tracks.map(track => track.dyno)).size,
      intervals: intervals.length,
      jumpThresholdMb: jumpIndex.thresholdMb,
      jumps: jumpIndex.jumps.length,
      requests: sumOf(intervals.requests, intervals.length),
      routes: routes.map(({finding}) => finding),
      tied: columns.members.filter(group => group.length > 1),
      type,
      leakBlocks: leak?.blocks ?? 0,
    },
  }
}

/** The first `length` values summed in order. */
function sumOf(values: Float64Array | Int32Array, length: number): number {
  let sum = 0
  for (let i = 0; i < length; i++) sum += values[i]
  return sum
}

/**
 * A significant, positive cost whose whole bootstrap interval is above zero. The interval alone
 * was not enough (its lower bound sits at 0 whenever routes trade places); the test alone named a
 * route in 3-4 of 40 simulated runs where none was guilty, always one whose interval reached 0.
 */
function isLeakSuspect(finding: RouteFinding): boolean {
  const {leak} = finding
  return Boolean(leak && leak.adjustedP < ALPHA && leak.mbPer1000 > 0 && leak.mbPer1000Lower > 0)
}

function isJumpSuspect(finding: RouteFinding): boolean {
  const {jumps} = finding
  return Boolean(jumps && jumps.adjustedP < ALPHA && jumps.lift >= MIN_LIFT && jumps.jumpsWithRoute >= MIN_JUMPS_WITH_ROUTE)
}

function jumpFinding(evidence: RouteJumpEvidence, jumps: number): RouteFinding['jumps'] {
  return {
    adjustedP: evidence.adjustedP, jumps, jumpsWithRoute: evidence.jumpsWithRoute, lift: evidence.lift,
  }
}

function leakFinding(leak: LeakFit, column: number): RouteFinding['leak'] {
  const estimate = leak.routes[column]
  return {
    adjustedP: estimate.adjustedP, mbPer1000: estimate.mbPer1000, mbPer1000Lower: estimate.mbPer1000Lower, mbPer1000Upper: estimate.mbPer1000Upper,
  }
}

/** Requests per column over the whole log (every dyno type: the router does not say which served what else). */
function columnRequests(columns: RouteColumns, data: IntervalData): number[] {
  const out = Array.from({length: columns.names.length}, () => 0)
  for (const [id, totals] of data.routeTotals.entries()) {
    const column = columns.columnOf[id]
    if (column !== -1) out[column] += totals.requests
  }

  return out
}

function limitsOf(data: IntervalData, types: BlameTypeSummary[], options: BlameOptions): BlameLimit[] {
  const limits: BlameLimit[] = []
  if (data.requests === 0) {
    limits.push({code: 'no-router-lines', message: 'No router lines: the log must come from a session without a dyno or type filter (router lines come from heroku[router]).'})
    return limits
  }

  for (const type of types) {
    if (type.concurrency >= BLURRING_CONCURRENCY) {
      limits.push({code: 'concurrency', message: `${type.type} dynos served ~${Math.round(type.concurrency)} requests at once: each interval mixes many requests, so one route's cost is blurred (a longer log helps).`})
    }

    if (type.jumps < MIN_JUMPS) {
      limits.push({code: 'few-jumps', message: `${type.type}: ${type.jumps} memory jump${type.jumps === 1 ? '' : 's'} (>= ${type.jumpThresholdMb.toFixed(0)}MB that stayed): too few to tell which route causes them (needs ${MIN_JUMPS}).`})
    }

    if (type.intervals < SHORT_INTERVALS) {
      limits.push({code: 'short-log', message: `${type.type}: ${Math.round(type.intervals / 180 * 10) / 10} dyno-hours of samples: small per-request costs need a few hours (--duration 2h or more saved logs).`})
    }
  }

  if (data.unplaced > UNPLACED_SHARE * data.requests) {
    limits.push({code: 'unplaced', message: `${data.unplaced} of ${data.requests} requests fell outside any sample interval (no memory samples for their dyno, restarts, gaps): they were not counted.`})
  }

  if (options.lostLineWarnings) {
    limits.push({code: 'lost-lines', message: `Logplex dropped lines ${options.lostLineWarnings} time${options.lostLineWarnings === 1 ? '' : 's'} (Error L10): requests missing from the log make every estimate low and noisier.`})
  }

  return limits
}
