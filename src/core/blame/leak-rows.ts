/**
 * The leak regression's rows (leak.ts), read from blame's interval table: per sample [hours since
 * its segment began, all requests / 1000, requests in flight, requests / 1000 per column], every
 * column centred within its segment (removing the segment's level), and memory (RSS + swap, MiB)
 * centred alike. The rows are worked out again from the table on each pass, not kept: n x p
 * doubles were ~50 MB of a 1 GB log's fit at 20 routes (~90 at 40), and a pass costs little next
 * to the sums it feeds. Each pass computes every value the same way, so every pass sees the same rows.
 */
import type {DesignRows} from './inference.js'
import type {IntervalTable} from './interval-table.js'
import type {Design} from './robust-nnls.js'
import type {RouteColumns} from './route-columns.js'

import {contiguousRuns} from './jumps.js'

/**
 * Columns before the routes: hours (background growth), all requests so far (a cost every request
 * pays) and the requests in flight at the sample. Memory that grows with traffic as a whole is not
 * any one route's doing: without that column it lands on the busiest route, the one most like total
 * traffic. Memory held in flight rises and falls with the load and the mix: without its column, at
 * many threads, 7 of 20 simulated runs with no guilty route named one (3 with it).
 */
export const SHARED_COLUMNS = 3
/** Samples per segment (1 h): each has its own level. */
const SEGMENT_SAMPLES = 180
/**
 * Samples per block (30 min): the unit of the jackknife and the bootstrap. With 10-minute blocks
 * (and sandwich errors) a step too small to detect passed for evidence: routes were named in 2-4
 * of 20 simulated runs where none was guilty.
 */
const BLOCK_SAMPLES = 90
/** A run of contiguous samples shorter than this carries too little to fit its own level. */
const MIN_SEGMENT_SAMPLES = 15

/** Intervals run[from ... to - 1] (positions in a contiguous run): one level. */
interface Segment {
  from: number
  /** Per column its mean over the segment, then memory's. */
  means: Float64Array
  run: number[]
  to: number
}

export class LeakRows implements DesignRows {
  /** Block (jackknife, bootstrap) of each row. */
  readonly blockOf: Int32Array
  readonly blocks: number
  readonly columns: number
  /** Requests of each route column in the samples fitted. */
  readonly requests: Float64Array
  readonly rows: number
  /** Memory at each row's sample, centred. */
  readonly target: Float64Array
  private readonly centred: Float64Array
  private readonly raw: Float64Array
  private readonly segments: Segment[] = []

  /**
   * Runs of back-to-back intervals cut into segments, each with its own level: at every jump (so a
   * step, whatever its measured size, never leaks into the fit) and every SEGMENT_SAMPLES samples
   * (so a slow drift or a step too small to see shifts one segment, not the rest of the log).
   * Segments too short to fit a level are left out.
   */
  constructor(private readonly intervals: IntervalTable, breaks: ReadonlySet<number>, private readonly routeColumns: RouteColumns) {
    const m = routeColumns.names.length
    const p = SHARED_COLUMNS + m
    this.columns = p
    this.raw = new Float64Array(p)
    this.centred = new Float64Array(p)
    const keep = (run: number[], from: number, to: number): void => {
      if (to - from >= MIN_SEGMENT_SAMPLES) this.segments.push({
        from, means: new Float64Array(p + 1), run, to,
      })
    }

    for (const run of contiguousRuns(intervals)) {
      let from = 0
      for (let position = 1; position < run.length; position++) {
        if (!breaks.has(run[position]) && position - from <= SEGMENT_SAMPLES) continue
        keep(run, from, position)
        from = position
      }

      keep(run, from, run.length)
    }

    this.rows = this.segments.reduce((sum, segment) => sum + segment.to - segment.from, 0)
    this.target = new Float64Array(this.rows)
    this.blockOf = new Int32Array(this.rows)
    this.requests = new Float64Array(m)
    let blocks = 0
    let row = 0
    for (const segment of this.segments) {
      // Each segment has its own level: centring every column within it removes that level.
      const length = segment.to - segment.from
      const {means} = segment
      this.rawRows(segment, (k, values) => {
        for (let j = 0; j < p; j++) means[j] += values[j] / length
        means[p] += this.intervals.endMb[segment.run[segment.from + k]] / length
      })
      for (let j = 0; j < m; j++) this.requests[j] += this.raw[j + SHARED_COLUMNS] * 1000
      for (let k = 0; k < length; k++) {
        this.target[row] = this.intervals.endMb[segment.run[segment.from + k]] - means[p]
        this.blockOf[row] = blocks + Math.floor(k / BLOCK_SAMPLES)
        row++
      }

      blocks += Math.ceil(length / BLOCK_SAMPLES)
    }

    this.blocks = blocks
  }

  /** Each row's centred values, in order (one array, reused: read it before returning). */
  eachRow(visit: (i: number, row: Float64Array) => void): void {
    const {centred, columns: p} = this
    let row = 0
    for (const segment of this.segments) {
      const {means} = segment
      this.rawRows(segment, (_, values) => {
        for (let j = 0; j < p; j++) centred[j] = values[j] - means[j]
        visit(row++, centred)
      })
    }
  }

  /** Some columns, in the order given, as a dense design (the small robust fits). */
  select(columns: readonly number[]): Design {
    const q = columns.length
    const values = new Float64Array(this.rows * q)
    this.eachRow((i, row) => {
      for (const [k, column] of columns.entries()) values[(i * q) + k] = row[column]
    })
    return {columns: q, rows: this.rows, values}
  }

  /** The segment's rows before centring, in order; the last stays in `raw`. */
  private rawRows(segment: Segment, visit: (k: number, values: Float64Array) => void): void {
    const {intervals, raw} = this
    const {columnOf} = this.routeColumns
    const origin = intervals.start[segment.run[segment.from]]
    raw.fill(0)
    let all = 0
    for (let k = 0; k < segment.to - segment.from; k++) {
      const index = segment.run[segment.from + k]
      const start = intervals.start[index]
      const end = intervals.end[index]
      for (let r = intervals.routeStart[index]; r < intervals.routeStart[index + 1]; r++) {
        const column = columnOf[intervals.routeIds[r]]
        if (column !== -1) raw[SHARED_COLUMNS + column] += intervals.routeCounts[r] / 1000
      }

      all += intervals.requests[index] / 1000
      raw[0] = (end - origin) / 3_600_000
      raw[1] = all
      // Requests in flight at the sample that closes the interval: about those started in it, for their service time.
      raw[2] = end > start ? intervals.serviceMs[index] / (end - start) : 0
      visit(k, raw)
    }
  }
}
