/**
 * Which routes become regressors, and which of them cannot be told apart. A route needs enough
 * requests to estimate anything; the busiest are kept and the rest pooled as `other`. Routes that always come together (a page and the XHR it makes) have proportional
 * counts in every interval: no method can split their cost, so they share one column and the
 * output says so.
 */
import type {IntervalTable} from './interval-table.js'

import {OTHER_ROUTE} from './route-template.js'

/** A route with fewer requests than this in the window cannot carry an estimate: pooled as `other`. */
const MIN_REQUESTS = 10
/** ... nor one seen in fewer intervals than this. */
const MIN_INTERVALS = 5
/**
 * Partial correlation (given each interval's total requests) above which two routes are one
 * column. Independent routes sit near 0 whatever the load; routes fired together sit near 1.
 */
export const TIED_CORRELATION = 0.9

export interface RouteColumns {
  /** Column of each route id, -1 when the route takes no part. */
  columnOf: Int32Array
  /** Route templates in each column (one unless tied). */
  members: string[][]
  /** Display name per column: `GET /a` or `GET /a + POST /b`. */
  names: string[]
}

/** The busiest `limit` routes with enough requests, tied ones merged, the rest pooled as `other`. */
export function chooseColumns(intervals: IntervalTable, routes: readonly string[], limit: number): RouteColumns {
  const requests = new Float64Array(routes.length)
  const seen = new Float64Array(routes.length)
  const {routeCounts, routeIds} = intervals
  for (let k = 0; k < intervals.routeStart[intervals.length]; k++) {
    requests[routeIds[k]] += routeCounts[k]
    seen[routeIds[k]]++
  }

  const ranked = routes.map((_, id) => id)
  .filter(id => routes[id] !== OTHER_ROUTE && requests[id] >= MIN_REQUESTS && seen[id] >= MIN_INTERVALS)
  .sort((x, y) => requests[y] - requests[x])
  const kept = ranked.slice(0, limit)
  const groups = tiedGroups(intervals, kept, routes.length)
  const columnOf = new Int32Array(routes.length).fill(-1)
  const members: string[][] = []
  for (const group of groups) {
    for (const id of group) columnOf[id] = members.length
    members.push(group.map(id => routes[id]))
  }

  const pooled = routes.map((_, id) => id).filter(id => columnOf[id] === -1 && requests[id] > 0)
  if (pooled.length > 0) {
    for (const id of pooled) columnOf[id] = members.length
    members.push([OTHER_ROUTE])
  }

  return {columnOf, members, names: members.map(group => group.join(' + '))}
}

/** Route ids grouped by tied counts (union-find over pairs above TIED_CORRELATION), busiest first. */
function tiedGroups(intervals: IntervalTable, kept: readonly number[], routeCount: number): number[][] {
  const m = kept.length
  const slot = new Int32Array(routeCount).fill(-1)
  for (const [index, id] of kept.entries()) slot[id] = index
  const products = residualProducts(intervals, slot, m)
  const correlation = (j: number, k: number): number => {
    const sxx = products[(j * m) + j]
    const syy = products[(k * m) + k]
    return sxx > 0 && syy > 0 ? products[(j * m) + k] / Math.sqrt(sxx * syy) : 0
  }

  const parent = kept.map((_, index) => index)
  const root = (index: number): number => {
    if (parent[index] !== index) parent[index] = root(parent[index])
    return parent[index]
  }

  for (let j = 0; j < m; j++) {
    for (let k = j + 1; k < m; k++) {
      if (correlation(j, k) >= TIED_CORRELATION) parent[root(k)] = root(j)
    }
  }

  const groups = new Map<number, number[]>()
  for (const [index, id] of kept.entries()) {
    const key = root(index)
    const group = groups.get(key)
    if (group) group.push(id)
    else groups.set(key, [id])
  }

  return [...groups.values()]
}

/**
 * Sums of products of the kept routes' residual counts (what is left of each after a least-squares
 * line on the interval's total requests), over the intervals: entry (j, k), j <= k, of an m x m
 * array. Three passes over the table with one interval's counts at a time: an m x n array of
 * counts per interval was the biggest thing alive while columns were chosen (~86 MB at 40 routes
 * and a 1 GB log). Each sum adds the same terms in the same order as over whole columns.
 */
function residualProducts(intervals: IntervalTable, slot: Int32Array, m: number): Float64Array {
  const n = intervals.length
  const {requests, routeCounts, routeIds, routeStart} = intervals
  const row = new Float64Array(m)
  /** The interval's requests per kept route (0 for the others), into `row`. */
  const countsOf = (i: number): void => {
    row.fill(0)
    for (let k = routeStart[i]; k < routeStart[i + 1]; k++) {
      const index = slot[routeIds[k]]
      if (index !== -1) row[index] = routeCounts[k]
    }
  }

  let meanX = 0
  const meanY = new Float64Array(m)
  for (let i = 0; i < n; i++) {
    meanX += requests[i] / n
    // Counts are never negative: adding the absent ones' 0 / n changes no sum.
    for (let k = routeStart[i]; k < routeStart[i + 1]; k++) {
      const index = slot[routeIds[k]]
      if (index !== -1) meanY[index] += routeCounts[k] / n
    }
  }

  let sxx = 0
  const sxy = new Float64Array(m)
  for (let i = 0; i < n; i++) {
    countsOf(i)
    const x = requests[i] - meanX
    for (let j = 0; j < m; j++) sxy[j] += x * (row[j] - meanY[j])
    sxx += x ** 2
  }

  const slope = sxy.map(value => (sxx > 0 ? value / sxx : 0))
  const products = new Float64Array(m * m)
  for (let i = 0; i < n; i++) {
    countsOf(i)
    const x = requests[i] - meanX
    for (let j = 0; j < m; j++) row[j] = row[j] - meanY[j] - (slope[j] * x)
    for (let j = 0; j < m; j++) for (let k = j; k < m; k++) products[(j * m) + k] += row[j] * row[k]
  }

  return products
}
