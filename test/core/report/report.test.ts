import {expect} from 'chai'

import type {LogEvent, MemorySample} from '../../../src/core/events.js'

import {ReportAccumulator} from '../../../src/core/report/accumulator.js'
import {evaluateFailOn, parseFailOn} from '../../../src/core/report/fail-on.js'
import {buildReport} from '../../../src/core/report/report.js'
import {Random} from '../../simulator/random.js'
import {gaussian, SAMPLE_MS, START} from './synthetic.js'

const HOUR = 3_600_000

interface Run {
  dyno: string
  instance: string
  from: number
  hours: number
  shape: (hour: number) => number
  swap?: (hour: number) => number
  quota?: number
}

/** Memory samples of one instance every 20 s, with seeded noise. */
function samples({dyno, from, hours, instance, quota = 512, shape, swap}: Run, seed = 1): MemorySample[] {
  const random = new Random(seed)
  const out: MemorySample[] = []
  for (let time = from; time < from + (hours * HOUR); time += SAMPLE_MS) {
    const hour = (time - from) / HOUR
    const used = shape(hour) + (3 * gaussian(random))
    const swapped = swap ? swap(hour) : 0
    const rss = used - swapped
    out.push({
      cache: 2, dyno, instance, kind: 'memory', quota, rss, swap: swapped, time, total: rss + swapped + 2, type: dyno.split('.')[0],
    })
  }

  return out
}

function byTime(events: LogEvent[]): LogEvent[] {
  return events.sort((a, b) => a.time - b.time)
}

function accumulate(events: LogEvent[], options = {}): ReportAccumulator {
  const accumulator = new ReportAccumulator(options)
  for (const event of events) accumulator.add(event)
  return accumulator
}

const FILES = {source: {kind: 'files' as const}}

/** Three samples for each of `count` instances, one dyno each (`dynos`) or all of web.1 (`instances`). */
function farm(count: number, spread: 'dynos' | 'instances'): ReportAccumulator {
  const accumulator = new ReportAccumulator()
  for (let i = 0; i < count; i++) {
    const dyno = spread === 'dynos' ? `web.${i + 1}` : 'web.1'
    for (let s = 0; s < 3; s++) {
      accumulator.add({
        cache: 1, dyno, instance: `heroku.1.${i}`, kind: 'memory', rss: 300 + s, swap: 0, time: START + (i * 1000) + (s * SAMPLE_MS), total: 301 + s, type: 'web',
      })
    }
  }

  return accumulator
}

