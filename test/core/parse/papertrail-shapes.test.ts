import {expect} from 'chai'

import {LogParser} from '../../../src/core/parse/index.js'
import {
  MEMORY_MESSAGE, parseOne, tsv,
} from '../../fixtures/log-lines.js'

describe('parse/papertrail-shapes', () => {
  describe('Papertrail archive TSV', () => {
    const time = Date.parse('2016-08-11T17:45:57Z')

    it('reads platform lines, generated_at without zone as UTC', () => {
      expect(parseOne(tsv('heroku/web.1', MEMORY_MESSAGE))).to.include({
        dyno: 'web.1', kind: 'memory', rss: 491.2, time,
      })
      expect(parseOne(tsv('heroku/worker.2', 'Error R15 (Memory quota vastly exceeded)'))).to.deep.equal({
        code: 'R15', dyno: 'worker.2', kind: 'error', time, type: 'worker',
      })
      expect(parseOne(tsv('heroku/web.1', 'Restarting', '2016-08-11T17:45:57-02:00'))).to.include({time: time + (2 * 3_600_000)})
    })

    it('reads releases from app/api only', () => {
      expect(parseOne(tsv('app/api', 'Release v9 created by user a@b.c'))).to.deep.equal({
        action: 'release', description: 'Release v9 created', kind: 'release', time, version: 9,
      })
      expect(parseOne(tsv('app/web.1', 'Release v9 created by user a@b.c'))).to.equal(undefined)
    })

    it('keeps tabs inside the message', () => {
      expect(parseOne(tsv('app/api', 'Set A\tB config vars by user a@b.c'))).to.include({description: 'Set A\tB config vars'})
    })

    it('drops rows with too few columns or a bad time', () => {
      expect(parseOne('1\t2016-08-11 17:45:57\theroku/web.1\tRestarting')).to.equal(undefined)
      expect(parseOne(tsv('heroku/web.1', 'Restarting', '2016-08-11'))).to.equal(undefined)
    })
  })

  describe('Papertrail search output (no year)', () => {
    it('uses defaultYear', () => {
      expect(parseOne('Nov 21 14:14:58 myapp heroku/web.4: Error R14 (Memory quota exceeded)')).to.deep.equal({
        code: 'R14', dyno: 'web.4', kind: 'error', time: Date.parse('2026-11-21T14:14:58Z'), type: 'web',
      })
      expect(parseOne('Nov  1 04:14:58 myapp heroku/web.4: Cycling')).to.include({time: Date.parse('2026-11-01T04:14:58Z')})
      expect(parseOne('Nov 1 04:14:58 myapp heroku/web.4: Cycling')).to.include({time: Date.parse('2026-11-01T04:14:58Z')})
      expect(parseOne('Nov 21 14:14:58 myapp app/api: Rollback to v3 by user a@b.c')).to.include({action: 'rollback', version: 3})
    })

    it('rolls over to the next year when the month steps back from December', () => {
      const parser = new LogParser({defaultYear: 2025})
      const times = ['Dec 31 23:59:59', 'Nov 30 10:00:00', 'Dec 31 23:59:59', 'Jan  1 00:00:01', 'Feb  3 00:00:00']
      .map(stamp => parser.parse(`${stamp} myapp heroku/web.1: Restarting`)?.time)
      expect(times).to.deep.equal([
        Date.parse('2025-12-31T23:59:59Z'),
        Date.parse('2025-11-30T10:00:00Z'),
        Date.parse('2025-12-31T23:59:59Z'),
        Date.parse('2026-01-01T00:00:01Z'),
        Date.parse('2026-02-03T00:00:00Z'),
      ])
    })

    it('checks the day against the year (Feb 29)', () => {
      expect(new LogParser({defaultYear: 2024}).parse('Feb 29 10:00:00 myapp heroku/web.1: Cycling')).to.include({time: Date.parse('2024-02-29T10:00:00Z')})
      expect(new LogParser({defaultYear: 2026}).parse('Feb 29 10:00:00 myapp heroku/web.1: Cycling')).to.equal(undefined)
    })

    it('without defaultYear, takes the year of the last dated line, and skips lines before any', () => {
      const parser = new LogParser()
      expect(parser.parse('Nov 21 14:14:58 myapp heroku/web.4: Cycling')).to.equal(undefined)
      parser.parse('2019-05-01T00:00:00Z heroku[web.1]: Restarting')
      expect(parser.parse('Nov 21 14:14:58 myapp heroku/web.4: Cycling')).to.include({time: Date.parse('2019-11-21T14:14:58Z')})
      expect(new LogParser({defaultYear: Number.NaN}).parse('Nov 21 14:14:58 myapp heroku/web.4: Cycling')).to.equal(undefined)
    })
  })

  describe('drains stored by rsyslog or Splunk (no year)', () => {
    const token = 'd.3f5e0c8a-7d21-4b9e-9a0c-2b6f1e4d8c11'
    const time = Date.parse('2026-09-03T07:15:22Z')

    it('reads `Sep  3 07:15:22 d.<token> heroku[web.1] - MSG`, with or without the ` -`, and with a colon', () => {
      const expected = {
        code: 'R14', dyno: 'web.1', kind: 'error', time, type: 'web',
      }
      for (const program of ['heroku[web.1] -', 'heroku[web.1]', 'heroku[web.1]:']) {
        expect(parseOne(`Sep  3 07:15:22 ${token} ${program} Error R14 (Memory quota exceeded)`), program).to.deep.equal(expected)
      }
    })

    it('reads memory samples in that shape', () => {
      expect(parseOne(`Sep  3 07:15:22 ${token} heroku[web.1] - ${MEMORY_MESSAGE}`)).to.include({
        dyno: 'web.1', kind: 'memory', rss: 491.2, time,
      })
    })

    it('never trusts the app in that shape', () => {
      expect(parseOne(`Sep  3 07:15:22 ${token} app[web.1] - Error R14 (Memory quota exceeded)`)).to.equal(undefined)
      expect(parseOne(`Sep  3 07:15:22 ${token} app[web.1] - heroku[web.1] - Error R14 (Memory quota exceeded)`)).to.equal(undefined)
      expect(parseOne(`Sep  3 07:15:22 ${token} heroku[router] - at=info Error R14`)).to.equal(undefined)
    })
  })

  describe('Papertrail viewer copies', () => {
    it('reads lines with two spaces after the program and trailing spaces', () => {
      expect(parseOne('May 04 02:18:35 myapp heroku/web.1:  Process running mem=612M(119.5%)  ')).to.deep.equal({
        dyno: 'web.1', kind: 'reading', mem: 612, percent: 119.5, time: Date.parse('2026-05-04T02:18:35Z'), type: 'web',
      })
      expect(parseOne('May 04 02:18:35 myapp app/web.1:  Process running mem=612M(119.5%)  ')).to.equal(undefined)
    })
  })
})
