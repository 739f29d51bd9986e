import {expect} from 'chai'

import {LogParser} from '../../../src/core/parse/index.js'
import {
  legacy, LEGACY_SOURCE, tsv,
} from '../../fixtures/log-lines.js'

/** A time `seconds` after 2013-08-30T14:39:57.132272Z, as whacamole's spec lines have it. */
function at(seconds: number): string {
  return new Date(Date.parse('2013-08-30T14:39:57.132Z') + (seconds * 1000)).toISOString().replace('Z', '272+00:00')
}

describe('parse/legacy', () => {
  describe('2013 legacy metrics', () => {
    const SAMPLE = [
      legacy('load_avg_1m', '0.10'),
      legacy('load_avg_5m', '0.20'),
      legacy('load_avg_15m', '0.30'),
      legacy('memory_total', '509.01 units=MB'),
      legacy('memory_rss', '508.97 units=MB'),
      legacy('memory_cache', '0.04 units=MB'),
      legacy('memory_swap', '0.00 units=MB'),
      legacy('memory_pgpgin', '0 units=pages'),
      legacy('memory_pgpgout', '5 units=pages'),
    ]
    const time = Date.parse('2013-03-01T10:00:00Z')

    it('groups one sample’s lines into one load and one memory sample, emitted when complete', () => {
      const parser = new LogParser()
      const results = SAMPLE.map(line => parser.parse(line))
      expect(results.slice(0, 2)).to.deep.equal([undefined, undefined])
      expect(results[2]).to.deep.equal({
        dyno: 'web.1', instance: LEGACY_SOURCE, kind: 'load', load15m: 0.3, load1m: 0.1, load5m: 0.2, time, type: 'web',
      })
      expect(results.slice(3, 8).every(result => result === undefined)).to.equal(true)
      expect(results[8]).to.deep.equal({
        cache: 0.04, dyno: 'web.1', instance: LEGACY_SOURCE, kind: 'memory', pgpgin: 0, pgpgout: 5, rss: 508.97, swap: 0, time, total: 509.01, type: 'web',
      })
      expect(parser.flush()).to.deep.equal([])
    })

    it('emits a partial group when the next sample of the instance begins, the rest on flush', () => {
      const parser = new LogParser()
      const first = [legacy('memory_total', '100 units=MB'), legacy('memory_rss', '90 units=MB')]
      const later = '2013-03-01T10:00:20+00:00'
      const second = [legacy('memory_total', '200 units=MB', later), legacy('memory_rss', '1 units=GB', later)]
      const results = [...first, ...second].map(line => parser.parse(line))
      expect(results[0]).to.equal(undefined)
      expect(results[1]).to.equal(undefined)
      expect(results[2]).to.include({
        kind: 'memory', rss: 90, time, total: 100,
      })
      expect(results[3]).to.equal(undefined)
      expect(parser.flush()).to.deep.equal([{
        cache: 0, dyno: 'web.1', instance: LEGACY_SOURCE, kind: 'memory', rss: 1024, swap: 0, time: time + 20_000, total: 200, type: 'web',
      }])
      expect(parser.flush()).to.deep.equal([])
    })

    it('starts a new group when a metric repeats even within the same second', () => {
      const parser = new LogParser()
      expect(parser.parse(legacy('memory_rss', '1 units=MB'))).to.equal(undefined)
      expect(parser.parse(legacy('memory_rss', '2 units=MB'))).to.include({rss: 1})
      expect(parser.flush()).to.have.length(1)
    })

    it('starts a new group when the time moves on by a sample period, even without a repeat', () => {
      const parser = new LogParser()
      expect(parser.parse(legacy('memory_rss', '1 units=MB'))).to.equal(undefined)
      expect(parser.parse(legacy('memory_swap', '2 units=MB', '2013-03-01T10:00:09+00:00'))).to.equal(undefined)
      expect(parser.parse(legacy('memory_cache', '3 units=MB', '2013-03-01T10:00:20+00:00'))).to.include({rss: 1, swap: 2, time})
    })

    it('keeps instances apart and flushes oldest first, dropping groups without rss', () => {
      const parser = new LogParser()
      const other = 'heroku.772639.web.2.aaaa'
      parser.parse(legacy('memory_rss', '2 units=MB', '2013-03-01T10:00:05+00:00', other).replace('heroku[web.1]', 'heroku[web.2]'))
      parser.parse(legacy('memory_rss', '1 units=MB'))
      parser.parse(legacy('memory_swap', '1 units=MB', '2013-03-01T10:00:05+00:00', 'heroku.1.worker.1.x').replace('heroku[web.1]', 'heroku[worker.1]'))
      parser.parse(legacy('load_avg_1m', '0.5', '2013-03-01T10:00:01+00:00'))
      const flushed = parser.flush()
      expect(flushed.map(event => [event.kind, 'dyno' in event ? event.dyno : ''])).to.deep.equal([['memory', 'web.1'], ['load', 'web.1'], ['memory', 'web.2']])
    })

    it('reads legacy lines in the Papertrail and syslog shapes too', () => {
      const parser = new LogParser()
      for (const line of SAMPLE.slice(3, 8)) parser.parse(tsv('heroku/web.1', line.slice(line.indexOf('source=')), '2013-03-01 10:00:00'))
      expect(parser.parse(`<134>1 2013-03-01T10:00:00+00:00 host heroku web.1 - ${SAMPLE[8].slice(SAMPLE[8].indexOf('source='))}`)).to.include({
        dyno: 'web.1', kind: 'memory', pgpgout: 5, rss: 508.97, time,
      })
    })

    it('ignores malformed legacy lines', () => {
      const parser = new LogParser()
      for (const line of [legacy('memory_rss', 'abc units=MB'), legacy('memory_rss', '5 units=XB'), legacy('memory_bogus', '5'), legacy('memory_rss', '')]) {
        expect(parser.parse(line)).to.equal(undefined)
      }

      expect(parser.flush()).to.deep.equal([])
    })

    it('never trusts legacy lines from the app', () => {
      const parser = new LogParser()
      for (const line of SAMPLE) expect(parser.parse(line.replace('heroku[web.1]', 'app[web.1]'))).to.equal(undefined)
      expect(parser.flush()).to.deep.equal([])
    })
  })

  describe('groups with memory_total alone (older logs, as whacamole read them)', () => {
    // whacamole's spec: `measure=memory_total` without rss, among the load lines of the same sample.
    const source = 'heroku.772639.web.1.50578a75-9052-4e14-ac30-ba3686750017'
    const sample = (seconds: number, total: string): string[] => [
      `${at(seconds)} heroku[web.1]: source=${source} measure=load_avg_1m val=0.00`,
      `${at(seconds)} heroku[web.1]: source=${source} measure=load_avg_15m val=0.20`,
      `${at(seconds)} heroku[web.1]: source=${source} measure=memory_total val=${total} units=MB`,
    ]

    it('is a memory reading of that total, emitted when the next sample begins or on flush', () => {
      const parser = new LogParser()
      const first = sample(0, '509').map(line => parser.parse(line))
      expect(first).to.deep.equal([undefined, undefined, undefined])
      const second = sample(20, '514').map(line => parser.parse(line)).filter(Boolean)
      expect(second).to.deep.equal([
        {
          dyno: 'web.1', instance: source, kind: 'load', load15m: 0.2, load1m: 0, time: Date.parse(at(0)), type: 'web',
        },
        {
          dyno: 'web.1', kind: 'reading', mem: 509, time: Date.parse(at(0)), type: 'web',
        },
      ])
      expect(parser.flush()).to.deep.equal([
        {
          dyno: 'web.1', kind: 'reading', mem: 514, time: Date.parse(at(20)), type: 'web',
        },
        {
          dyno: 'web.1', instance: source, kind: 'load', load15m: 0.2, load1m: 0, time: Date.parse(at(20)), type: 'web',
        },
      ])
    })

    it('converts its unit', () => {
      const parser = new LogParser()
      parser.parse(legacy('memory_total', '1.5 units=GB'))
      expect(parser.flush()).to.deep.equal([{
        dyno: 'web.1', kind: 'reading', mem: 1536, time: Date.parse('2013-03-01T10:00:00Z'), type: 'web',
      }])
    })
  })
})
