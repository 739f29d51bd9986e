import {expect} from 'chai'

import type {SeriesReport} from '../../../src/core/report/report-schema.js'

import {judgeSeries, type Verdict, VERDICT_SEVERITY} from '../../../src/core/report/classify.js'
import {DownsampledSeries, type SeriesPoint} from '../../../src/core/report/downsampled-series.js'
import {dynoJudgement, judgeInstances} from '../../../src/core/report/instance-history.js'
import {Random} from '../../simulator/random.js'
import {
  gaussian, SAMPLE_MS, START, trace,
} from './synthetic.js'

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

/** What a real dyno's RSS + swap looks like every 20 s: a shape, a GC sawtooth and several kinds of noise. */
interface RealisticTrace {
  hours: number
  /** The underlying level at `hour` (MiB): flat, a leak, a plateau, restarts. */
  shape: (hour: number) => number
  /** GC sawtooth: climbs `amplitude` over each period, then drops back. */
  sawtooth?: {amplitude: number; periodHours: number}
  whiteMb?: number
  /** Stationary AR(1) noise with this standard deviation and per-sample correlation. */
  ar1?: {mb: number; phi: number}
  /** Random walk: this standard deviation per 20 s step. */
  walkMbPerStep?: number
  /** Single excursions: start hour, minutes, MiB above the level. */
  spikes?: Array<{at: number; minutes: number; mb: number}>
}

function realistic(spec: RealisticTrace, seed: number, start = START) {
  const random = new Random(seed)
  const series = new DownsampledSeries(256)
  const phase = random.next()
  let ar1 = 0
  let walk = 0
  for (let time = start; time <= start + (spec.hours * 3_600_000); time += SAMPLE_MS) {
    const hour = (time - start) / 3_600_000
    let value = spec.shape(hour)
    if (spec.sawtooth) value += spec.sawtooth.amplitude * (((hour / spec.sawtooth.periodHours) + phase) % 1)
    if (spec.whiteMb) value += spec.whiteMb * gaussian(random)
    if (spec.ar1) {
      ar1 = (spec.ar1.phi * ar1) + (spec.ar1.mb * Math.sqrt(1 - (spec.ar1.phi ** 2)) * gaussian(random))
      value += ar1
    }

    if (spec.walkMbPerStep) {
      walk += spec.walkMbPerStep * gaussian(random)
      value += walk
    }

    for (const spike of spec.spikes ?? []) if (hour >= spike.at && hour < spike.at + (spike.minutes / 60)) value += spike.mb
    series.add(time, Math.max(1, value))
  }

  return series.points()
}

type Scenario = (random: Random) => RealisticTrace

/** GC sawtooth and Gaussian noise of a typical dyno, drawn per trace. */
function everydayNoise(random: Random): Pick<RealisticTrace, 'sawtooth' | 'whiteMb'> {
  return {
    sawtooth: random.next() < 0.7 ? {amplitude: random.range(5, 60), periodHours: random.range(0.03, 0.5)} : undefined,
    whiteMb: random.range(1, 8),
  }
}

const SCENARIOS: Record<string, Scenario> = {
  'AR(1) noise'(random) {
    const level = random.range(150, 450)
    return {
      ar1: {mb: random.range(5, 20), phi: random.range(0.9, 0.99)}, hours: random.range(3, 6), shape: () => level, whiteMb: random.range(1, 4),
    }
  },
  'bloat, tau 1 h': random => bloat(random, 1, random.range(3, 6)),
  'bloat, tau 2 h over 5-6 h': random => bloat(random, 2, random.range(5, 6)),
  'bloat, tau 20 min': random => bloat(random, 1 / 3, random.range(3, 6)),
  'drift of 2 MB/h'(random) {
    const level = random.range(280, 320)
    return {...everydayNoise(random), hours: random.range(3, 6), shape: hour => level + (2 * hour)}
  },
  'leak of 5 MB/h': random => leak(random, 5),
  'leak of 20 MB/h': random => leak(random, 20),
  'leak of 100 MB/h': random => leak(random, 100),
  'leak, unlogged restart in the middle'(random) {
    const level = random.range(200, 300)
    const hours = random.range(4, 6)
    return {...everydayNoise(random), hours, shape: hour => level + (30 * (hour % (hours / 2)))}
  },
  'random walk'(random) {
    const level = random.range(250, 350)
    return {
      hours: random.range(3, 6), shape: () => level, walkMbPerStep: random.range(0.3, 2), whiteMb: random.range(1, 4),
    }
  },
  'single spike'(random) {
    const level = random.range(200, 350)
    const hours = random.range(3, 6)
    return {
      ...everydayNoise(random), hours, shape: () => level, spikes: [{at: random.range(0.5, hours - 0.5), mb: random.range(120, 250), minutes: random.range(1, 4)}],
    }
  },
  'steady with restart in the middle'(random) {
    const level = random.range(200, 350)
    const hours = random.range(3, 6)
    return {...everydayNoise(random), hours, shape: hour => (hour % (hours / 2) < 0.1 ? level - 60 + (600 * (hour % (hours / 2))) : level)}
  },
  'steady, sawtooth and noise'(random) {
    const level = random.range(150, 450)
    return {...everydayNoise(random), hours: random.range(3, 6), shape: () => level}
  },
}

