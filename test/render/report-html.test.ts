import {expect} from 'chai'

import type {LogEvent} from '../../src/core/events.js'
import type {Report} from '../../src/core/report/report-schema.js'

import {ReportAccumulator} from '../../src/core/report/accumulator.js'
import {buildReport} from '../../src/core/report/report.js'
import {reportHtml} from '../../src/render/report-html.js'
import {dynoSvg, timeTicks, valueTicks} from '../../src/render/report-svg.js'
import {withHtmlInChromium} from '../helpers/chromium-page.js'

const START = Date.UTC(2026, 10, 20, 8)

/** Each SVG text's box and text, read inside the page (so it is self-contained: no closures). */
function labelBoxes(nodes: unknown[]) {
  return (nodes as TextNode[]).map(node => {
    const box = node.getBoundingClientRect()
    return {
      bottom: box.bottom, left: box.left, right: box.right, text: node.textContent ?? '', top: box.top,
    }
  })
}

/** The little of a DOM text node the overlap check reads (the test's tsconfig has no DOM types). */
interface TextNode {
  getBoundingClientRect(): {bottom: number; left: number; right: number; top: number}
  textContent: null | string
}

/** web.1 leaks past its quota (R14s, then an R15 and a restart); web.2 stays flat; releases in between, two of them a minute apart. */
function sampleReport(): Report {
  const accumulator = new ReportAccumulator()
  const events: LogEvent[] = [{
    action: 'release', description: 'Deploy <b>1a2b3c4</b> & "more"', kind: 'release', time: START + 3_600_000, version: 42,
  }, {
    action: 'release', description: 'Set FOO config vars', kind: 'release', time: START + 3_720_000, version: 43,
  }]
  for (let i = 0; i < 3 * 180; i++) {
    const time = START + (i * 20_000)
    const leak = 300 + (i * 0.5)
    events.push({
      cache: 1, dyno: 'web.1', instance: 'a', kind: 'memory', quota: 512, rss: Math.min(leak, 505), swap: Math.max(0, leak - 505), time, total: leak, type: 'web',
    })
    if (leak > 512) events.push({
      code: 'R14', dyno: 'web.1', kind: 'error', time: time + 1, type: 'web',
    })
    events.push({
      cache: 1, dyno: 'web.2', instance: 'b', kind: 'memory', quota: 512, rss: 250 + (i % 5), swap: 0, time, total: 250, type: 'web',
    })
  }

  events.push({
    code: 'R15', dyno: 'web.1', kind: 'error', time: START + (2.4 * 3_600_000), type: 'web',
  }, {
    action: 'restarting', dyno: 'web.1', kind: 'dyno', time: START + (2.5 * 3_600_000), type: 'web',
  })
  for (const event of events.sort((a, b) => a.time - b.time)) accumulator.add(event)
  return buildReport(accumulator, {source: {app: 'shop<script>', kind: 'files'}})
}

describe('chart ticks', () => {
  it('steps MB ticks by 1, 2 or 5 x 10^k and time ticks on whole minutes, hours or days', () => {
    expect(valueTicks(1100)).to.deep.equal([0, 200, 400, 600, 800, 1000])
    expect(valueTicks(560)).to.deep.equal([0, 100, 200, 300, 400, 500])
    const {step, ticks} = timeTicks(START + 60_000, START + (3 * 3_600_000))
    expect(step).to.equal(30 * 60_000)
    expect(ticks[0]).to.equal(START + (30 * 60_000))
    expect(ticks).to.have.length(6)
  })
})

describe('reportHtml', () => {
  it('escapes log-supplied text and draws one chart per dyno with quota, R14 and restart marks', () => {
    const report = sampleReport()
    const html = reportHtml(report)
    expect(html).to.include('Deploy &lt;b&gt;1a2b3c4&lt;/b&gt; &amp; &quot;more&quot;')
    expect(html).to.include('Memory report for shop&lt;script&gt;')
    expect(html).not.to.include('<script')
    expect(html.match(/<svg class="chart"/g)).to.have.length(2)
    const leaking = dynoSvg(report.dynos[0], report.releases)
    expect(leaking).to.include('quota 512 MB')
    expect(leaking).to.include('R15 kill 1024 MB')
    expect(leaking.match(/class="release"/g)).to.have.length(2)
    expect(leaking).to.match(/class="r14"/)
    expect(leaking).to.match(/class="restart"/)
    expect(dynoSvg(report.dynos[1])).not.to.match(/class="r14"/)
  })

  it('renders in headless Chromium with no console errors, no network, and the charts visible', async function () {
    this.timeout(60_000)
    await withHtmlInChromium(reportHtml(sampleReport()), async ({fileUrl, page, problems, requests}) => {
      expect(problems).to.deep.equal([])
      expect(requests).to.deep.equal([fileUrl])
      const charts = page.locator('svg.chart')
      expect(await charts.count()).to.equal(2)
      for (const chart of await charts.all()) {
        expect(await chart.isVisible()).to.equal(true)
        const box = await chart.boundingBox()
        expect(box!.width).to.be.above(300)
        expect(box!.height).to.be.above(100)
        const line = chart.locator('polyline.mean')
        expect((await line.boundingBox())!.width).to.be.above(200)
      }

      expect(await page.locator('h2').first().textContent()).to.match(/^web leak/)
      for (const chart of await charts.all()) {
        const labels = await chart.locator('text').evaluateAll(labelBoxes)
        // Readable axes: several MB ticks and time ticks, not just the two ends.
        expect(labels.filter(label => label.text.endsWith(' MB') && !/quota|R15/.test(label.text)).length).to.be.at.least(4)
        expect(labels.filter(label => /^\d\d:\d\d$/.test(label.text)).length).to.be.at.least(3)
        for (const [i, a] of labels.entries()) {
          for (const b of labels.slice(i + 1)) {
            const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
            expect(overlap, `"${a.text}" overlaps "${b.text}"`).to.equal(false)
          }
        }
      }

      // One legend per process type, naming every mark; the verdict column stays on one line.
      expect(await page.locator('.legend').first().textContent()).to.include('R14').and.include('R15').and.include('release').and.include('restart')
      for (const cell of await page.locator('td.verdict').all()) expect((await cell.boundingBox())!.height).to.be.below(30)
      expect(await page.locator('p.caption').first().textContent()).to.match(/quota|R15/)
    })
  })
})
