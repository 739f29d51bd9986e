import {expect} from 'chai'

import {
  EVENT_LINES, parseOne, TS,
} from '../../fixtures/log-lines.js'

describe('platform messages', () => {
  describe('heroku logs shape: every message kind', () => {
    for (const [line, expected] of EVENT_LINES) {
      it(line.slice(TS.length + 1, TS.length + 60), () => {
        expect(parseOne(line)).to.deep.equal(expected)
      })
    }

    it(String.raw`tolerates a trailing \r and trailing spaces`, () => {
      for (const [line, expected] of EVENT_LINES) {
        expect(parseOne(`${line}\r`)).to.deep.equal(expected)
        expect(parseOne(`${line}  `)).to.deep.equal(expected)
      }
    })
  })
})