describe('mem:report core', () => {
  it('computes per-dyno statistics, time over quota and swapping, on RSS + swap', () => {
    // A leak past the quota: RSS stops at ~500 MB and the growth moves into swap.
    const leak = samples({
      dyno: 'worker.1', from: START, hours: 4, instance: 'a', shape: hour => 300 + (60 * hour), swap: hour => Math.max(0, 300 + (60 * hour) - 500),
    })
    const report = buildReport(accumulate(leak), FILES)
    const [dyno] = report.dynos
    expect(dyno.samples).to.equal(720)
    expect(dyno.verdict).to.equal('leak')
    expect(dyno.judgedBy!.slopeMbPerHour).to.be.closeTo(60, 3)
    expect(dyno.rss.max).to.be.below(515)
    expect(dyno.memoryMaxMb).to.be.closeTo(540, 10)
    expect(dyno.swapMaxMb).to.be.closeTo(40, 10)
    // Over 512 MB from about 3.53 h to 4 h; swapping from 3.33 h.
    expect(dyno.secondsOverQuota).to.be.closeTo(0.47 * 3600, 200)
    expect(dyno.secondsSwapping).to.be.closeTo(0.67 * 3600, 200)
    expect(dyno.peakPercentOfQuota).to.be.closeTo(105, 2)
    expect(dyno.rss.p50).to.be.closeTo(420, 8)
  })

  it('splits a dyno at a restart and keeps preboot instances apart', () => {
    const old = samples({
      dyno: 'web.1', from: START, hours: 3, instance: 'old', shape: hour => 250 + (40 * hour),
    })
    // The new instance starts 3 minutes before the old one stops (preboot), at boot level.
    const fresh = samples({
      dyno: 'web.1', from: START + (3 * HOUR) - (3 * 60_000), hours: 3, instance: 'new', shape: hour => 250 + (40 * hour),
    }, 2)
    const restart: LogEvent = {
      action: 'restarting', dyno: 'web.1', kind: 'dyno', time: START + (3 * HOUR) - (3 * 60_000), type: 'web',
    }
    const report = buildReport(accumulate(byTime([...old, ...fresh, restart])), FILES)
    const [dyno] = report.dynos
    expect(dyno.series.map(run => run.instance)).to.deep.equal(['old', 'new'])
    expect(dyno.series.map(run => run.verdict)).to.deep.equal(['leak', 'leak'])
    for (const run of dyno.series) expect(run.slopeMbPerHour).to.be.closeTo(40, 4)
    expect(dyno.instances).to.equal(2)
    expect(dyno.restarts.restart).to.equal(1)
  })

  it('splits at lifecycle events when lines carry no instance id', () => {
    const first = samples({
      dyno: 'web.1', from: START, hours: 2, instance: '', shape: hour => 250 + (50 * hour),
    })
    const second = samples({
      dyno: 'web.1', from: START + (2 * HOUR) + 60_000, hours: 2, instance: '', shape: hour => 250 + (50 * hour),
    })
    const events = [...first, {
      action: 'cycling', dyno: 'web.1', kind: 'dyno', time: START + (2 * HOUR), type: 'web',
    } as LogEvent, ...second]
    for (const event of events) if (event.kind === 'memory') delete event.instance
    const report = buildReport(accumulate(events), FILES)
    expect(report.dynos[0].series).to.have.length(2)
    expect(report.dynos[0].restarts.cycling).to.equal(1)
  })

  it('tells the release story and says which release brought a leak to all dynos', () => {
    const deployAt = START + (3 * HOUR)
    const events: LogEvent[] = [
      {
        action: 'release', description: 'Release v41 created by user a@example.com', kind: 'release', time: START - HOUR, version: 41,
      },
      {
        action: 'deploy', description: 'Deploy 1a2b3c4', kind: 'release', time: deployAt,
      },
      {
        action: 'release', description: 'Release v42 created', kind: 'release', time: deployAt + 500, version: 42,
      },
    ]
    for (const dyno of ['web.1', 'web.2']) {
      const seed = dyno === 'web.1' ? 1 : 2
      events.push(
        ...samples({
          dyno, from: START, hours: 3, instance: `${dyno}-a`, shape: () => 310,
        }, seed),
        ...samples({
          dyno, from: deployAt + 20_000, hours: 3, instance: `${dyno}-b`, shape: hour => 300 + (38 * hour),
        }, seed + 10),
      )
    }

    const report = buildReport(accumulate(byTime(events)), {source: {app: 'shop', kind: 'history'}})
    const [web] = report.processTypes
    expect(report.releases.map(release => release.version)).to.deep.equal([41, 42])
    expect(report.releases[1].description).to.equal('Deploy 1a2b3c4')
    expect(web.verdict).to.equal('leak')
    expect(web.pattern).to.equal('app')
    expect(web.story).to.match(/^steady at 31\d MB up to v41; leaking 3\d MB\/h since v42$/)
    const leak = web.advice.find(advice => advice.kind === 'leak')!
    expect(leak.text).to.include('all 2 web dynos leak alike')
    expect(leak.text).to.include('it started with v42 (Deploy 1a2b3c4): compare it with v41')
  })

  it('points at one dyno when only one of several leaks', () => {
    const events = byTime([
      ...samples({
        dyno: 'worker.1', from: START, hours: 4, instance: 'w1', shape: () => 300,
      }),
      ...samples({
        dyno: 'worker.2', from: START, hours: 4, instance: 'w2', shape: hour => 300 + (30 * hour),
      }, 2),
      ...samples({
        dyno: 'worker.3', from: START, hours: 4, instance: 'w3', shape: () => 290,
      }, 3),
    ])
    const [worker] = buildReport(accumulate(events), FILES).processTypes
    expect(worker.verdict).to.equal('leak')
    expect(worker.pattern).to.equal('single-dyno')
    expect(worker.affected).to.deep.equal(['worker.2'])
    expect(worker.advice.find(advice => advice.kind === 'leak')!.text).to.include('only worker.2 of 3 worker dynos leaks')
  })

  it('for a leak, suggests the watchdog as a stopgap with its threshold and how often it would restart', () => {
    const events = byTime([
      ...samples({
        dyno: 'web.1', from: START, hours: 4, instance: 'a1', shape: hour => 250 + (60 * hour),
      }),
      ...samples({
        dyno: 'web.2', from: START, hours: 4, instance: 'a2', shape: hour => 240 + (60 * hour),
      }, 2),
    ])
    const [web] = buildReport(accumulate(events), FILES).processTypes
    expect(web.verdict).to.equal('leak')
    const watchdog = web.advice.find(advice => advice.kind === 'watchdog')!
    expect(watchdog.text).to.match(/stopgap until the leak is fixed, `heroku mem:restart-over -a <app> --threshold web=4\d\dMB`/)
    expect(watchdog.text).not.to.contain('cannot help')
    expect(watchdog.text).to.match(/every|hour|min/)
  })

  it('suggests a dyno size for bloat near the quota, and a watchdog threshold that would have caught the R14s', () => {
    const climbs: LogEvent[] = []
    // Settles at ~420 MB; every hour a slow climb crosses the quota for a few minutes.
    const base = samples({
      dyno: 'web.1', from: START, hours: 6, instance: 'i', shape(hour) {
        const phase = hour % 1
        return 420 + (phase > 0.8 ? 500 * (phase - 0.8) : 0) - (hour < 0.5 ? 200 * (0.5 - hour) : 0)
      },
    })
    for (const sample of base) {
      climbs.push(sample)
      if (sample.rss + sample.swap > 512) climbs.push({
        code: 'R14', dyno: 'web.1', kind: 'error', time: sample.time + 1, type: 'web',
      })
    }

    const report = buildReport(accumulate(climbs), {source: {app: 'shop', kind: 'history'}})
    const [web] = report.processTypes
    expect(web.r14).to.be.above(10)
    const size = web.advice.find(advice => advice.kind === 'size')!
    expect(size.size).to.equal('Standard-2X')
    const watchdog = web.advice.find(advice => advice.kind === 'watchdog')!
    expect(watchdog.thresholdMb).to.be.within(450, 500)
    expect(watchdog.text).to.match(/heroku mem:restart-over -a shop --threshold web=\d+MB` would have restarted the dyno before \d of the \d quota crossings/)
    expect(web.advice.some(advice => advice.kind === 'concurrency')).to.equal(true)
  })

  it('applies the dyno and type filters and the time window, and remembers the dynos it skipped', () => {
    const events = byTime([
      ...samples({
        dyno: 'web.1', from: START, hours: 1, instance: 'a', shape: () => 300,
      }),
      ...samples({
        dyno: 'worker.1', from: START, hours: 1, instance: 'b', shape: () => 200,
      }),
    ])
    const onlyWorker = accumulate(events, {type: 'worker'})
    expect([...onlyWorker.dynos.keys()]).to.deep.equal(['worker.1'])
    expect([...onlyWorker.seenDynos].sort()).to.deep.equal(['web.1', 'worker.1'])
    const windowed = accumulate(events, {dyno: 'web.1', since: START + (HOUR / 2)})
    expect(windowed.samples).to.equal(90)
  })

  it('says a window shorter than an hour is too short to tell a leak from bloat', () => {
    const report = buildReport(accumulate(samples({
      dyno: 'web.1', from: START, hours: 0.4, instance: 'a', shape: () => 300,
    })), {...FILES, longerWindowHint: 'Pass a longer log.'})
    expect(report.tooShort).to.equal(true)
    expect(report.notes[0]).to.equal('The log covers only 24 min: too short to tell a leak from bloat. Pass a longer log.')
  })

  it('evaluates --fail-on conditions', () => {
    const leak = samples({
      dyno: 'web.1', from: START, hours: 4, instance: 'a', shape: hour => 300 + (60 * hour), swap: hour => Math.max(0, 300 + (60 * hour) - 500),
    })
    const report = buildReport(accumulate([...leak, {
      code: 'R14', dyno: 'web.1', kind: 'error', time: START + (3.9 * HOUR), type: 'web',
    }]), FILES)
    const results = evaluateFailOn(['leak', 'r14', 'r15', 'swap', 'over:90%', 'over:600MB', 'bloat'].map(text => parseFailOn(text)), report)
    expect(results.map(result => result.met)).to.deep.equal([true, true, false, true, true, false, false])
    expect(results[1].detail).to.equal('web.1 (1 R14)')
    expect(() => parseFailOn('over:lots')).to.throw('Invalid --fail-on "over:lots"')
  })

  it('keeps memory bounded: a week of samples for one dyno stays in fixed-size buckets', () => {
    const accumulator = new ReportAccumulator()
    for (let time = START; time < START + (7 * 24 * HOUR); time += SAMPLE_MS) {
      accumulator.add({
        cache: 0, dyno: 'web.1', instance: 'a', kind: 'memory', rss: 300 + ((time / SAMPLE_MS) % 7), swap: 0, time, total: 300, type: 'web',
      })
    }

    const dyno = accumulator.dynos.get('web.1')!
    expect(dyno.samples).to.equal(30_240)
    expect(dyno.series[0].points.length).to.be.at.most(256)
    expect(dyno.timeline.length).to.be.at.most(480)
    expect(dyno.rss.bucketCount).to.be.below(10)
  })

  it('counts an event once when the log holds it twice (the same log passed twice, overlapping archives)', () => {
    const leak = samples({
      dyno: 'worker.1', from: START, hours: 3, instance: 'a', shape: hour => 400 + (60 * hour),
    })
    const errors: LogEvent[] = leak.filter(sample => sample.rss > 512).map(sample => ({
      code: 'R14', dyno: 'worker.1', kind: 'error', time: sample.time + 1, type: 'worker',
    }))
    const once = byTime([...leak, ...errors])
    const single = buildReport(accumulate(once), FILES)
    // The whole log, then its second half again (a second archive that overlaps the first).
    const twice = buildReport(accumulate([...once, ...once, ...once.slice(once.length / 2)]), FILES)
    expect(twice.samples).to.equal(leak.length)
    expect(twice.dynos[0].r14).to.equal(errors.length)
    expect({...twice, notes: []}).to.deep.equal(single)
    expect(single.notes).to.deep.equal([])
    expect(twice.notes).to.deep.equal([`${once.length * 1.5} repeated events were counted once: the same line more than once (overlapping or repeated logs).`])
  })

  it('keeps samples that differ only in a value, and the same values at another time', () => {
    const base = samples({
      dyno: 'web.1', from: START, hours: 1, instance: 'a', shape: () => 300,
    })
    const nudged = base.map(sample => ({...sample, rss: sample.rss + 0.01}))
    const later = base.map(sample => ({...sample, time: sample.time + 1}))
    const report = buildReport(accumulate(byTime([...base, ...nudged, ...later])), FILES)
    expect(report.samples).to.equal(3 * base.length)
    expect(report.notes.filter(note => note.includes('repeated'))).to.deep.equal([])
  })

  it('sets aside events dated far from the rest of the log (1970, 9999) and says so', () => {
    const leak = samples({
      dyno: 'web.1', from: START, hours: 4, instance: 'a', shape: hour => 250 + (40 * hour),
    })
    const zeroed: LogEvent = {...leak[0], rss: 260, time: 0}
    const placeholder: LogEvent = {...leak[5], rss: 900, time: Date.UTC(9999, 11, 31, 23, 59)}
    const reference = buildReport(accumulate(leak), FILES)
    const report = buildReport(accumulate([zeroed, ...leak.slice(0, 100), placeholder, ...leak.slice(100)]), FILES)
    expect(report.dynos[0].verdict).to.equal('leak')
    expect(report.spanSeconds).to.be.below(4 * 3600)
    expect({...report, notes: []}).to.deep.equal(reference)
    expect(report.notes).to.deep.equal(['Set aside 2 events dated 1970-01-01 00:00 to 9999-12-31 23:59 UTC, far from the rest of the log (a wrong clock or a mangled line?).'])
  })

  it('reports a dyno seen only through Process running readings: over-quota figures, R14/R15, restarts, no verdict', () => {
    const events: LogEvent[] = []
    // 10 minutes over a 512 MB quota from 09:00, readings every 20 s, then an R15 kill; again at 11:00 for 2 minutes.
    for (const [from, count] of [[START, 30], [START + (2 * HOUR), 6]]) {
      for (let i = 0; i < count; i++) {
        const mem = 520 + (i * 17)
        events.push({
          dyno: 'web.1', kind: 'reading', mem, percent: Math.round((mem / 512) * 1000) / 10, time: from + (i * SAMPLE_MS), type: 'web',
        }, {
          code: i === 29 ? 'R15' : 'R14', dyno: 'web.1', kind: 'error', time: from + (i * SAMPLE_MS) + 1, type: 'web',
        })
      }
    }

    events.push({
      action: 'crashed', dyno: 'web.1', from: 'up', kind: 'dyno', time: START + (30 * SAMPLE_MS), to: 'crashed', type: 'web',
    })
    const report = buildReport(accumulate(byTime(events)), FILES)
    expect(report.coverage).to.equal('readings-only')
    expect(report.readings).to.equal(36)
    expect(report.samples).to.equal(0)
    const [dyno] = report.dynos
    expect(dyno).to.include({
      confidence: 0, memoryMaxMb: 1013, quotaCrossings: 2, quotaMb: 512, r14: 35, r15: 1, readings: 36, readingsOnly: true, verdict: 'insufficient',
    })
    expect(dyno.peakPercentOfQuota).to.be.closeTo(197.9, 0.2)
    // 30 readings 20 s apart (29 intervals + the first's 20 s), then 6 (5 intervals + 20 s).
    expect(dyno.secondsOverQuota).to.equal((30 * 20) + (6 * 20))
    expect(dyno.restarts.crash).to.equal(1)
    expect(dyno.series).to.deep.equal([])
    expect(dyno.timeline.filter(point => point.count > 0).length).to.equal(36)
    expect(report.processTypes[0].story).to.equal('over its quota for 12 min in all (peak 1013 MB, 198% of the quota); memory below the quota is not in the log')
    // The watchdog reads samples: no use without log-runtime-metrics.
    expect(report.processTypes[0].advice.map(advice => advice.kind)).not.to.include('watchdog')
    expect(report.notes.at(-1)).to.match(/^No log-runtime-metrics samples in the log: .* heroku labs:enable log-runtime-metrics -a APP, then heroku ps:restart -a APP\.$/)
  })

  it('mixes sampled dynos and readings-only dynos: the sampled keep their verdict, readings do not change them', () => {
    const leak = samples({
      dyno: 'web.1', from: START, hours: 3, instance: 'a', shape: hour => 250 + (40 * hour),
    })
    const reading = (dyno: string, minute: number, mem: number): LogEvent => ({
      dyno, kind: 'reading', mem, percent: Math.round((mem / 512) * 1000) / 10, time: START + (minute * 60_000), type: dyno.split('.')[0],
    })
    const reference = buildReport(accumulate(leak), FILES)
    // web.1's own reading (a platform reading next to its sample) is ignored: its samples say more.
    const report = buildReport(accumulate(byTime([...leak, reading('web.1', 90, 9999), reading('worker.1', 60, 700), reading('worker.1', 61, 720)])), FILES)
    expect(report.coverage).to.equal('mixed')
    expect(report.dynos.map(dyno => [dyno.name, dyno.verdict, dyno.readingsOnly])).to.deep.equal([['web.1', 'leak', undefined], ['worker.1', 'insufficient', true]])
    expect(report.dynos[0]).to.deep.equal(reference.dynos[0])
    expect(report.notes.at(-1)).to.match(/^No log-runtime-metrics samples for worker\.1: /)
  })

  describe('a farm of dynos and restarts (linear in series)', function () {
    // Quadratic grouping took 17 s for 40k instances of one dyno and over 20 s for 40k dynos on this
    // machine; linear, they take about 1 s and 3 s (more when the machine is busy).
    this.timeout(20_000)

    it('groups 40k instances of one dyno into its process type in well under a few seconds', () => {
      const started = performance.now()
      const report = buildReport(farm(40_000, 'instances'), FILES)
      expect(report.dynos[0].series).to.have.length(40_000)
      expect(report.processTypes[0].chapters).to.have.length(1)
      expect(performance.now() - started).to.be.below(5000)
    })

    it('groups 40k dynos of one process type in well under a few seconds', () => {
      const started = performance.now()
      const report = buildReport(farm(40_000, 'dynos'), FILES)
      expect(report.processTypes[0].dynos).to.have.length(40_000)
      expect(performance.now() - started).to.be.below(12_000)
    })
  })
})
