import {expect} from 'chai'

import {formatAge, RecordConsole, recorderStatusLine} from '../../src/render/record-output.js'

const status = {
  apps: 2, buffered: 0, dynos: 5, gaps: 1, lastSampleAt: 1000, samplesStored: 1234, storeDown: false,
}

describe('mem:record output', () => {
  it('the status line says apps, dynos, samples stored, last sample age, gaps, and a store that is down', () => {
    expect(recorderStatusLine(status, 4000)).to.equal('recording 2 apps, 5 dynos: 1234 samples stored, last 3s ago, 1 gap')
    expect(recorderStatusLine({
      ...status, buffered: 90, lastSampleAt: undefined, storeDown: true,
    }, 4000))
    .to.equal('recording 2 apps, 5 dynos: 1234 samples stored, no sample yet, 1 gap, STORE DOWN, 90 events waiting')
  })

  it('on a terminal the line is redrawn in place, cut to the width, with notices printed above it', () => {
    let out = ''
    const screen = new RecordConsole(text => {
      out += text
    }, true, 40)
    screen.status(status, 4000)
    expect(out).to.equal(`\r\u001B[2K${'recording 2 apps, 5 dynos: 1234 samples stored, last 3s ago, 1 gap'.slice(0, 38)}…`)
    out = ''
    screen.notice({kind: 'store-up', written: 12})
    expect(out.startsWith('\r\u001B[2Kstore answering again: 12 waiting events written\nrecording')).to.equal(true)
  })

  it('a terminal that reports no width gets 80 columns, not an empty line', () => {
    let out = ''
    new RecordConsole(text => {
      out += text
    }, true, 0).status(status, 4000)
    expect(out).to.equal('\r\u001B[2Krecording 2 apps, 5 dynos: 1234 samples stored, last 3s ago, 1 gap')
  })

  it('piped, the status is one line a minute', () => {
    const lines: string[] = []
    const screen = new RecordConsole(text => lines.push(text), false)
    for (let now = 60_000; now <= 180_000; now += 1000) screen.status(status, now)
    expect(lines).to.have.length(3)
    expect(lines[0]).to.match(/^1970-01-01T00:01:00Z recording 2 apps/)
  })

  it('formats ages', () => {
    expect([formatAge(950), formatAge(42_000), formatAge(185_000), formatAge(7_800_000)]).to.deep.equal(['950ms', '42s', '3m05s', '2h10m'])
  })
})
