import {expect} from 'chai'

import {EVENT_NEEDLES} from '../../../src/core/parse/index.js'
import {
  EVENT_LINES, legacy, parseOne, TS,
} from '../../fixtures/log-lines.js'

describe('parse/needles', () => {
  it('every line that yields an event holds a needle', () => {
    for (const [line] of EVENT_LINES) expect(EVENT_NEEDLES.some(needle => line.includes(needle)), line).to.equal(true)
  })

  it('name load samples, and only them, with `load_`', () => {
    const loadLines = EVENT_LINES.filter(([, event]) => event.kind === 'load').map(([line]) => line)
    const loadNeedles = EVENT_NEEDLES.filter(needle => needle.includes('load_'))
    const otherNeedles = EVENT_NEEDLES.filter(needle => !needle.includes('load_'))
    expect(loadNeedles).to.have.length(2)
    for (const [line, event] of EVENT_LINES) {
      if (event.kind !== 'load') expect(otherNeedles.some(needle => line.includes(needle)), line).to.equal(true)
    }

    for (const line of [...loadLines, legacy('load_avg_1m', '0.5')]) expect(loadNeedles.some(needle => line.includes(needle)), line).to.equal(true)
  })

  it('are ASCII, so they match raw UTF-8 bytes', () => {
    for (const needle of EVENT_NEEDLES) expect(Buffer.from(needle).length).to.equal(needle.length)
  })

  it('lines without a needle give nothing, even when otherwise well formed', () => {
    expect(parseOne(`${TS} heroku[web.1]: Idling`)).to.equal(undefined)
    expect(parseOne(`${TS} heroku[web.1]: sample#memory-rss=5MB`)).to.equal(undefined)
  })
})
