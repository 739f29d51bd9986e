import {expect} from 'chai'

import {judgeSeries} from '../../../src/core/report/classify.js'
import {trace} from './synthetic.js'

const STANDARD_1X = {killFactor: 2, quota: 512}

/** Climbs 100 MB from 250 MB over each period, then drops back: a garbage collector's sawtooth. */
function sawtooth(hour: number, periodHours: number): number {
  return 250 + (100 * ((hour / periodHours) % 1))
}

/** `level`, with one-minute excursions to `peak` at the given hours. */
function spikesAt(hour: number, at: number[], peak: number, level: number): number {
  return at.some(start => hour > start && hour < start + (1 / 60)) ? peak : level
}

describe('judgeSeries', () => {
  it('calls a flat noisy series steady', () => {
    const judgement = judgeSeries(trace(4, () => 300, {noiseMb: 5}), STANDARD_1X)
    expect(judgement.verdict).to.equal('steady')
    expect(judgement.levelMb).to.be.closeTo(300, 3)
    expect(Math.abs(judgement.slopeMbPerHour)).to.be.below(2)
    expect(judgement.confidence).to.be.above(0.6)
  })

  it('calls growth that levels off bloat', () => {
    const judgement = judgeSeries(trace(6, hour => 200 + (250 * (1 - Math.exp(-hour / 0.7))), {noiseMb: 6}), STANDARD_1X)
    expect(judgement.verdict).to.equal('bloat')
    expect(judgement.endMb).to.be.closeTo(450, 10)
    expect(judgement.hoursToQuota).to.equal(undefined)
  })

  it('calls a quick rise after boot followed by hours flat bloat', () => {
    const judgement = judgeSeries(trace(8, hour => (hour < 0.4 ? 150 + (500 * hour) : 350), {noiseMb: 4}), STANDARD_1X)
    expect(judgement.verdict).to.equal('bloat')
  })

  it('calls a linear climb a leak and projects the time to the quota and the kill threshold', () => {
    const judgement = judgeSeries(trace(4, hour => 250 + (40 * hour), {noiseMb: 5}), STANDARD_1X)
    expect(judgement.verdict).to.equal('leak')
    expect(judgement.slopeMbPerHour).to.be.closeTo(40, 2)
    expect(judgement.recentSlopeMbPerHour).to.be.closeTo(40, 4)
    // At the end: 410 MB; 102 MB to the quota and 614 MB to 1024 MB at 40 MB/h.
    expect(judgement.hoursToQuota).to.be.closeTo(2.55, 0.3)
    expect(judgement.hoursToKill).to.be.closeTo(15.35, 1.5)
    expect(judgement.confidence).to.be.above(0.7)
  })

  it('finds a slow leak buried in heavy noise over a day', () => {
    const judgement = judgeSeries(trace(24, hour => 300 + (4 * hour), {noiseMb: 15, seed: 7}), STANDARD_1X)
    expect(judgement.verdict).to.equal('leak')
    expect(judgement.slopeMbPerHour).to.be.closeTo(4, 1)
  })

  it('does not mistake the same noise without the slope for a leak', () => {
    const judgement = judgeSeries(trace(24, () => 300, {noiseMb: 15, seed: 7}), STANDARD_1X)
    expect(judgement.verdict).to.equal('steady')
  })

  it('calls a GC sawtooth around a fixed level steady, whatever its period', () => {
    for (const periodHours of [0.05, 0.25, 0.75]) {
      const judgement = judgeSeries(trace(6, hour => sawtooth(hour, periodHours), {noiseMb: 3, seed: 3}), STANDARD_1X)
      expect(judgement.verdict, `period ${periodHours} h`).to.equal('steady')
    }
  })

  it('calls a GC sawtooth whose floor rises a leak', () => {
    const judgement = judgeSeries(trace(6, hour => (30 * hour) + sawtooth(hour, 0.25) - 50, {noiseMb: 3, seed: 3}), STANDARD_1X)
    expect(judgement.verdict).to.equal('leak')
    expect(judgement.slopeMbPerHour).to.be.closeTo(30, 8)
  })

  it('shrugs off a single spike', () => {
    const judgement = judgeSeries(trace(4, hour => spikesAt(hour, [2], 480, 300), {noiseMb: 4}), STANDARD_1X)
    expect(judgement.verdict).to.equal('steady')
    expect(judgement.spikes).to.equal(1)
    expect(Math.abs(judgement.slopeMbPerHour)).to.be.below(2)
  })

  it('calls repeated spikes spiky', () => {
    const judgement = judgeSeries(trace(4, hour => spikesAt(hour, [0.5, 1.3, 2.1, 3.2], 500, 280), {noiseMb: 4}), STANDARD_1X)
    expect(judgement.verdict).to.equal('spiky')
    expect(judgement.spikes).to.equal(4)
  })

  it('still sees a leak through a restart nobody logged (leak, drop, leak)', () => {
    const judgement = judgeSeries(trace(6, hour => 200 + (50 * (hour % 3)), {noiseMb: 4}), STANDARD_1X)
    expect(judgement.verdict).to.equal('leak')
  })

  it('refuses to judge ten minutes', () => {
    const judgement = judgeSeries(trace(10 / 60, hour => 250 + (400 * hour), {noiseMb: 2}), STANDARD_1X)
    expect(judgement.verdict).to.equal('insufficient')
    expect(judgement.confidence).to.equal(0)
  })

  it('is less sure of a leak seen for 30 minutes than of one seen for 4 hours', () => {
    const short = judgeSeries(trace(0.5, hour => 250 + (60 * hour), {noiseMb: 3}), STANDARD_1X)
    const long = judgeSeries(trace(4, hour => 250 + (60 * hour), {noiseMb: 3}), STANDARD_1X)
    expect(short.verdict).to.equal('leak')
    expect(short.confidence).to.be.below(long.confidence)
  })

  it('says a leak already over the quota has no time left', () => {
    const judgement = judgeSeries(trace(3, hour => 500 + (50 * hour), {noiseMb: 4}), STANDARD_1X)
    expect(judgement.verdict).to.equal('leak')
    expect(judgement.hoursToQuota).to.equal(0)
    expect(judgement.hoursToKill).to.be.above(5)
  })

  it('keeps the same verdicts when the series is squeezed into few buckets', () => {
    expect(judgeSeries(trace(24, hour => 300 + (4 * hour), {noiseMb: 15, seed: 7, capacity: 32}), STANDARD_1X).verdict).to.equal('leak')
    expect(judgeSeries(trace(24, () => 300, {noiseMb: 15, seed: 7, capacity: 32}), STANDARD_1X).verdict).to.equal('steady')
  })
})
