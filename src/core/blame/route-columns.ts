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
  const n = intervals.length
  const m = kept.length
  const slot = new Int32Array(routeCount).fill(-1)
  for (const [index, id] of kept.entries()) slot[id] = index
  const counts = Array.from({length: m}, () => new Float64Array(n))
  const totals = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    totals[i] = intervals.requests[i]
    for (let k = intervals.routeStart[i]; k < intervals.routeStart[i + 1]; k++) {
      const index = slot[intervals.routeIds[k]]
      if (index !== -1) counts[index][i] = intervals.routeCounts[k]
    }
  }

  // In place: a second m x n array of residuals was the biggest thing alive while columns were chosen.
  const residual = counts.map(column => residualOn(column, totals))
  const parent = kept.map((_, index) => index)
  const root = (index: number): number => {
    if (parent[index] !== index) parent[index] = root(parent[index])
    return parent[index]
  }

  for (let j = 0; j < m; j++) {
    for (let k = j + 1; k < m; k++) {
      if (correlation(residual[j], residual[k]) >= TIED_CORRELATION) parent[root(k)] = root(j)
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

/** What is left of `values` after a least-squares line on `covariate`, written over `values`. */
function residualOn(values: Float64Array, covariate: Float64Array): Float64Array {
  const n = values.length
  let meanX = 0
  let meanY = 0
  for (let i = 0; i < n; i++) {
    meanX += covariate[i] / n
    meanY += values[i] / n
  }

  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (covariate[i] - meanX) * (values[i] - meanY)
    sxx += (covariate[i] - meanX) ** 2
  }

  const slope = sxx > 0 ? sxy / sxx : 0
  for (let i = 0; i < n; i++) values[i] = values[i] - meanY - (slope * (covariate[i] - meanX))
  return values
}

function correlation(x: Float64Array, y: Float64Array): number {
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (const [i, element] of x.entries()) {
    sxy += element * y[i]
    sxx += element * element
    syy += y[i] * y[i]
  }

  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0
}
