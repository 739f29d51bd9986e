/**
 * Bloat: memory that steps up within one interval and stays up. Which routes were served more
 * often in the intervals where memory jumped than in intervals picked at random from the same
 * dynos? A permutation test per route (stratified by dyno), Holm-corrected across routes.
 */
import type {IntervalTable} from './interval-table.js'
import type {RouteColumns} from './route-columns.js'

import {median, robustScale} from '../report/robust-stats.js'
import {holmAdjust} from './inference.js'
import {SeededRandom} from './seeded-random.js'

/** A step smaller than this is never a jump, however quiet the dyno: allocator noise. */
export const MIN_JUMP_MB = 10
/** ... nor one within this many noise scales of the step statistic (its robust SD over all intervals). */
const JUMP_NOISE_SCALES = 5
/**
 * The leak fit restarts its level at any step this many noise scales high: a step missed there
 * would read as a slow trend and land on whichever route's count happens to follow it. A false
 * break costs the fit little; a missed one can name the wrong route.
 */
const BREAK_NOISE_SCALES = 3.5
/**
 * The step at an interval: median of the next levels minus median of the previous ones (this
 * many each side). Medians ignore a lone sample that caught a burst of in-flight memory, and a
 * step that does not stay up for several samples is not a step.
 */
const SIDE_SAMPLES = 5
const MIN_AFTER_SAMPLES = 3
/** Below this many jumps the test has no power worth reporting. */
export const MIN_JUMPS = 5
const PERMUTATIONS = 999

export interface JumpIndex {
  /** Intervals with a step too small to test as a jump but big enough to restart the leak fit's level. */
  breaks: Set<number>
  /** Index (into the intervals given) of each jump interval. */
  jumps: number[]
  /** Step of each jump interval, MiB: what stayed. */
  sizes: Map<number, number>
  /** Intervals that could have been judged a jump (enough samples around them), by dyno instance. */
  strata: number[][]
  thresholdMb: number
}

export interface RouteJumpEvidence {
  /** Holm-adjusted permutation p-value. */
  adjustedP: number
  column: number
  /** Jumps whose interval served this route. */
  jumpsWithRoute: number
  /** Sum of those jumps, MiB. */
  jumpMb: number
  /** Route's share of requests in jump intervals / its share in all judged intervals. */
  lift: number
  p: number
}

/** Intervals of one process type, in time order per dyno. */
export function findJumps(intervals: IntervalTable): JumpIndex {
  const runs = contiguousRuns(intervals)
  const steps = new Float64Array(intervals.length).fill(Number.NaN)
  const all: number[] = []
  for (const run of runs) {
    const levels = [intervals.startMb[run[0]], ...run.map(index => intervals.endMb[index])]
    for (const [position, index] of run.entries()) {
      const after = levels.slice(position + 1, position + 1 + SIDE_SAMPLES)
      if (after.length < MIN_AFTER_SAMPLES) continue
      const before = levels.slice(Math.max(0, position + 1 - SIDE_SAMPLES), position + 1)
      steps[index] = median(after) - median(before)
      all.push(steps[index])
    }
  }

  const noise = robustScale(all)
  const thresholdMb = Math.max(MIN_JUMP_MB, JUMP_NOISE_SCALES * noise)
  const breakMb = BREAK_NOISE_SCALES * noise
  const breaks = new Set<number>()
  const jumps: number[] = []
  const sizes = new Map<number, number>()
  const strata: number[][] = []
  for (const run of runs) {
    const eligible = run.filter(index => !Number.isNaN(steps[index]))
    if (eligible.length > 0) strata.push(eligible)
    for (const [position, peak] of run.entries()) {
      const step = steps[peak]
      // The step statistic rises over the few intervals around a step: keep only its peak...
      if (!(step >= breakMb)) continue
      const around = run.slice(Math.max(0, position - SIDE_SAMPLES + 1), position + SIDE_SAMPLES)
      if (around.some(other => steps[other] > step || (steps[other] === step && other < peak))) continue
      // ... and place the step in the interval around it whose own change carries it: the peak
      // itself is often a neighbour (memory kept rising after the step, or noise before it).
      let index = peak
      for (const other of around) if (ownChange(intervals, other) > ownChange(intervals, index)) index = other
      if (ownChange(intervals, index) < step / 2 || breaks.has(index)) continue
      breaks.add(index)
      if (step < thresholdMb) continue
      jumps.push(index)
      sizes.set(index, step)
    }
  }

  return {
    breaks, jumps, sizes, strata, thresholdMb,
  }
}

