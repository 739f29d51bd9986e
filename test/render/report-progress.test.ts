import {expect} from 'chai'

import {ReportProgress} from '../../src/render/report-progress.js'

const T0 = Date.UTC(2026, 10, 20, 10)

describe('--duration progress', () => {
  it('on a pipe: a line at the start and at the end, the sample count in the singular for one', () => {
    const lines: string[] = []
    const progress = new ReportProgress(text => lines.push(text), {
      durationMs: 60_000, interactive: false, label: 'Watching my-app', startedAt: T0,
    })
    progress.update(T0, 0)
    progress.update(T0 + 1000, 1)
    progress.finish(1)
    expect(lines).to.deep.equal(['Watching my-app: 1:00 left, 0 samples\n', 'Watching my-app: done, 1 sample\n'])
  })
})
