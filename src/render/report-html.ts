import type {BlameResult} from '../core/blame/blame-schema.js'
import type {DynoReport, ProcessTypeReport, Report} from '../core/report/report-schema.js'

import {formatDuration, formatHours} from '../core/format-duration.js'
import {currentProjection} from '../core/report/current-instance.js'
import {releaseLabel} from '../core/report/release-timeline.js'
import {BLAME_CSS, blameHtml} from './blame-html.js'
import {
  CHART_CSS, chartLegend, dynoSvg, escapeXml as escape,
} from './report-svg.js'
import {confidenceWord} from './report-text.js'
import {plural} from './units.js'

/**
 * One self-contained HTML file to attach to an incident: inline CSS and SVG, no script, no
 * network. Every text that comes from a log (dyno names, release descriptions) is escaped.
 * With `blame` (the log held router lines), a section ranks the routes that make memory grow.
 */
export function reportHtml(report: Report, options: {blame?: BlameResult} = {}): string {
  const title = `Memory report${report.source.app ? ` for ${report.source.app}` : ''}`
  const sections = report.processTypes.map(type => typeSection(type, report.dynos.filter(dyno => dyno.type === type.type), report)).join('\n')
  const releases = report.releases.length === 0 ? '' : `<p>Releases: ${report.releases.map(release => `${escape(releaseLabel(release))} <span class="muted">${iso(release.time)} ${escape(release.description)}</span>`).join('; ')}</p>`
  const failed = report.failOn.filter(result => result.met)
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:900px;color:#1d1d1f;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 4px}h3{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{padding:3px 6px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap;font-size:13px}th:first-child,td:first-child,td.verdict,th:last-child{text-align:left}
li{margin:4px 0}.caption{margin:2px 0 4px}code{font:12.5px ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;padding:0 3px;border-radius:3px}
.muted{color:#666}.note{background:#fff6d6;padding:6px 10px;border-radius:4px}
.leak{color:#b3261e;font-weight:600}.bloat,.spiky{color:#8a5a00;font-weight:600}.steady{color:#1e7b34;font-weight:600}
.fail{background:#fde7e7;padding:6px 10px;border-radius:4px}
${CHART_CSS}
${options.blame ? BLAME_CSS : ''}
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="muted">${iso(report.from)} to ${iso(report.to)} UTC (${formatDuration(report.spanSeconds)}), ${plural(report.samples, 'sample')} from ${plural(report.dynos.length, 'dyno')}</p>
${report.notes.map(note => `<p class="note">${escape(note)}</p>`).join('\n')}
${failed.length > 0 ? `<p class="fail">--fail-on met: ${escape(failed.map(result => `${result.condition}: ${result.detail}`).join('; '))}</p>` : ''}
${releases}
${sections}
${options.blame ? blameHtml(options.blame) : ''}
</body>
</html>
`
}

function typeSection(type: ProcessTypeReport, dynos: DynoReport[], report: Report): string {
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
    return `<tr>${cells}<td class="verdict ${dyno.verdict}">${escape(shortVerdict(dyno))}</td></tr>`
  }).join('\n')
  const advice = type.advice.length === 0 ? '' : `<h3>What to do</h3><ul>${type.advice.map(item => `<li>${withCode(escape(item.text))}</li>`).join('')}</ul>`
  const charts = dynos.map(dyno => `<h3>${escape(dyno.name)} <span class="${dyno.verdict}">${verdictText(dyno)}</span></h3>
<p class="caption">${escape(caption(dyno))}</p>
${dynoSvg(dyno, report.releases)}`).join('\n')
  return `<section>
<h2>${escape(type.type)} <span class="${type.verdict}">${verdictText(type)}</span></h2>
<p>${escape(type.story)} <span class="muted">(${plural(type.dynos.length, 'dyno')}${type.size === undefined ? '' : `, ${escape(type.size)}`}, quota ${type.quotaMb} MB)</span></p>
<table><thead><tr><th>dyno</th><th>samples</th><th>rss p50</th><th>p95</th><th>rss+swap max</th><th>% quota</th><th>over quota</th><th>swap max</th><th>R14</th><th>R15</th><th>restarts</th><th>verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${advice}
${chartLegend()}
${charts}
</section>`
}

/** The table's verdict cell: one short line (the reason goes next to the chart). */
function shortVerdict(dyno: DynoReport): string {
  const trend = dyno.judgedBy
  if (!trend) return 'not enough data'
  return trend.verdict === 'leak' ? `leak ${Math.round(trend.recentSlopeMbPerHour)} MB/h` : trend.verdict
}

/** "rose 97 MB over 2 h, still rising 63 MB/h; quota (R14) in ~2.7 h (2.5 to 3 h), R15 kill in ~11 h", for the current instance. */
function caption(dyno: DynoReport): string {
  const trend = dyno.judgedBy
  if (!trend) return `${dyno.samples} samples: too few to judge`
  const now = currentProjection(dyno)
  if (!now) return trend.reason
  const [low, high] = (now.interval ?? []).map(hours => (Number.isFinite(hours) ? formatHours(hours) : 'never'))
  const range = low !== undefined && low !== high ? ` (${low} to ${high})` : ''
  const previous = now.previous ? `; the instance measured ${now.previous}; the current one at ${Math.round(now.levelMb)} MB` : ''
  const quota = now.hoursToQuota === 0 ? 'is over the quota now' : `reaches the quota (R14) in ~${formatHours(now.hoursToQuota)}${range}`
  return `${trend.reason}${previous}${previous ? ' ' : '; '}${quota}, the R15 kill in ~${formatHours(now.hoursToKill)}`
}

/** Commands and settings between backticks in advice, set in code type. */
function withCode(html: string): string {
  return html.replaceAll(/`([^`]+)`/g, '<code>$1</code>')
}

function verdictText(item: {confidence: number; verdict: string}): string {
  return item.verdict === 'insufficient' ? 'not enough data' : `${item.verdict} (${confidenceWord(item.confidence)} confidence)`
}

function iso(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ')
}