function bloat(random: Random, tauHours: number, hours: number): RealisticTrace {
  const start = random.range(150, 250)
  const rise = random.range(100, 220)
  return {...everydayNoise(random), hours, shape: hour => start + (rise * (1 - Math.exp(-hour / tauHours)))}
}

function leak(random: Random, mbPerHour: number): RealisticTrace {
  const start = random.range(200, 320)
  return {...everydayNoise(random), hours: random.range(3, 6), shape: hour => start + (mbPerHour * hour)}
}

/** Verdict counts over `seeds` seeded traces of a scenario. */
function verdictsOf(name: string, seeds = 50): Partial<Record<Verdict, number>> {
  const counts: Partial<Record<Verdict, number>> = {}
  for (let seed = 1; seed <= seeds; seed++) {
    const random = new Random(seed * 7919)
    const spec = SCENARIOS[name](random)
    const {verdict} = judgeSeries(realistic(spec, seed), STANDARD_1X)
    counts[verdict] = (counts[verdict] ?? 0) + 1
  }

  return counts
}

describe('judgeSeries on realistic traces (50 seeds each)', function () {
  this.timeout(30_000)
  const expected: Array<[string, Verdict, number]> = [
    ['steady, sawtooth and noise', 'steady', 0.9],
    ['AR(1) noise', 'steady', 0.9],
    ['drift of 2 MB/h', 'steady', 0.9],
    ['single spike', 'steady', 0.9],
    ['steady with restart in the middle', 'steady', 0.9],
    ['leak of 5 MB/h', 'leak', 0.9],
    ['leak of 20 MB/h', 'leak', 0.9],
    ['leak of 100 MB/h', 'leak', 0.9],
    ['leak, unlogged restart in the middle', 'leak', 0.9],
    ['bloat, tau 20 min', 'bloat', 0.9],
    ['bloat, tau 1 h', 'bloat', 0.9],
    ['bloat, tau 2 h over 5-6 h', 'bloat', 0.9],
  ]
  for (const [name, verdict, share] of expected) {
    it(`calls ${name} ${verdict} in at least ${share * 100}% of seeds`, () => {
      const counts = verdictsOf(name)
      expect(counts[verdict] ?? 0, JSON.stringify(counts)).to.be.at.least(share * 50)
    })
  }

  for (const name of ['steady, sawtooth and noise', 'AR(1) noise', 'single spike', 'drift of 2 MB/h']) {
    it(`almost never calls ${name} a leak`, () => {
      expect(verdictsOf(name).leak ?? 0).to.be.at.most(2)
    })
  }

  // A random walk that happened to climb can look exactly like a leak or bloat in one window;
  // 3 of these 50 still read as leak.
  it('mostly calls a random walk steady, rarely a leak', () => {
    const counts = verdictsOf('random walk')
    expect(counts.steady ?? 0, JSON.stringify(counts)).to.be.at.least(38)
    expect(counts.leak ?? 0, JSON.stringify(counts)).to.be.at.most(3)
  })
})

/** Share of seeded leak traces whose projected time to the kill threshold is off by more than 25%. */
function projectionMisses(mbPerHour: number, seeds: number): {misses: number; outsideInterval: number} {
  let misses = 0
  let outsideInterval = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const random = new Random(seed * 7919)
    const spec = leak(random, mbPerHour)
    const judgement = judgeSeries(realistic(spec, seed), STANDARD_1X)
    if (judgement.verdict !== 'leak') continue
    // The sawtooth's mean is part of the level the dyno really holds.
    const trueEnd = spec.shape(spec.hours) + ((spec.sawtooth?.amplitude ?? 0) / 2)
    const trueKill = (1024 - trueEnd) / mbPerHour
    if (Math.abs(judgement.hoursToKill! - trueKill) > 0.25 * trueKill) misses++
    const trueQuota = Math.max(0, (512 - trueEnd) / mbPerHour)
    const interval = judgement.hoursToQuotaInterval
    if (trueQuota > 0 && interval && (trueQuota < interval[0] || trueQuota > interval[1])) outsideInterval++
  }

  return {misses, outsideInterval}
}

