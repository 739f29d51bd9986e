import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {chromium} from 'playwright-core'

import type {LogEvent} from '../../src/core/events.js'
import type {Report} from '../../src/core/report/report-schema.js'

import {ReportAccumulator} from '../../src/core/report/accumulator.js'
import {buildReport} from '../../src/core/report/report.js'
import {dynoSvg, reportHtml} from '../../src/render/report-html.js'

const START = Date.UTC(2026, 10, 20, 8)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** web.1 leaks past its quota (R14s, then a restart); web.2 stays flat; a release in between. */
function sampleReport(): Report {
  const accumulator = new ReportAccumulator()
  const events: LogEvent[] = [{
    action: 'release', description: 'Deploy <b>1a2b3c4</b> & "more"', kind: 'release', time: START + 3_600_000, version: 42,
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
    action: 'restarting', dyno: 'web.1', kind: 'dyno', time: START + (2.5 * 3_600_000), type: 'web',
  })
  for (const event of events.sort((a, b) => a.time - b.time)) accumulator.add(event)
  return buildReport(accumulator, {source: {app: 'shop<script>', kind: 'files'}})
}

describe('reportHtml', () => {
  it('escapes log-supplied text and draws one chart per dyno with quota, R14 and restart marks', () => {
    const report = sampleReport()
    const html = reportHtml(report)
    expect(html).to.include('Deploy &lt;b&gt;1a2b3c4&lt;/b&gt; &amp; &quot;more&quot;')
    expect(html).to.include('Memory report for shop&lt;script&gt;')
    expect(html).not.to.include('<script')
    expect(html.match(/<svg class="chart"/g)).to.have.length(2)
    const leaking = dynoSvg(report.dynos[0])
    expect(leaking).to.include('quota 512 MB (R14)')
    expect(leaking).to.match(/class="r14"/)
    expect(leaking).to.match(/class="restart"/)
    expect(dynoSvg(report.dynos[1])).not.to.match(/class="r14"/)
  })

  it('renders in headless Chromium with no console errors, no network, and the charts visible', async function () {
    this.timeout(60_000)
    const dir = mkdtempSync(path.join(tmpdir(), 'mem-report-html-'))
    const file = path.join(dir, 'report.html')
    writeFileSync(file, reportHtml(sampleReport()))
    const browser = await chromium.launch({
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
      executablePath: CHROMIUM,
      headless: true,
    })
    try {
      const page = await browser.newPage()
      const problems: string[] = []
      const requests: string[] = []
      page.on('console', message => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
      })
      page.on('pageerror', error => problems.push(error.message))
      page.on('request', request => requests.push(request.url()))
      await page.goto(pathToFileURL(file).href, {waitUntil: 'load'})
      expect(problems).to.deep.equal([])
      expect(requests).to.deep.equal([pathToFileURL(file).href])
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
    } finally {
      await browser.close()
    }
  })
})
