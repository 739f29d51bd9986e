import type {ReleaseMark} from '../core/report/release-timeline.js'
/**
 * One dyno's memory as an SVG chart that reads like an incident report: MB ticks with gridlines,
 * time ticks, the quota and R15 lines labelled in the right margin, R14/R15 marks in a lane above
 * the plot, releases and restarts as vertical lines, and no two labels on top of each other.
 */
import type {DynoReport} from '../core/report/report-schema.js'

import {releaseLabel} from '../core/report/release-timeline.js'

export const CHART_WIDTH = 860
const HEIGHT = 270
/** Left: MB labels; right: the quota and R15 labels; top: release labels and R14/R15 marks; bottom: time labels. */
const PAD = {
  bottom: 30, left: 62, right: 118, top: 40,
}
const PLOT_WIDTH = CHART_WIDTH - PAD.left - PAD.right
const PLOT_HEIGHT = HEIGHT - PAD.top - PAD.bottom
const PLOT_BOTTOM = PAD.top + PLOT_HEIGHT
const RELEASE_LABEL_Y = 12
const MARK_LANE_Y = 20
/** Rough width of one character of the 11 px label font: labels closer than this never share a row. */
const CHAR_PX = 6.6
/** One mark per this many pixels: a dyno over its quota logs R14 every 20 s, which would be a smear. */
const MARK_BUCKET_PX = 8

const MINUTE = 60_000
const TIME_STEPS = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10_080].map(minutes => minutes * MINUTE)
const MAX_TIME_TICKS = 8

/** 0, 100, 200 ... : a step of 1, 2 or 5 x 10^k giving at most about `target` ticks up to `top`. */
export function valueTicks(top: number, target = 6): number[] {
  const raw = top / target
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(factor => factor * magnitude).find(candidate => candidate >= raw) ?? 10 * magnitude
  const ticks: number[] = []
  for (let value = 0; value <= top + 1e-9; value += step) ticks.push(value)
  return ticks
}

/** Tick times on whole minutes, hours or days (UTC), at most MAX_TIME_TICKS over the span. */
export function timeTicks(from: number, to: number): {step: number; ticks: number[]} {
  const span = Math.max(1, to - from)
  const step = TIME_STEPS.find(candidate => span / candidate <= MAX_TIME_TICKS) ?? TIME_STEPS.at(-1)!
  const ticks: number[] = []
  for (let time = Math.ceil(from / step) * step; time <= to; time += step) ticks.push(time)
  return {step, ticks}
}

export function dynoSvg(dyno: DynoReport, releases: readonly ReleaseMark[] = []): string {
  const points = dyno.timeline.filter(point => point.count > 0)
  const kill = dyno.quotaMb * dyno.killFactor
  let peak = 0
  for (const point of points) peak = Math.max(peak, point.max)
  // Show the kill line when memory came within reach of it (over the quota), else stop above the quota.
  const reach = peak > dyno.quotaMb ? Math.max(peak, kill) : Math.max(peak, dyno.quotaMb)
  const ticks = valueTicks(reach * 1.08)
  const top = Math.max(ticks.at(-1)!, reach * 1.05)
  const {from} = dyno
  const span = Math.max(1, dyno.to - dyno.from)
  const x = (time: number) => round(PAD.left + (((Math.min(dyno.to, Math.max(from, time)) - from) / span) * PLOT_WIDTH))
  const y = (mb: number) => round(PLOT_BOTTOM - ((mb / top) * PLOT_HEIGHT))

  const grid = ticks.map(value => `<line class="grid" x1="${PAD.left}" x2="${PAD.left + PLOT_WIDTH}" y1="${y(value)}" y2="${y(value)}"/>`
    + `<text class="tick-label" x="${PAD.left - 6}" y="${y(value) + 4}" text-anchor="end">${value} MB</text>`).join('')
  const time = timeTicks(from, dyno.to)
  const timeLabels = time.ticks.map(tick => `<line class="tick" x1="${x(tick)}" x2="${x(tick)}" y1="${PLOT_BOTTOM}" y2="${PLOT_BOTTOM + 4}"/>`
    + `<text class="tick-label" x="${x(tick)}" y="${PLOT_BOTTOM + 17}" text-anchor="middle">${clock(tick, time.step)}</text>`).join('')
  const peakPath = points.map(point => `${x(point.time)},${y(point.max)}`).join(' ')
  const area = points.length > 0 ? `${x(points[0].time)},${y(0)} ${peakPath} ${x(points.at(-1)!.time)},${y(0)}` : ''
  const mean = points.map(point => `${x(point.time)},${y(point.mean)}`).join(' ')

  return [
    `<svg class="chart" role="img" aria-label="${escapeXml(dyno.name)} memory over time" xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${HEIGHT}">`,
    grid,
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PLOT_BOTTOM}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left + PLOT_WIDTH}" y1="${PLOT_BOTTOM}" y2="${PLOT_BOTTOM}"/>`,
    timeLabels,
    `<polygon class="peak" points="${area}"/>`,
    `<polyline class="mean" points="${mean}"/>`,
    restartLines(dyno, x),
    releaseLines(releases.filter(release => release.time >= from && release.time <= dyno.to), x),
    limitLines(dyno, kill, top, y),
    errorMarks(dyno, x),
    '</svg>',
  ].join('')
}

