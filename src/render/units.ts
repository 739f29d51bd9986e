/** Number formats shared by every renderer. Memory values are MiB, which Heroku calls MB. */

export function formatMb(mb: number): string {
  if (mb >= 10_240) return `${(mb / 1024).toFixed(1)}GB`
  return `${mb.toFixed(mb >= 100 ? 0 : 1)}MB`
}

export function percentOf(value: number, quota: number): number {
  return quota > 0 ? (value / quota) * 100 : 0
}

export function formatPercent(percent: number): string {
  return `${percent.toFixed(percent >= 100 ? 0 : 1)}%`
}

/** ISO time without milliseconds: `2026-11-20T10:12:00Z`. */
export function formatTime(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const BLOCKS = '▁▂▃▄▅▆▇█'

/** A one-line chart of recent values, scaled from 0 to max(quota, values). */
export function sparkline(values: readonly number[], quota: number, width: number): string {
  const shown = values.slice(-width)
  let top = quota
  for (const value of shown) if (value > top) top = value
  if (top <= 0) return ''
  let out = ''
  for (const value of shown) {
    const index = Math.min(BLOCKS.length - 1, Math.max(0, Math.floor((value / top) * BLOCKS.length)))
    out += BLOCKS[index]
  }

  return out
}

/** A whole number with thousands separators: `131,850`. */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

/** `1 dyno`, `3 dynos`, `131,850 samples`. */
export function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? '' : 's'}`
}