describe('time to quota on realistic leaks (200 seeds each)', function () {
  this.timeout(60_000)
  // With the slope of the last 40% of the series the projection missed by >25% on 38, 5 and 0 of
  // 200 seeds (5, 20, 100 MB/h); with the whole series' slope (unless the rate changed) on 1, 0, 0.
  // Its 99% interval missed the true time to the quota on 2, 6 and 1.
  for (const [rate, most] of [[5, 3], [20, 2], [100, 2]] as const) {
    it(`projects the kill threshold within 25% for a ${rate} MB/h leak in all but ${most} of 200 seeds, and its interval holds the truth`, () => {
      const {misses, outsideInterval} = projectionMisses(rate, 200)
      expect(misses, `misses ${misses}`).to.be.at.most(most)
      expect(outsideInterval, `outside ${outsideInterval}`).to.be.at.most(10)
    })
  }
})

/** A dyno's instances, one after the other: each trace starts where the previous one ended. */
function instances(specs: Array<{release?: number; spec: RealisticTrace}>, seed: number): Array<{points: SeriesPoint[]; release?: number; report: SeriesReport}> {
  let start = START
  return specs.map(({release, spec}, i) => {
    const points = realistic(spec, (seed * 31) + i, start)
    const from = start
    start += (spec.hours * 3_600_000) + SAMPLE_MS
    return {
      points,
      release,
      report: {
        dyno: 'web.1', from, peakMb: 0, release: release === undefined ? undefined : {time: release}, samples: 0, to: from + (spec.hours * 3_600_000),
      } as unknown as SeriesReport,
    }
  })
}

/** Verdicts of the young instance and of the dyno, judged alone (before) and across instances (after). */
function cycledVerdicts(young: (random: Random, older: RealisticTrace) => {release?: number; spec: RealisticTrace}, seeds = 50) {
  const counts = {dynoAfter: {} as Partial<Record<Verdict, number>>, dynoBefore: {} as Partial<Record<Verdict, number>>, youngAlone: {} as Partial<Record<Verdict, number>>}
  for (let seed = 1; seed <= seeds; seed++) {
    const random = new Random(seed * 104_729)
    const older = bloat(random, random.range(1, 2.5), 24)
    const runs = instances([{release: 1, spec: older}, young(random, older)], seed)
    const alone = runs.map(run => judgeSeries(run.points, STANDARD_1X))
    const across = judgeInstances(runs.map(run => ({points: run.points, quota: 512, release: run.release})), 2)
    let before = alone[0]
    for (const judgement of alone) if (VERDICT_SEVERITY[judgement.verdict] > VERDICT_SEVERITY[before.verdict]) before = judgement
    const after = dynoJudgement(runs.map((run, i) => ({...run.report, ...across[i]})))
    counts.youngAlone[alone[1].verdict] = (counts.youngAlone[alone[1].verdict] ?? 0) + 1
    counts.dynoBefore[before.verdict] = (counts.dynoBefore[before.verdict] ?? 0) + 1
    counts.dynoAfter[after!.verdict] = (counts.dynoAfter[after!.verdict] ?? 0) + 1
  }

  return counts
}

describe('a dyno judged across its instances (50 seeds each)', function () {
  this.timeout(60_000)
  // A bloating dyno cycled after a day climbs again: its young instance, alone, reads as a leak in
  // 43 of these 50 seeds, which made the whole dyno a leak; judged against the day before, the dyno
  // is bloat in 49 (steady in 1) and a leak in none.
  it('calls a bloating dyno bloat after its daily cycle, though the young instance alone looks like a leak', () => {
    const counts = cycledVerdicts((random, older) => ({release: 1, spec: {...older, hours: random.range(0.75, 2.5)}}))
    expect(counts.youngAlone.leak ?? 0, JSON.stringify(counts)).to.be.at.least(40)
    expect(counts.dynoAfter.bloat ?? 0, JSON.stringify(counts)).to.be.at.least(48)
  })

  it('still calls a real leak after the cycle a leak: a climb that does not retrace the day before', () => {
    const counts = cycledVerdicts(random => ({release: 1, spec: leak(random, 150)}))
    expect(counts.dynoAfter.leak ?? 0, JSON.stringify(counts)).to.be.at.least(48)
  })

  it('judges a young instance of a new release on its own: the old code\'s shape says nothing about it', () => {
    const counts = cycledVerdicts((random, older) => ({release: 2, spec: {...older, hours: random.range(0.75, 2.5)}}))
    expect(counts.dynoAfter.leak ?? 0, JSON.stringify(counts)).to.equal(counts.dynoBefore.leak ?? 0)
  })
})
