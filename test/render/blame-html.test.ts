import {expect} from 'chai'

import type {BlameResult} from '../../src/core/blame/blame-schema.js'

import {BlameAccumulator, buildBlame} from '../../src/core/blame/blame.js'
import {ReportAccumulator} from '../../src/core/report/accumulator.js'
import {buildReport} from '../../src/core/report/report.js'
import {blameHtml} from '../../src/render/blame-html.js'
import {reportHtml} from '../../src/render/report-html.js'
import {withHtmlInChromium} from '../helpers/chromium-page.js'
import {simulateTraffic} from '../simulator/request-traffic.js'

/** A leaking route among many, and the report and blame of the same events (as one read gives them). */
function leakyApp(): {blame: BlameResult; html: string} {
  const traffic = simulateTraffic({
    hours: 3, leak: {mbPerRequest: 0.1, route: 'GET /reports/:id'}, requestsPerSecond: 2, seed: 41,
  })
  const report = new ReportAccumulator()
  const blame = new BlameAccumulator()
  for (const event of traffic.events) {
    blame.add(event)
    if (event.kind !== 'router') report.add(event)
  }

  const result = buildBlame(blame)
  return {blame: result, html: reportHtml(buildReport(report, {source: {kind: 'files'}}), {blame: result})}
}

describe('blameHtml (mem:report\'s blame section)', () => {
  it('ranks the suspects in a table, escaping routes from the log', () => {
    const html = blameHtml({
      from: 0,
      limits: [{code: 'few-jumps', message: 'web: 2 memory jumps <too few>'}],
      requests: 1000,
      samples: 500,
      suspects: [{
        leak: {
          adjustedP: 0.001, mbPer1000: 90, mbPer1000Lower: 70, mbPer1000Upper: 110,
        },
        mbExplained: 400,
        requests: 4000,
        route: 'GET /<script>alert(1)</script>',
        type: 'web',
      }],
      to: 3_600_000,
      types: [],
      unplaced: 0,
    })
    expect(html).to.include('GET /&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.to.include('<script')
    expect(html).to.include('leak 90.0MB/1000 req (95% 70.0MB-110MB)')
    expect(html).to.include('2 memory jumps &lt;too few&gt;')
  })

  it('says plainly when nothing stands out', () => {
    const html = blameHtml({
      from: 0, limits: [], requests: 1000, samples: 500, suspects: [], to: 1, types: [], unplaced: 0,
    })
    expect(html).to.include('Nothing stands out')
    expect(html).not.to.include('<table')
  })

  it('shows the leaking route first in the report, in headless Chromium, with no console errors and no network', async function () {
    this.timeout(60_000)
    const {blame, html} = leakyApp()
    expect(blame.suspects[0]?.route).to.equal('GET /reports/:id')
    await withHtmlInChromium(html, async ({fileUrl, page, problems, requests}) => {
      expect(problems).to.deep.equal([])
      expect(requests).to.deep.equal([fileUrl])
      const section = page.locator('section.blame')
      expect(await section.isVisible()).to.equal(true)
      expect(await section.locator('h2').textContent()).to.equal('Which requests make memory grow')
      const firstRow = section.locator('tbody tr').first()
      expect(await firstRow.locator('td').nth(1).textContent()).to.equal('GET /reports/:id')
      expect(await firstRow.locator('td').nth(4).textContent()).to.match(/^leak [\d.]+MB\/1000 req/)
      // The table fits the page: no cell runs past the body's right edge.
      const body = (await page.locator('body').boundingBox())!
      for (const cell of await section.locator('td').all()) {
        const box = (await cell.boundingBox())!
        expect(box.x + box.width, await cell.textContent() ?? '').to.be.at.most(body.x + body.width + 1)
      }
    })
  })
})
