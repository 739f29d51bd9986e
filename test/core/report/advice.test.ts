import {expect} from 'chai'

import type {LogEvent} from '../../../src/core/events.js'

import {ReportAccumulator} from '../../../src/core/report/accumulator.js'
import {judgeSeries} from '../../../src/core/report/classify.js'
import {buildReport} from '../../../src/core/report/report.js'
import {START, trace} from './synthetic.js'

const MINUTE = 60_000

function memory(time: number, instance: string, mb: number): LogEvent {
  return {
    cache: 0, dyno: 'web.1', instance, kind: 'memory', quota: 512, rss: Math.min(mb, 512), swap: Math.max(0, mb - 512), time, total: mb, type: 'web',
  }
}

describe('leak advice after an R15 kill', () => {
  it('speaks of the current instance in the present tense and tells what happened to the killed one', () => {
    const accumulator = new ReportAccumulator()
    // Instance a leaks 300 MB/h from 300 MB and is killed at 1024 MB (R15) after ~2.4 h.
    let time = START
    for (let mb = 300; mb < 1024; mb += 300 / 180, time += 20_000) accumulator.add(memory(time, 'a', mb + (3 * Math.sin(time))))
    accumulator.add({
      code: 'R15', dyno: 'web.1', kind: 'error', time, type: 'web',
    })
    accumulator.add({
      action: 'crashed', dyno: 'web.1', from: 'up', kind: 'dyno', time: time + 1000, to: 'crashed', type: 'web',
    })
    // Instance b boots at 300 MB and has climbed for 20 minutes.
    const boot = time + MINUTE
    for (let i = 0; i < 60; i++) accumulator.add(memory(boot + (i * 20_000), 'b', 300 + (i * (300 / 180)) + (3 * Math.sin(i))))
    const report = buildReport(accumulator, {source: {app: 'shop', kind: 'files'}})
    const leak = report.processTypes[0].advice.find(item => item.kind === 'leak')!.text
    expect(leak).to.match(/web\.1's previous instance was killed \(R15\) at \d\d:\d\d UTC after 2\.\d h/)
    // About 100 MB climbed, ~180 MB to the quota at ~300 MB/h: about 36 min, not "already over".
    expect(leak).to.match(/its current instance \(3\d\d MB now\) reaches the quota \(R14\) in about (2\d|3\d|4\d) min/)
    expect(leak).not.to.include('already over')
  })
})

describe('time to quota when the rate changed', () => {
  it('projects with the recent rate when the leak started or sped up within the series', () => {
    // Flat for 3 h, then 40 MB/h for 3 h: at 370 MB, 142 MB to the quota at 40 MB/h is ~3.5 h.
    const judgement = judgeSeries(trace(6, hour => (hour < 3 ? 250 : 250 + (40 * (hour - 3))), {noiseMb: 3}), {killFactor: 2, quota: 512})
    expect(judgement.verdict).to.equal('leak')
    expect(judgement.projectionRateMbPerHour).to.be.closeTo(40, 6)
    expect(judgement.hoursToQuota).to.be.closeTo(3.55, 0.6)
  })
})
