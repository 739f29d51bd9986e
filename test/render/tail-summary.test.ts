import {expect} from 'chai'

import type {DynoStatus} from '../../src/core/dyno-state.js'

import {DynoBoard} from '../../src/core/dyno-state.js'
import {tailSummary} from '../../src/render/tail-summary.js'

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)

function board(samples: Record<string, number>): DynoStatus[] {
  const dynos = new DynoBoard()
  let status: DynoStatus[] = []
  for (const [dyno, count] of Object.entries(samples)) {
    for (let tick = 0; tick < count; tick++) {
      const event = {
        cache: 0, dyno, instance: `heroku.1.${dyno}`, kind: 'memory', quota: 512, rss: 256 + tick, swap: 0, time: T0 + tick * 20_000, total: 256 + tick, type: dyno.split('.')[0],
      } as const
      status = [...status.filter(known => known.name !== dyno), dynos.apply(event) as DynoStatus]
    }
  }

  return status
}

describe('mem:tail summary', () => {
  it('one line per dyno, the sample count in the singular for one, with thousands separators', () => {
    expect(tailSummary(board({'web.1': 1, 'web.2': 1200}))).to.equal('summary:\n'
      + '  web.1: 1 sample, peak 256MB (50.0% of 512MB), R14 x0, R15 x0, restarts 0\n'
      + '  web.2: 1,200 samples, peak 1455MB (284% of 512MB), R14 x0, R15 x0, restarts 0\n')
  })

  it('a dyno seen only through R14/R15 (no log-runtime-metrics) has no peak, and says "0 samples" once', () => {
    const dynos = new DynoBoard()
    const status = dynos.apply({
      code: 'R14', dyno: 'worker.1', kind: 'error', time: T0, type: 'worker',
    }) as DynoStatus
    expect(tailSummary([status])).to.equal('summary:\n  worker.1: 0 samples, R14 x1, R15 x0, restarts 0\n')
  })
})