/** The quota and R15 lines across the plot, labelled in the right margin, nudged apart when close. */
function limitLines(dyno: DynoReport, kill: number, top: number, y: (mb: number) => number): string {
  const lines = [{className: 'quota', label: `quota ${Math.round(dyno.quotaMb)} MB`, mb: dyno.quotaMb}]
  if (kill <= top && kill !== dyno.quotaMb) lines.push({className: 'kill', label: `R15 kill ${Math.round(kill)} MB`, mb: kill})
  let previousY = Number.POSITIVE_INFINITY
  return lines.map(line => {
    const at = y(line.mb)
    const labelY = Math.min(at + 4, previousY - 13)
    previousY = labelY
    return `<line class="${line.className}" x1="${PAD.left}" x2="${PAD.left + PLOT_WIDTH}" y1="${at}" y2="${at}"/>`
      + `<text class="${line.className}-label" x="${PAD.left + PLOT_WIDTH + 6}" y="${labelY}">${line.label}</text>`
  }).join('')
}

function restartLines(dyno: DynoReport, x: (time: number) => number): string {
  return dyno.timeline.filter(point => point.restarts > 0).map(point => `<line class="restart" x1="${x(point.time)}" x2="${x(point.time)}" y1="${PAD.top}" y2="${PLOT_BOTTOM}">`
    + `<title>restart ×${point.restarts} ${iso(point.time)}</title></line>`).join('')
}

/** A dashed line per release, its label above the plot unless it would touch the previous label. */
function releaseLines(releases: readonly ReleaseMark[], x: (time: number) => number): string {
  let lastLabelEnd = Number.NEGATIVE_INFINITY
  return releases.map(release => {
    const at = x(release.time)
    const label = releaseLabel(release)
    const half = (label.length * CHAR_PX) / 2
    let text = ''
    if (at - half > lastLabelEnd + 4) {
      text = `<text class="release-label" x="${at}" y="${RELEASE_LABEL_Y}" text-anchor="middle">${escapeXml(label)}</text>`
      lastLabelEnd = at + half
    }

    const title = `<title>${escapeXml(`${label} ${iso(release.time)} ${release.description}`)}</title>`
    return `<line class="release" x1="${at}" x2="${at}" y1="${RELEASE_LABEL_Y + 3}" y2="${PLOT_BOTTOM}">${title}</line>${text}`
  }).join('')
}

/** R14 and R15 as triangles in the lane above the plot, at most one per few pixels (R15 wins). */
function errorMarks(dyno: DynoReport, x: (time: number) => number): string {
  const buckets = new Map<number, {r14: number; r15: number; time: number}>()
  for (const point of dyno.timeline) {
    if (point.r14 + point.r15 === 0) continue
    const key = Math.floor(x(point.time) / MARK_BUCKET_PX)
    const bucket = buckets.get(key) ?? {r14: 0, r15: 0, time: point.time}
    bucket.r14 += point.r14
    bucket.r15 += point.r15
    buckets.set(key, bucket)
  }

  return [...buckets.values()].map(bucket => {
    const at = x(bucket.time)
    if (bucket.r15 > 0) return `<path class="r15" d="M${at - 5} ${MARK_LANE_Y}l5 10l5 -10z"><title>R15 ×${bucket.r15} ${iso(bucket.time)}</title></path>`
    return `<path class="r14" d="M${at - 4} ${MARK_LANE_Y + 2}l4 8l4 -8z"><title>R14 ×${bucket.r14} ${iso(bucket.time)}</title></path>`
  }).join('')
}

/** The chart's legend, as HTML under it (wraps on narrow screens instead of overlapping). */
export function chartLegend(): string {
  return `<div class="legend">${[
    legendItem('<line class="mean" x1="1" x2="21" y1="6" y2="6"/>', 'RSS + swap (mean)'),
    legendItem('<rect class="peak" x="1" y="1" width="20" height="10"/>', 'peak'),
    legendItem('<line class="quota" x1="1" x2="21" y1="6" y2="6"/>', 'quota (R14 above)'),
    legendItem('<line class="kill" x1="1" x2="21" y1="6" y2="6"/>', 'R15 kill'),
    legendItem('<path class="r14" d="M7 2l4 8l4 -8z"/>', 'R14'),
    legendItem('<path class="r15" d="M6 1l5 10l5 -10z"/>', 'R15'),
    legendItem('<line class="release" x1="11" x2="11" y1="0" y2="12"/>', 'release'),
    legendItem('<line class="restart" x1="11" x2="11" y1="0" y2="12"/>', 'restart or crash'),
  ].join('')}</div>`
}

function legendItem(swatch: string, label: string): string {
  return `<span class="legend-item"><svg width="22" height="12" aria-hidden="true">${swatch}</svg>${label}</span>`
}

/** The chart styles, for the page's <style>. */
export const CHART_CSS = `svg.chart{display:block;background:#fff;border:1px solid #e3e3e3;border-radius:4px;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#555}
.grid{stroke:#eee}.axis,.tick{stroke:#999}
.peak{fill:#c9dcf5}.mean{fill:none;stroke:#1a56b0;stroke-width:1.5}
.quota{stroke:#b3261e;stroke-dasharray:6 4}.kill{stroke:#7a0000;stroke-dasharray:2 3}
svg text.quota-label{fill:#b3261e}svg text.kill-label{fill:#7a0000}
.release{stroke:#6a3fb5;stroke-dasharray:4 3}svg text.release-label{fill:#6a3fb5;font-weight:600}
.restart{stroke:#888;stroke-dasharray:2 3}
.r14{fill:#e8710a}.r15{fill:#b3261e}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:#555;margin:4px 0 14px}
.legend-item{display:inline-flex;align-items:center;gap:4px;white-space:nowrap}`

/** `14:05`, or `11-20` at midnight and for steps of a day or more. */
function clock(time: number, step: number): string {
  const text = new Date(time).toISOString()
  if (step >= 1440 * MINUTE || text.slice(11, 16) === '00:00') return text.slice(5, 10)
  return text.slice(11, 16)
}

function iso(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ')
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}
