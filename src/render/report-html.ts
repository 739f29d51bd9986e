import type {DynoReport, ProcessTypeReport, Report} from '../core/report/report-schema.js'

import {formatDuration} from '../core/format-duration.js'
import {releaseLabel} from '../core/report/release-timeline.js'
import {confidenceWord} from './report-text.js'

const WIDTH = 860
const HEIGHT = 220
const PAD = {
  bottom: 26, left: 52, right: 12, top: 12,
}

/**
 * One self-contained HTML file to attach to an incident: inline CSS and SVG, no script, no
 * network. Every text that comes from a log (dyno names, release descriptions) is escaped.
 */
export function reportHtml(report: Report): string {
  const title = `Memory report${report.source.app ? ` for ${report.source.app}` : ''}`
  const sections = report.processTypes.map(type => typeSection(type, report.dynos.filter(dyno => dyno.type === type.type))).join('\n')
  const releases = report.releases.length === 0 ? '' : `<p>Releases: ${report.releases.map(release => `${escape(releaseLabel(release))} <span class="muted">${iso(release.time)} ${escape(release.description)}</span>`).join('; ')}</p>`
  const failed = report.failOn.filter(result => result.met)
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:920px;color:#1d1d1f;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 4px}h3{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child,td.verdict{text-align:left}
.muted{color:#666}.note{background:#fff6d6;padding:6px 10px;border-radius:4px}
.leak{color:#b3261e;font-weight:600}.bloat,.spiky{color:#8a5a00;font-weight:600}.steady{color:#1e7b34;font-weight:600}
.fail{background:#fde7e7;padding:6px 10px;border-radius:4px}
svg{display:block;background:#fafafa;border:1px solid #e3e3e3;border-radius:4px;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#555}
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="muted">${iso(report.from)} to ${iso(report.to)} UTC (${formatDuration(report.spanSeconds)}), ${report.samples} samples from ${report.dynos.length} dynos</p>
${report.notes.map(note => `<p class="note">${escape(note)}</p>`).join('\n')}
${failed.length > 0 ? `<p class="fail">--fail-on met: ${escape(failed.map(result => `${result.condition}: ${result.detail}`).join('; '))}</p>` : ''}
${releases}
${sections}
</body>
</html>
`
}

function typeSection(type: ProcessTypeReport, dynos: DynoReport[]): string {
  const rows = dynos.map(dyno => {
    const cells = [
      escape(dyno.name),
      dyno.samples,
      Math.round(dyno.rss.p50),
      Math.round(dyno.rss.p95),
      Math.round(dyno.memoryMaxMb),
      `${Math.round(dyno.peakPercentOfQuota)}%`,
      formatDuration(dyno.secondsOverQuota),
      Math.round(dyno.swapMaxMb),
      dyno.r14,
      dyno.r15,
      dyno.restarts.restart + dyno.restarts.crash + dyno.restarts.cycling,
    ].map(cell => `<td>${cell}</td>`).join('')
    const verdict = dyno.judgedBy ? `${dyno.verdict}: ${dyno.judgedBy.reason}` : 'not enough data'
    return `<tr>${cells}<td class="verdict ${dyno.verdict}">${escape(verdict)}</td></tr>`
  }).join('\n')
  const advice = type.advice.length === 0 ? '' : `<h3>What to do</h3><ul>${type.advice.map(item => `<li>${escape(item.text)}</li>`).join('')}</ul>`
  const charts = dynos.map(dyno => `<h3>${escape(dyno.name)} <span class="${dyno.verdict}">${verdictText(dyno)}</span></h3>\n${dynoSvg(dyno)}`).join('\n')
  return `<section>
<h2>${escape(type.type)} <span class="${type.verdict}">${verdictText(type)}</span></h2>
<p>${escape(type.story)} <span class="muted">(${type.dynos.length} dynos${type.size === undefined ? '' : `, ${escape(type.size)}`}, quota ${type.quotaMb} MB)</span></p>
<table><thead><tr><th>dyno</th><th>samples</th><th>rss p50</th><th>p95</th><th>rss+swap max</th><th>% quota</th><th>over quota</th><th>swap max</th><th>R14</th><th>R15</th><th>restarts</th><th>verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${advice}
${charts}
</section>`
}

/** Memory (RSS + swap) over time: peak area, mean line, quota and kill lines, R14/R15/restart marks. */
export function dynoSvg(dyno: DynoReport): string {
  const points = dyno.timeline.filter(point => point.count > 0)
  const kill = dyno.quotaMb * dyno.killFactor
  let top = dyno.quotaMb * 1.15
  for (const point of points) top = Math.max(top, point.max * 1.05)
  const {from} = dyno
  const span = Math.max(1, dyno.to - dyno.from)
  const plotWidth = WIDTH - PAD.left - PAD.right
  const plotHeight = HEIGHT - PAD.top - PAD.bottom
  const x = (time: number) => round(PAD.left + (((time - from) / span) * plotWidth))
  const y = (mb: number) => round(PAD.top + plotHeight - ((mb / top) * plotHeight))
  const peak = points.map(point => `${x(point.time)},${y(point.max)}`).join(' ')
  const area = points.length > 0 ? `${x(points[0].time)},${y(0)} ${peak} ${x(points.at(-1)!.time)},${y(0)}` : ''
  const mean = points.map(point => `${x(point.time)},${y(point.mean)}`).join(' ')
  const marks = dyno.timeline.filter(point => point.r14 + point.r15 + point.restarts > 0).map(point => {
    const at = x(Math.min(dyno.to, Math.max(from, point.time)))
    const restart = point.restarts > 0 ? `<line class="restart" x1="${at}" x2="${at}" y1="${PAD.top}" y2="${PAD.top + plotHeight}" stroke="#888" stroke-dasharray="2 3"><title>restart</title></line>` : ''
    if (point.r15 > 0) return `${restart}<path class="r15" d="M${at - 5} ${PAD.top}l5 9l5 -9z" fill="#b3261e"><title>R15 ×${point.r15}</title></path>`
    if (point.r14 > 0) return `${restart}<path class="r14" d="M${at - 4} ${PAD.top}l4 7l4 -7z" fill="#e8710a"><title>R14 ×${point.r14}</title></path>`
    return restart
  }).join('')
  const quotaLine = `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(dyno.quotaMb)}" y2="${y(dyno.quotaMb)}" stroke="#b3261e" stroke-dasharray="6 4"/><text x="${PAD.left + 4}" y="${y(dyno.quotaMb) - 4}">quota ${dyno.quotaMb} MB (R14)</text>`
  const killLine = kill <= top ? `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(kill)}" y2="${y(kill)}" stroke="#7a0000" stroke-dasharray="2 4"/><text x="${PAD.left + 4}" y="${y(kill) - 4}">R15 at ${Math.round(kill)} MB</text>` : ''
  const bottom = PAD.top + plotHeight
  const axis = [
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${bottom}" stroke="#999"/>`,
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${bottom}" y2="${bottom}" stroke="#999"/>`,
    `<text x="${PAD.left - 6}" y="${y(0) + 4}" text-anchor="end">0</text>`,
    `<text x="${PAD.left - 6}" y="${y(top) + 10}" text-anchor="end">${Math.round(top)} MB</text>`,
    `<text x="${PAD.left}" y="${HEIGHT - 8}">${iso(from)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${iso(dyno.to)}</text>`,
  ].join('')
  return [
    `<svg class="chart" role="img" aria-label="${escape(dyno.name)} memory over time" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    axis,
    `<polygon class="peak" points="${area}" fill="#c9dcf5"/>`,
    `<polyline class="mean" points="${mean}" fill="none" stroke="#1a56b0" stroke-width="1.5"/>`,
    quotaLine,
    killLine,
    marks,
    '</svg>',
  ].join('')
}

function verdictText(item: {confidence: number; verdict: string}): string {
  return item.verdict === 'insufficient' ? 'not enough data' : `${item.verdict} (${confidenceWord(item.confidence)} confidence)`
}

function iso(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ')
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}
