/** Memory quotas and R15 kill thresholds by dyno size (Cedar), from Heroku's published limits. */

export interface DynoLimits {
  /** R15 kill threshold as a multiple of the quota (2 where there is swap, 1 on Private/Shield). */
  killFactor: number
  /** MiB */
  quota: number
}

const GB = 1024

const CEDAR: Record<string, DynoLimits> = {
  basic: {killFactor: 2, quota: 512},
  eco: {killFactor: 2, quota: 512},
  free: {killFactor: 2, quota: 512},
  hobby: {killFactor: 2, quota: 512},
  'performance-2xl': {killFactor: 1.2, quota: 126 * GB},
  'performance-l': {killFactor: 2, quota: 14 * GB},
  'performance-l-ram': {killFactor: 1.2, quota: 30 * GB},
  'performance-m': {killFactor: 2, quota: 2.5 * GB},
  'performance-xl': {killFactor: 1.2, quota: 62 * GB},
  'standard-1x': {killFactor: 2, quota: 512},
  'standard-2x': {killFactor: 2, quota: GB},
}

/** Quota for a dyno size name as the API spells it (`Standard-1X`, `performance-m`, `Private-M`, `dyno-2c-4gb`). */
export function limitsForSize(size: string | undefined): DynoLimits | undefined {
  if (!size) return undefined
  const name = size.trim().toLowerCase()
  if (CEDAR[name]) return CEDAR[name]
  // Private-*/Shield-* mirror the Performance sizes but have no swap: killed at the quota.
  const isolated = /^(private|shield)-(.+)$/.exec(name)
  if (isolated) {
    const base = CEDAR[`performance-${isolated[2]}`] ?? (isolated[2] === 's' ? CEDAR['standard-1x'] : undefined)
    return base && {killFactor: 1, quota: base.quota}
  }

  // Fir sizes carry their memory in the name and are restarted at 100%.
  const fir = /(\d+(?:\.\d+)?)\s*gb$/.exec(name)
  if (fir) return {killFactor: 1, quota: Number(fir[1]) * GB}
  return undefined
}

/** The quota to judge a sample by: the line's own `memory_quota`, else the size's, else Heroku's smallest (512 MiB). */
export function effectiveQuota(lineQuota: number | undefined, size: string | undefined): number {
  if (lineQuota !== undefined && lineQuota > 0) return lineQuota
  return limitsForSize(size)?.quota ?? 512
}

/**
 * The quota a `Process running mem=1187M(231.8%)` line was measured against (512 here): mem / %,
 * snapped to a Cedar quota within 3% (both numbers are rounded in the line), else rounded.
 */
export function quotaFromReading(memMb: number, percent: number | undefined): number | undefined {
  if (percent === undefined || !(percent > 0) || !(memMb > 0)) return undefined
  const implied = memMb / (percent / 100)
  const known = Object.values(CEDAR).find(limits => Math.abs(limits.quota - implied) <= 0.03 * limits.quota)
  return known?.quota ?? Math.round(implied)
}
