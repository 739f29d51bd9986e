import {expect} from 'chai'

import {LogParser} from '../../../src/core/parse/index.js'
import {
  INSTANCE, MEMORY_MESSAGE, memoryLine, parseOne, TIME, TS,
} from '../../fixtures/log-lines.js'

describe('parse/metrics', () => {
  describe('memory sample keys and values', () => {
    it('reads keys in any order', () => {
      const shuffled = MEMORY_MESSAGE.split(' ').reverse().join(' ')
      expect(parseOne(memoryLine(shuffled))).to.deep.equal(parseOne(memoryLine(MEMORY_MESSAGE)))
    })

    it('computes total from rss + swap + cache when total is missing or malformed', () => {
      for (const total of ['', ' sample#memory_total=abcMB', ' sample#memory_total=', ' sample#memory_total=12XB']) {
        const event = parseOne(memoryLine(`source=web.1 sample#memory_rss=400MB sample#memory_swap=20MB sample#memory_cache=1.5MB${total}`))
        expect(event).to.include({
          cache: 1.5, kind: 'memory', rss: 400, swap: 20, total: 421.5,
        })
      }
    })

    it('needs rss: no sample without a usable one', () => {
      for (const rss of ['', 'sample#memory_rss=abcMB', 'sample#memory_rss=', 'sample#memory_rss=-5MB', 'sample#memory_rss=1e5MB', 'sample#memory_rss=5XB']) {
        expect(parseOne(memoryLine(`source=web.1 sample#memory_total=400MB sample#memory_swap=0MB ${rss}`)), rss).to.equal(undefined)
      }
    })

    it('takes missing cache and swap as 0, and leaves out what the line lacks', () => {
      const event = parseOne(memoryLine('sample#memory_rss=300MB'))
      expect(event).to.deep.equal({
        cache: 0, dyno: 'web.1', kind: 'memory', rss: 300, swap: 0, time: TIME, total: 300, type: 'web',
      })
    })

    it('ignores extra and unknown keys, and words without =', () => {
      const event = parseOne(memoryLine(`source=web.1 foo=bar sample#memory_rss=300MB sample#memory_weird=1MB junk sample#memory_=2 =3 sample#=4 dyno=${INSTANCE}`))
      expect(event).to.deep.equal({
        cache: 0, dyno: 'web.1', instance: INSTANCE, kind: 'memory', rss: 300, swap: 0, time: TIME, total: 300, type: 'web',
      })
    })

    it('converts units to MiB ("MB" is MiB)', () => {
      const cases: Array<[string, number]> = [
        ['512MB', 512],
        ['512.50MB', 512.5],
        ['512', 512],
        ['512M', 512],
        ['512MiB', 512],
        ['1.5GB', 1536],
        ['2G', 2048],
        ['1GiB', 1024],
        ['2048kB', 2],
        ['2048KB', 2],
        ['1024KiB', 1],
        ['1048576B', 1],
        ['.5MB', 0.5],
      ]
      for (const [value, mib] of cases) {
        expect(parseOne(memoryLine(`sample#memory_rss=${value} sample#memory_swap=0MB`)), value).to.include({rss: mib})
      }
    })

    it('drops a size with no unit as the line\'s last word: the line was cut (a copy from a viewer or an issue)', () => {
      const whole = 'source=web.1 sample#memory_total=541.05MB sample#memory_rss=539.80MB sample#memory_cache=1.25MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB'
      expect(parseOne(memoryLine(whole))).to.include({quota: 512, rss: 539.8})
      // Cut in the quota: the sample stays, without a quota of 5 MB (10,821% of it).
      expect(parseOne(memoryLine(whole.slice(0, whole.indexOf('quota=') + 7)))).to.not.have.property('quota')
      expect(parseOne(memoryLine(whole.slice(0, whole.indexOf('quota=') + 10)))).to.not.have.property('quota')
      // Cut in the RSS: no sample at all, rather than one of 4 MB.
      expect(parseOne(memoryLine(whole.slice(0, whole.indexOf('rss=') + 5)))).to.equal(undefined)
      // The unit cut after its first letter is still a unit.
      expect(parseOne(memoryLine(whole.slice(0, whole.indexOf('quota=') + 13)))).to.include({quota: 512})
    })

    it('reads pgpg counters with or without `pages`, and drops malformed ones', () => {
      expect(parseOne(memoryLine('sample#memory_rss=1MB sample#memory_pgpgin=12pages sample#memory_pgpgout=7'))).to.include({pgpgin: 12, pgpgout: 7})
      const malformed = parseOne(memoryLine('sample#memory_rss=1MB sample#memory_pgpgin=12MB sample#memory_pgpgout=xpages'))
      expect(malformed).to.not.have.property('pgpgin')
      expect(malformed).to.not.have.property('pgpgout')
    })

    it('keeps a positive quota only', () => {
      expect(parseOne(memoryLine('sample#memory_rss=1MB sample#memory_quota=1GB'))).to.include({quota: 1024})
      expect(parseOne(memoryLine('sample#memory_rss=1MB sample#memory_quota=0.00MB'))).to.not.have.property('quota')
    })

    it('treats numbers with more digits than a double holds as malformed, never Infinity', () => {
      const huge = '9'.repeat(400)
      expect(parseOne(memoryLine(`sample#memory_rss=${huge}MB`))).to.equal(undefined)
      expect(parseOne(memoryLine('sample#memory_rss=1234567890123456MB'))).to.equal(undefined)
      const event = parseOne(memoryLine(`sample#memory_rss=999999999999999GB sample#memory_swap=999999999999999GB sample#memory_cache=${huge}MB`))
      expect(event).to.include({cache: 0, rss: 999_999_999_999_999 * 1024})
      expect(Number.isFinite((event as {total: number}).total)).to.equal(true)
    })

    it('takes the dyno from source=, else from the header; instance from dyno=', () => {
      expect(parseOne(`${TS} heroku[web.1]: source=web.2 sample#memory_rss=1MB`)).to.include({dyno: 'web.2', type: 'web'})
      expect(parseOne(`${TS} heroku[worker.3]: sample#memory_rss=1MB`)).to.include({dyno: 'worker.3', type: 'worker'})
      expect(parseOne(`${TS} heroku[worker.3]: source=bad^name sample#memory_rss=1MB`)).to.include({dyno: 'worker.3'})
      expect(parseOne(`${TS} heroku[web.1]: sample#memory_rss=1MB`)).to.not.have.property('instance')
    })

    it('reads Fir-style dyno names', () => {
      expect(parseOne(`${TS} heroku[web-5d8f7c9b4-x2x7q]: Error R14 (Memory quota exceeded)`)).to.include({dyno: 'web-5d8f7c9b4-x2x7q', type: 'web-5d8f7c9b4-x2x7q'})
    })
  })

  describe('load samples', () => {
    it('keeps the loads the line has', () => {
      expect(parseOne(memoryLine('source=web.1 sample#load_avg_1m=0.5 sample#load_avg_15m=abc'))).to.deep.equal({
        dyno: 'web.1', kind: 'load', load1m: 0.5, time: TIME, type: 'web',
      })
    })

    it('gives nothing when no load is usable', () => {
      expect(parseOne(memoryLine('source=web.1 sample#load_avg_1m=x sample#load_avg_5m= sample#load_avg_15m=1.0MB'))).to.equal(undefined)
    })
  })

  it('reads a memory line the same whether its keys come in the platform\'s order (fast path) or any other', () => {
    // Mostly the platform's own shape (so the fast path is taken often), with odd values mixed in.
    const numbers = ['221.57', '0', '31.5', '491.20', '123456789012345', '12.345', '007.10', '.5', '5.', '1234567890123456', '1e3', '', '1.2.3']
    const units = ['MB', 'MB', 'MB', 'MB', 'MB', 'MB', 'MB', 'MB', 'M', 'GB', 'kB', '', 'MBx', 'pages']
    const sources = ['web.1', 'worker.2', '', 'a=b', '-bad', 'run.1234']
    const keys = ['memory_total', 'memory_rss', 'memory_cache', 'memory_swap', 'memory_pgpgin', 'memory_pgpgout', 'memory_quota']
    let seed = 12_345
    const pick = <T>(items: T[]): T => {
      seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648
      return items[seed % items.length]
    }

    let memoryEvents = 0
    for (let i = 0; i < 5000; i++) {
      const parts = keys.map((key, index) => `sample#${key}=${pick(numbers)}${index === 4 || index === 5 ? pick(['pages', 'pages', '', 'MB']) : pick(units)}`)
      const head = `${TS} heroku[web.1]: source=${pick(sources)} dyno=${pick([INSTANCE, '', 'x=y'])} `
      const tail = pick(['', '', '', ' ', '\r', ' extra=1'])
      const inOrder = new LogParser().parse(head + parts.join(' ') + tail)
      // Rotating the keys takes the general scanner; the event must not change.
      const rotated = new LogParser().parse(head + [...parts.slice(3), ...parts.slice(0, 3)].join(' ') + tail)
      expect(rotated, head + parts.join(' ')).to.deep.equal(inOrder)
      if (inOrder?.kind === 'memory') memoryEvents++
    }

    expect(memoryEvents).to.be.greaterThan(500)
  })
})
