import {expect} from 'chai'

import type {DynoStatus} from '../../src/core/dyno-state.js'
import type {FeedUpdate} from '../../src/core/ports/feed-update.js'

import {DynoBoard} from '../../src/core/dyno-state.js'
import {
  fitToWidth, TableTailOutput, tailJson, tailLine,
} from '../../src/render/tail-output.js'

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
// eslint-disable-next-line no-control-regex -- terminal escape sequences are what it removes
const strip = (text: string) => text.replaceAll(/\u001B\[[\d;]*[A-Za-z]/g, '')

function sampleUpdate(board: DynoBoard, dyno: string, rss: number, swap = 0, tick = 0): FeedUpdate {
  const event = {
    cache: 0.5, dyno, instance: `heroku.1.${dyno}`, kind: 'memory', quota: 512, rss, swap, time: T0 + tick * 20_000, total: rss + swap + 0.5, type: dyno.split('.')[0],
  } as const
  return {dyno: board.apply(event) as DynoStatus, event, kind: 'event'}
}

describe('mem:tail rendering', () => {
  it('JSON: a sample carries used memory and percent of quota', () => {
    const board = new DynoBoard()
    expect(tailJson(sampleUpdate(board, 'web.1', 400, 112))).to.deep.equal({
      type: 'sample', time: '2026-11-20T10:00:00Z', dyno: 'web.1', process_type: 'web', instance: 'heroku.1.web.1',
      rss_mb: 400, swap_mb: 112, cache_mb: 0.5, total_mb: 512.5, used_mb: 512, quota_mb: 512, percent_of_quota: 100,
    })
  })

  it('JSON and lines: memory errors and state changes', () => {
    const board = new DynoBoard()
    const error = {
      code: 'R15', dyno: 'worker.1', kind: 'error', time: T0, type: 'worker',
    } as const
    const update: FeedUpdate = {dyno: board.apply(error)!, event: error, kind: 'event'}
    expect(tailJson(update)).to.deep.equal({
      type: 'memory_error', time: '2026-11-20T10:00:00Z', dyno: 'worker.1', process_type: 'worker', code: 'R15',
    })
    expect(tailLine(update)).to.equal('2026-11-20T10:00:00Z worker.1 R15 memory quota vastly exceeded')
    const crash = {
      action: 'crashed', dyno: 'worker.1', from: 'up', kind: 'dyno', time: T0, to: 'crashed', type: 'worker',
    } as const
    const crashUpdate: FeedUpdate = {dyno: board.apply(crash)!, event: crash, kind: 'event'}
    expect(tailJson(crashUpdate)).to.deep.include({
      type: 'dyno_event', action: 'crashed', from: 'up', to: 'crashed',
    })
    expect(tailLine(crashUpdate)).to.equal('2026-11-20T10:00:00Z worker.1 state up -> crashed')
  })

  it('the live table redraws in place, one row per dyno, with events under it', () => {
    const writes: string[] = []
    const table = new TableTailOutput(text => writes.push(text), 'my-app', 10_000)
    const board = new DynoBoard()
    table.update(sampleUpdate(board, 'web.10', 100))
    table.update(sampleUpdate(board, 'web.2', 300, 0, 1))
    table.update(sampleUpdate(board, 'web.2', 530, 40, 2))
    const error = {
      code: 'R14', dyno: 'web.2', kind: 'error', time: T0 + 40_000, type: 'web',
    } as const
    table.update({dyno: board.apply(error)!, event: error, kind: 'event'})
    table.close()
    expect(writes).to.have.length(1)
    const screen = strip(writes[0]).split('\n')
    expect(screen[0]).to.contain('memory of my-app')
    expect(screen[1]).to.match(/^DYNO\s+SIZE\s+RSS\s+SWAP\s+TOTAL\s+% QUOTA\s+TREND\s+R14\s+R15\s+RESTARTS/)
    expect(screen[2]).to.match(/^web\.2\s+-\s+530MB\s+40\.0MB\s+571MB\s+111%\s+\S+\s+1\s+0\s+0/)
    expect(screen[3]).to.match(/^web\.10\s/)
    expect(screen.some(line => line.includes('web.2 R14 memory quota exceeded'))).to.equal(true)

    table.update(sampleUpdate(board, 'web.10', 110, 0, 3))
    table.close()
    // The second frame moves the cursor up over the first one instead of scrolling.
    expect(writes[1].startsWith(`\u001B[${writes[0].split('\n').length - 1}F`)).to.equal(true)
  })

  it('fits every line of the table to a narrow terminal, so the in-place redraw never wraps', () => {
    const writes: string[] = []
    const table = new TableTailOutput(text => writes.push(text), 'my-app', 10_000, () => 80)
    const board = new DynoBoard()
    for (let tick = 0; tick < 30; tick++) table.update(sampleUpdate(board, 'worker.12', 300 + tick, 0, tick))
    table.close()
    const lines = strip(writes[0]).split('\n')
    expect(Math.max(...lines.map(line => line.length))).to.be.at.most(79)
    expect(lines[2]).to.match(/^worker\.12\s+329MB/)
  })

  for (const [columns, header] of [
    [200, ['DYNO', 'SIZE', 'RSS', 'SWAP', 'TOTAL', '% QUOTA', 'TREND', 'R14', 'R15', 'RESTARTS', 'LAST SAMPLE']],
    [80, ['DYNO', 'RSS', 'SWAP', 'TOTAL', '% QUOTA', 'TREND', 'R14', 'R15', 'RESTARTS', 'LAST SAMPLE']],
    [60, ['DYNO', 'RSS', 'SWAP', '% QUOTA', 'TREND', 'R14', 'R15', 'RESTARTS']],
    [40, ['DYNO', 'RSS', '% QUOTA', 'R14', 'R15']],
  ] as const) {
    it(`on ${columns} columns leaves out whole columns, the least useful first, and keeps % quota, R14 and R15`, () => {
      const writes: string[] = []
      const table = new TableTailOutput(text => writes.push(text), 'my-app', 10_000, () => columns)
      const board = new DynoBoard()
      for (let tick = 0; tick < 30; tick++) table.update(sampleUpdate(board, 'web.1', 500 + tick, 20, tick))
      const error = {
        code: 'R14', dyno: 'web.1', kind: 'error', time: T0 + 600_000, type: 'web',
      } as const
      table.update({dyno: board.apply(error)!, event: error, kind: 'event'})
      table.close()
      const lines = strip(writes[0]).split('\n')
      expect(lines[1].split(/ {2,}/).map(title => title.trim()).filter(Boolean)).to.deep.equal(header)
      const row = Object.fromEntries(lines[2].trim().split(/ {2,}/).map((cell, index) => [header[index], cell]))
      expect(row).to.include({
        DYNO: 'web.1', RSS: '529MB', '% QUOTA': '107%', R14: '1', R15: '0',
      })
      expect(Math.max(...lines.slice(1, 3).map(line => line.length))).to.be.at.most(columns - 1)
    })
  }

  it('cuts a coloured line by its visible characters and closes its colour', () => {
    expect(fitToWidth('\u001B[31mabcdef\u001B[39m', 3)).to.equal('\u001B[31mabc\u001B[0m')
    expect(fitToWidth('\u001B[31mabc\u001B[39m', 3)).to.equal('\u001B[31mabc\u001B[39m')
  })
})
