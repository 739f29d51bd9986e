import {expect} from 'chai'

import type {MemorySample} from '../../../src/core/events.js'

import {InvalidInput} from '../../../src/core/invalid-input.js'
import {
  describeThreshold, limitFor, metricOf, parseThreshold, parseThresholds,
} from '../../../src/core/watchdog/threshold.js'

describe('watchdog thresholds', () => {
  it('reads a share of the quota and amounts in MB and GB (MiB, GiB)', () => {
    expect(parseThreshold('85%')).to.deep.equal({kind: 'percent', percent: 85})
    expect(parseThreshold('900MB')).to.deep.equal({kind: 'mb', mb: 900})
    expect(parseThreshold('512m')).to.deep.equal({kind: 'mb', mb: 512})
    expect(parseThreshold('1.5GB')).to.deep.equal({kind: 'mb', mb: 1536})
    expect(parseThreshold(' 2g ')).to.deep.equal({kind: 'mb', mb: 2048})
  })

  it('rejects what is not a threshold as invalid input (a usage error)', () => {
    for (const bad of ['', '85 %%', '-5%', '0%', 'lots', '9TB', '1.2.3MB']) {
      expect(() => parseThreshold(bad), bad).to.throw(InvalidInput)
    }
  })

  it('requires a unit: a bare number could be % or MB', () => {
    expect(() => parseThreshold('150')).to.throw(InvalidInput, 'Threshold "150" has no unit: write 150% (of the quota) or 150MB')
    expect(() => parseThreshold('0.5')).to.throw(InvalidInput, /no unit/)
    expect(() => parseThresholds(['web=900'])).to.throw(InvalidInput, /"900" has no unit/)
  })

  it('takes per-type values, comma-separated or from repeated flags, and one bare value for the rest', () => {
    const set = parseThresholds(['web=85%,worker=900MB', 'clock=1GB', '95%'])
    expect(limitFor(set, 'web', 512)).to.be.closeTo(435.2, 0.001)
    expect(limitFor(set, 'worker', 512)).to.equal(900)
    expect(limitFor(set, 'clock', 512)).to.equal(1024)
    expect(limitFor(set, 'other', 1024)).to.be.closeTo(972.8, 0.001)
    expect(describeThreshold(set, 'web')).to.equal('85%')
    expect(describeThreshold(set, 'clock')).to.equal('1024MB')
  })

  it('leaves types no value names unwatched when there is no bare value', () => {
    const set = parseThresholds(['web=85%'])
    expect(limitFor(set, 'worker', 512)).to.equal(undefined)
    expect(describeThreshold(set, 'worker')).to.equal(undefined)
  })

  it('refuses two values for the same dynos and an empty list', () => {
    expect(() => parseThresholds(['90%', '80%'])).to.throw(/Two thresholds for every process type/)
    expect(() => parseThresholds(['web=90%', 'web=80%'])).to.throw(/Two thresholds for web/)
    expect(() => parseThresholds(['we b=90%'])).to.throw(/Invalid process type/)
    expect(() => parseThresholds([])).to.throw(/Give a threshold/)
  })

  it('compares rss + swap by default, as R14 does', () => {
    const sample: MemorySample = {
      cache: 50, dyno: 'web.1', kind: 'memory', rss: 400, swap: 100, time: 0, total: 550, type: 'web',
    }
    expect(metricOf(sample, 'rss+swap')).to.equal(500)
    expect(metricOf(sample, 'rss')).to.equal(400)
    expect(metricOf(sample, 'total')).to.equal(550)
  })
})
