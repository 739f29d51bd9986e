import {expect} from 'chai'

import {LogParser} from '../../../src/core/parse/index.js'
import {
  parseOne,
} from '../../fixtures/log-lines.js'

describe('parse/time', () => {
  describe('timestamps', () => {
    const cases: Array<[string, string]> = [
      ['2026-11-20T10:12:00.123456+00:00', '2026-11-20T10:12:00.123Z'],
      ['2026-11-20T10:12:00+00:00', '2026-11-20T10:12:00Z'],
      ['2026-11-20T10:12:00Z', '2026-11-20T10:12:00Z'],
      ['2026-11-20T10:12:00.5Z', '2026-11-20T10:12:00.500Z'],
      ['2026-11-20T10:12:00.98-05:00', '2026-11-20T15:12:00.980Z'],
      ['2026-11-20T01:12:00.123+05:30', '2026-11-19T19:42:00.123Z'],
      ['2026-11-20T01:12:00+0530', '2026-11-19T19:42:00Z'],
      ['2026-11-20T10:12:00', '2026-11-20T10:12:00Z'],
      ['2024-02-29T23:59:59.999999-00:00', '2024-02-29T23:59:59.999Z'],
    ]
    for (const [stamp, utc] of cases) {
      it(`${stamp} is ${utc}`, () => {
        expect(parseOne(`${stamp} heroku[web.1]: Restarting`)?.time).to.equal(Date.parse(utc))
      })
    }

    it('agrees with Date.parse on every kind of day from 1970 to 2400 (leap years, month ends)', () => {
      const parser = new LogParser()
      const end = Date.UTC(2400, 0, 1)
      for (let time = 0; time < end; time += (86_400_000 * 97) + 3_600_123) {
        const stamp = new Date(time).toISOString()
        expect(parser.parse(`${stamp} heroku[web.1]: Cycling`)?.time, stamp).to.equal(time)
        expect(parser.parse(`${stamp.replace('Z', '-07:30')} heroku[web.1]: Cycling`)?.time, stamp).to.equal(time + (7.5 * 3_600_000))
      }

      for (const stamp of ['2000-02-29T12:00:00Z', '2100-02-28T23:59:59Z', '2024-12-31T23:59:59.999Z', '2025-03-01T00:00:00Z']) {
        expect(parser.parse(`${stamp} heroku[web.1]: Cycling`)?.time, stamp).to.equal(Date.parse(stamp))
      }
    })

    it('drops lines whose time is not a real instant', () => {
      for (const stamp of ['2026-13-01T00:00:00Z', '2025-02-29T00:00:00Z', '2026-11-20T10:60:00Z', 'not-a-time-at-all-x', '2026-11-20T10:12:00+24:00']) {
        expect(parseOne(`${stamp} heroku[web.1]: Restarting`), stamp).to.equal(undefined)
      }
    })
  })
})
