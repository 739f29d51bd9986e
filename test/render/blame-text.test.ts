import {expect} from 'chai'

import type {BlameResult} from '../../src/core/blame/blame-schema.js'

import {blameJson} from '../../src/render/blame-json.js'
import {blameText} from '../../src/render/blame-text.js'

const START = Date.UTC(2026, 10, 20, 6)
const TYPE = {
  backgroundMbPerHour: 7.9, concurrency: 0.6, dynos: 4, intervals: 2876, jumpThresholdMb: 17, jumps: 2, requests: 150_000, routes: [], tied: [], type: 'web', leakBlocks: 36,
}

function result(suspects: BlameResult['suspects']): BlameResult {
  return {
    from: START, limits: [{code: 'few-jumps', message: 'web: 2 memory jumps: too few.'}], requests: 150_000, samples: 2880, suspects, to: START + (4 * 3_600_000), types: [TYPE], unplaced: 12,
  }
}

describe('blame renderers', () => {
  const leak = {
    leak: {
      adjustedP: 0.000_21, mbPer1000: 43.2, mbPer1000Lower: 28.1, mbPer1000Upper: 51.7,
    }, mbExplained: 345.6, requests: 8012, route: 'GET /reports/:id', type: 'web',
  }

  it('ranks suspects with their effect, interval, p-value and what they account for', () => {
    const text = blameText(result([leak]))
    expect(text).to.include('Suspects (most memory first):')
    expect(text).to.match(/1 {2}GET \/reports\/:id +8,012 {2}leak 43\.2MB\/1000 req \(95% 28\.1MB-51\.7MB\) {2}p=0\.0002 \(Holm\), 346MB of growth, web/)
    expect(text).to.include('What this log cannot show:\n  - web: 2 memory jumps: too few.')
  })

  it('says plainly when nothing stands out', () => {
    expect(blameText(result([]))).to.include('Nothing stands out')
  })

  it('writes --json with a ranked suspects list, routes as METHOD /template, p-values kept', () => {
    const json = JSON.parse(blameJson(result([leak]))) as {from: string; suspects: Array<{leak: {adjusted_p: number}; route: string}>}
    expect(json.suspects[0].route).to.equal('GET /reports/:id')
    expect(json.suspects[0].leak.adjusted_p).to.equal(0.000_21)
    expect(json.from).to.equal('2026-11-20T06:00:00.000Z')
  })
})
