import type {BlameResult} from '../core/blame/blame-schema.js'

import {effect, evidence, NOTHING_STANDS_OUT} from './blame-text.js'
import {escapeXml as escape} from './report-svg.js'
import {count} from './units.js'

/** The section's own rules, added to the report's stylesheet. */
export const BLAME_CSS = 'section.blame :is(td,th):is(:nth-child(2),:nth-child(3),:nth-child(5)){text-align:left}section.blame :is(td,th):is(:nth-child(2),:nth-child(5)){white-space:normal}'

/**
 * mem:report's HTML section when its log held router lines: mem:blame's ranked suspects (the same
 * words as `heroku mem:blame`), or a plain "nothing stands out", and what this log cannot show.
 * Routes come from the log: every one is escaped.
 *
 *   <section class="blame"><h2>Which requests make memory grow</h2>
 *   <table>... 1  GET /reports/:id  5,346  leak 91.6MB/1000 req (95% 78.1MB-101MB)  p=<0.0001 (Holm), 490MB of growth, web
 */
export function blameHtml(result: BlameResult): string {
  const rows = result.suspects.map((suspect, index) => {
    const cells = [String(index + 1), `<code>${escape(suspect.route)}</code>`, escape(suspect.type), count(suspect.requests), escape(effect(suspect)), escape(evidence(suspect))]
    return `<tr>${cells.map(cell => `<td>${cell}</td>`).join('')}</tr>`
  })
  const suspects = result.suspects.length === 0
    ? `<p class="nothing">${escape(NOTHING_STANDS_OUT)}</p>`
    : `<table><thead><tr><th>#</th><th>route</th><th>type</th><th>requests</th><th>effect</th><th>evidence</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`
  const tied = result.suspects.filter(suspect => suspect.tiedWith)
  .map(suspect => `<p class="muted">${escape(suspect.tiedWith!.join(' and '))} always come together: their costs cannot be told apart.</p>`)
  const limits = result.limits.length === 0 ? '' : `<h3>What this log cannot show</h3><ul>${result.limits.map(limit => `<li>${escape(limit.message)}</li>`).join('')}</ul>`
  return `<section class="blame">
<h2>Which requests make memory grow</h2>
<p class="muted">${count(result.requests)} router requests joined with the memory samples of the dynos that served them (as <code>heroku mem:blame</code> does; the method: docs/blame.md).</p>
${suspects}
${tied.join('\n')}
${limits}
</section>`
}