function ownChange(intervals: IntervalTable, index: number): number {
  return intervals.endMb[index] - intervals.startMb[index]
}

/** Runs of back-to-back intervals of one dyno instance (a gap or a restart starts a new run). */
export function contiguousRuns(intervals: IntervalTable): number[][] {
  const runs: number[][] = []
  // The run now growing, per dyno instance (the table's tracks).
  const current: number[][] = []
  for (let index = 0; index < intervals.length; index++) {
    const track = intervals.track[index]
    const run = current[track]
    if (run && intervals.end[run.at(-1)!] === intervals.start[index]) {
      run.push(index)
      continue
    }

    const fresh = [index]
    current[track] = fresh
    runs.push(fresh)
  }

  return runs
}

/** Per column: does it turn up in jump intervals more than chance would put it there? */
export function testJumps(intervals: IntervalTable, index: JumpIndex, columns: RouteColumns, seed: number): RouteJumpEvidence[] {
  const m = columns.names.length
  /**
   * Adds interval i's requests to their columns, straight from the table's sparse counts (an
   * interval x column array was ~43 MB at 20 routes on a 1 GB log). Counts are whole numbers:
   * summed in any order they come out the same.
   */
  const addCounts = (into: Float64Array, i: number): void => {
    for (let k = intervals.routeStart[i]; k < intervals.routeStart[i + 1]; k++) {
      const column = columns.columnOf[intervals.routeIds[k]]
      if (column !== -1) into[column] += intervals.routeCounts[k]
    }
  }

  const isJump = new Set(index.jumps)
  const observed = new Float64Array(m)
  const withRoute = new Float64Array(m)
  const jumpMb = new Float64Array(m)
  const row = new Float64Array(m)
  let jumpRequests = 0
  for (const jump of index.jumps) {
    jumpRequests += intervals.requests[jump]
    row.fill(0)
    addCounts(row, jump)
    for (let j = 0; j < m; j++) {
      const count = row[j]
      observed[j] += count
      if (count > 0) {
        withRoute[j]++
        jumpMb[j] += index.sizes.get(jump) ?? 0
      }
    }
  }

  const allCounts = new Float64Array(m)
  let allRequests = 0
  for (const stratum of index.strata) {
    for (const i of stratum) {
      allRequests += intervals.requests[i]
      addCounts(allCounts, i)
    }
  }

  // Permutations: the same number of jump intervals per dyno instance, drawn at random from it.
  const perStratum = index.strata.map(stratum => stratum.filter(i => isJump.has(i)).length)
  const random = new SeededRandom(seed)
  const atLeast = new Float64Array(m)
  const total = new Float64Array(m)
  for (let round = 0; round < PERMUTATIONS; round++) {
    total.fill(0)
    for (const [s, stratum] of index.strata.entries()) {
      // A partial Fisher-Yates shuffle in place: any order of the stratum is as good a start.
      const draw = stratum
      for (let d = 0; d < perStratum[s]; d++) {
        const pick = d + random.below(draw.length - d)
        const chosen = draw[pick]
        draw[pick] = draw[d]
        draw[d] = chosen
        addCounts(total, chosen)
      }
    }

    for (let j = 0; j < m; j++) if (total[j] >= observed[j]) atLeast[j]++
  }

  const p = Array.from(atLeast, count => (count + 1) / (PERMUTATIONS + 1))
  const adjusted = holmAdjust(p)
  return p.map((value, column) => ({
    adjustedP: adjusted[column],
    column,
    jumpMb: jumpMb[column],
    jumpsWithRoute: withRoute[column],
    lift: share(observed[column], jumpRequests) / share(allCounts[column], allRequests),
    p: value,
  }))
}

function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0
}
