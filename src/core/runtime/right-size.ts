/**
 * The cheapest dyno size and count that holds a process type's observed peak with headroom.
 * With a known per-process figure (dyno level / workers) the count can trade against the size:
 * 4 workers on two 1 GB dynos or on four 512 MB ones; without it, each dyno must hold the peak.
 */
import {limitsForSize} from '../quotas.js'
import {monthlyPrice} from './dyno-prices.js'

/** Sizes a type may move to, smallest first (those with a price: a cost is what this compares). */
const CANDIDATES = ['Standard-1X', 'Standard-2X', 'Performance-M', 'Performance-L']
/** The peak may use at most this share of a candidate's quota: R14 starts just above 100%. */
export const PEAK_HEADROOM = 0.8

export interface Formation {
  size: string
  count: number
  monthlyUsd: number
  /** Workers per dyno, when the plan moves workers between dynos. */
  workersPerDyno?: number
}

export interface RightSizeInput {
  size?: string
  count: number
  peakMb: number
  /** Per-process memory and workers per dyno today, when known. */
  perProcessMb?: number
  workers?: number
}

export interface RightSizePlan {
  today?: Formation
  plan: Formation
}

/** The cheapest formation that holds the peak; undefined when today's already is the cheapest or nothing fits. */
export function rightSize(input: RightSizeInput): RightSizePlan | undefined {
  const todayPrice = monthlyPrice(input.size)
  const today: Formation | undefined = input.size !== undefined && todayPrice !== undefined
    ? {
      count: input.count, monthlyUsd: todayPrice * input.count, size: input.size, workersPerDyno: input.workers,
    }
    : undefined
  let best: Formation | undefined
  for (const size of CANDIDATES) {
    const {quota} = (limitsForSize(size)!)
    const price = monthlyPrice(size)!
    const formation = fit(input, size, quota, price)
    if (formation && (!best || formation.monthlyUsd < best.monthlyUsd)) best = formation
  }

  if (!best) return undefined
  if (today && best.size.toLowerCase() === today.size.toLowerCase() && best.count === today.count) return undefined
  return {plan: best, today}
}

function fit(input: RightSizeInput, size: string, quota: number, price: number): Formation | undefined {
  const room = PEAK_HEADROOM * quota
  if (input.perProcessMb !== undefined && input.workers !== undefined && input.workers > 1) {
    // Keep the processes the type runs today; spread them over as few dynos as hold them.
    const processes = input.workers * input.count
    const perDyno = Math.min(processes, Math.floor(room / input.perProcessMb))
    if (perDyno < 1) return undefined
    const count = Math.ceil(processes / perDyno)
    return {
      count, monthlyUsd: count * price, size, workersPerDyno: Math.ceil(processes / count),
    }
  }

  if (input.peakMb > room) return undefined
  return {count: input.count, monthlyUsd: input.count * price, size}
}
