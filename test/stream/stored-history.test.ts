import {expect} from 'chai'

import {storedHistoryNotes} from '../../src/stream/stored-history.js'

const T = Date.UTC(2026, 10, 1, 3)
const HOUR = 3_600_000

describe('storedHistoryNotes', () => {
  it('names the span read from rollups by choice, the level, and what stays exact', () => {
    const notes = storedHistoryNotes({
      coarse: {from: T + HOUR, level: 'hourly', to: T + 720 * HOUR}, coverage: [{from: T, to: T + 721 * HOUR}], from: T, label: 'store.sqlite', samples: 12_960_000, through: T + 721 * HOUR,
    })
    expect(notes).to.have.length(2)
    expect(notes[1]).to.match(/^From 2026-11-01T04:00:00Z to 2026-12-01T03:00:00Z the window is too long to read sample by sample: read from hourly rollups/)
    expect(notes[1]).to.contain('(5-minute ones at its ends), one point per dyno and bucket at the bucket\'s peak. Peaks and the counts of R14, R15 and restarts are exact; percentiles')
  })

  it('names the span whose raw samples had aged out', () => {
    const notes = storedHistoryNotes({
      coverage: [], from: T, label: 'store.sqlite', rollups: {from: T, to: T + HOUR}, samples: 10, through: T + 2 * HOUR,
    })
    expect(notes[1]).to.match(/^From 2026-11-01T03:00:00Z to 2026-11-01T04:00:00Z the raw samples had aged out: read from 5-minute rollups, one point/)
  })
})
