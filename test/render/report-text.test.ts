import {expect} from 'chai'

import type {SeriesPoint} from '../../src/core/report/downsampled-series.js'

import {ReportAccumulator} from '../../src/core/report/accumulator.js'
import {buildReport} from '../../src/core/report/report.js'
import {terminalChart} from '../../src/render/report-chart.js'
import {reportJson, reportJsonChunks} from '../../src/render/report-json.js'
import {reportText} from '../../src/render/report-text.js'
import {wrapText} from '../../src/render/wrap-text.js'

const START = Date.UTC(2026, 10, 20, 8)

function point(minute: number, max: number, marks: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    count: 1, max, mean: max, min: max, r14: 0, r15: 0, restarts: 0, time: START + (minute * 60_000), ...marks,
  }
}

// eslint-disable-next-line no-control-regex -- terminal escape sequences are what it removes
const stripAnsi = (text: string) => text.replaceAll(/\u001B\[[\d;]*m/g, '')

/** `count` one-off dynos of 12 samples each, well under the quota. */
function accumulatorOf(count: number): ReportAccumulator {
  const accumulator = new ReportAccumulator()
  for (let run = 0; run < count; run++) {
    for (let i = 0; i < 12; i++) {
      accumulator.add({
        cache: 0, dyno: `run.${run}`, instance: `i${run}`, kind: 'memory', quota: 512, rss: 150, swap: 0, time: START + (run * 600_000) + (i * 20_000), total: 0, type: 'run',
      })
    }
  }

  return accumulator
}

describe('report renderers', () => {
  it('counts one sample as one (a one-line saved log): `1 sample from 1 dyno`', () => {
    const accumulator = new ReportAccumulator()
    accumulator.add({
      cache: 0, dyno: 'web.1', instance: 'i1', kind: 'memory', quota: 512, rss: 150, swap: 0, time: START, total: 150, type: 'web',
    })
    const text = stripAnsi(reportText(buildReport(accumulator, {source: {files: ['app.log'], kind: 'files'}}), {width: 80}))
    expect(text.split('\n')[0]).to.match(/, 1 sample from 1 dyno, /)
  })

  it('draws memory as columns with the quota line and R14, R15 and restart marks under them', () => {
    const points = [point(0, 100), point(10, 300, {restarts: 1}), point(20, 550, {r14: 2}), point(29, 1100, {r15: 1})]
    const lines = terminalChart(points, {
      from: START, height: 4, quota: 512, to: START + (30 * 60_000), width: 6,
    })
    // Columns of 5 minutes, rows of 275 MB: 100 MB is 3/8 of the bottom row, 300 MB 1/8 into the quota row.
    expect(lines).to.deep.equal([
      '1100 ┤     █',
      '     ┤     █',
      ' 512 ┤──▁─██',
      '   0 ┤▃ █ ██',
      '     └  | !X',
      '      08:00 08:30',
    ])
  })

  it('draws a short window of 20 s samples without blank slices between them, and leaves a silence blank', () => {
    // Slices of 10 s: every other one holds no sample. 15 minutes of samples, 5 of silence, 5 of samples.
    const points: SeriesPoint[] = []
    for (let i = 0; i < 45; i++) points.push({...point(0, 200 + i), time: START + (i * 20_000)})
    for (let i = 0; i < 15; i++) points.push({...point(0, 300), time: START + (20 * 60_000) + (i * 20_000)})
    const lines = terminalChart(points, {
      from: START, height: 4, quota: 512, to: START + (25 * 60_000), width: 150,
    })
    // The bottom row (0 to ~140 MB): full wherever a value is drawn.
    const bottom = lines[lines.findIndex(line => line.includes('└')) - 1]
    const bars = bottom.slice(bottom.indexOf('┤') + 1)
    expect(bars.slice(0, 89)).to.not.include(' ')
    expect(bars.slice(89, 120).trim()).to.equal('')
    expect(bars.slice(120, 149)).to.not.include(' ')
  })

  it('prints the header, the type table, the story and advice', () => {
    const accumulator = new ReportAccumulator()
    for (let i = 0; i < 720; i++) {
      const time = START + (i * 20_000)
      accumulator.add({
        cache: 0, dyno: 'worker.1', instance: 'a', kind: 'memory', quota: 512, rss: 300 + (i * 0.3), swap: 0, time, total: 0, type: 'worker',
      })
    }

    const report = buildReport(accumulator, {source: {app: 'shop', kind: 'history'}})
    // Colour follows ansis's detection (a CI environment turns it on even when piped): compare plain text.
    const text = stripAnsi(reportText(report, {width: 40}))
    expect(text).to.match(/^Memory report for shop: 2026-11-20 08:00 to 2026-11-20 11:59 UTC \(4 h\), 720 samples from 1 dyno, recent log history\n/)
    expect(text).to.include('worker (1 dyno, quota 512 MB): leak (high confidence)')
    expect(text).to.match(/\n {2}leaking 5\d MB\/h\n/)
    expect(text).to.match(/worker\.1 +720 +4 h .* leak 5\d MB\/h\n/)
    expect(text).to.include('  What to do:\n  - worker.1 leaks (about 54 MB/h); worker.1 is already over its quota')
    expect(text).to.match(/worker\.1 RSS \+ swap, MB \(leak \(high confidence\): rose \d+ MB over 4 h, still rising 5\d MB\/h; over the quota, R15 in ~9\.\d h\)/)
    // eslint-disable-next-line no-control-regex
    expect(text).not.to.match(/\u001B\[/)
    const json = JSON.parse(reportJson(report))
    expect(json.dynos[0]).to.include({
      from: '2026-11-20T08:00:00.000Z', name: 'worker.1', samples: 720, verdict: 'leak',
    })
    expect(json.dynos[0].judged_by.slope_mb_per_hour).to.be.closeTo(54, 2)
  })

  it('lists at most 20 of a process type\'s dynos past 40, those that matter most, and sums up the rest in one line', () => {
    const accumulator = new ReportAccumulator()
    for (let run = 0; run < 45; run++) {
      // One-off dynos of 12 samples each; run.30 and run.44 go over the quota (R14).
      const dyno = `run.${run}`
      for (let i = 0; i < 12; i++) {
        const rss = run === 30 || run === 44 ? 600 : 150 + run
        accumulator.add({
          cache: 0, dyno, instance: `i${run}`, kind: 'memory', quota: 512, rss, swap: 0, time: START + (run * 600_000) + (i * 20_000), total: 0, type: 'run',
        })
      }

      if (run === 30 || run === 44) accumulator.add({
        code: 'R14', dyno, kind: 'error', time: START + (run * 600_000) + 30_000, type: 'run',
      })
    }

    const report = buildReport(accumulator, {source: {kind: 'files'}})
    const text = stripAnsi(reportText(report, {width: 40}))
    const rows = text.split('\n').filter(line => /^ {2}run\.\d+ /.test(line))
    expect(rows).to.have.length(20)
    expect(rows.map(row => row.trim().split(' ')[0])).to.include.members(['run.30', 'run.44'])
    expect(text).to.include('run (45 dynos, quota 512 MB)')
    expect(text).to.match(/\n {2}\.\.\. and 25 more run dynos, not listed: peaks \d+ to \d+ MB \(at most \d+% of the quota\), 0 R14, 0 R15, 0 s over the quota \(every dyno: --json or --html\)\n/)
    expect(text.match(/RSS \+ swap, MB/g)).to.have.length(20)
    expect(JSON.parse(reportJson(report)).dynos).to.have.length(45)

    // 40 dynos or fewer: every one listed, as before.
    const few = buildReport(accumulatorOf(40), {source: {kind: 'files'}})
    expect(stripAnsi(reportText(few)).match(/RSS \+ swap, MB/g)).to.have.length(40)
  })

  it('writes the JSON a dyno at a time, exactly as one JSON.stringify(document, null, 2) would', () => {
    const accumulator = new ReportAccumulator()
    for (let i = 0; i < 200; i++) {
      for (const dyno of ['web.1', 'web.2', 'worker.1']) {
        accumulator.add({
          cache: 0, dyno, instance: dyno, kind: 'memory', quota: 512, rss: 300 + (i * 0.3), swap: 0, time: START + (i * 20_000), total: 0, type: dyno.split('.')[0],
        })
      }
    }

    const report = buildReport(accumulator, {source: {app: 'shop', kind: 'history'}})
    const chunks = [...reportJsonChunks(report)]
    const text = chunks.join('')
    expect(text).to.equal(`${JSON.stringify(JSON.parse(text), null, 2)}\n`)
    expect(text).to.equal(reportJson(report))
    // One piece per dyno (and per process type), not one string for all.
    expect(chunks.filter(chunk => chunk.startsWith('    {\n      "from"'))).to.have.length(5)
  })
})

describe('wrapText', () => {
  it('wraps at spaces with a hanging indent, never inside a word, colour codes not counted', () => {
    const line = `  - ${'word '.repeat(20)}\`heroku mem:restart-over -a some-long-app-name\` end`
    const lines = wrapText(line, 30, '    ')
    for (const wrapped of lines.slice(1)) expect(wrapped.startsWith('    ')).to.equal(true)
    for (const wrapped of lines) expect(wrapped.length <= 30 || !wrapped.trim().includes(' '), wrapped).to.equal(true)
    expect(lines.map(wrapped => wrapped.trim()).join(' ')).to.equal(line.trim())
    expect(wrapText('\u001B[31mred\u001B[39m words here', 15)).to.deep.equal(['\u001B[31mred\u001B[39m words here'])
  })

  for (const [columns, header] of [
    [undefined, 'dyno      samples  span  rss p50  p95  max  rss+swap  % quota  over quota  swap max  R14  R15  restarts  verdict'],
    [100, 'dyno      rss max  rss+swap  % quota  over quota  swap max  R14  R15  restarts  verdict'],
    [80, 'dyno      rss max  rss+swap  % quota  R14  R15  restarts  verdict'],
  ] as const) {
    it(`${columns ? `on a ${columns}-column terminal leaves out` : 'piped keeps'} the type table's least needed columns, not wrapping its rows`, () => {
      const accumulator = new ReportAccumulator()
      for (let i = 0; i < 720; i++) {
        accumulator.add({
          cache: 0, dyno: 'worker.1', instance: 'a', kind: 'memory', quota: 512, rss: 300 + (i * 0.3), swap: 0, time: START + (i * 20_000), total: 0, type: 'worker',
        })
      }

      const text = stripAnsi(reportText(buildReport(accumulator, {source: {app: 'shop', kind: 'history'}}), {width: 40, wrap: columns}))
      const lines = text.split('\n')
      const at = lines.findIndex(line => line.startsWith('  dyno '))
      expect(lines[at].trim()).to.equal(header)
      expect(lines[at + 1]).to.match(/^ {2}worker\.1 .* 5\d\d +\d+% .* leak 5\d MB\/h$/)
      if (columns) for (const line of lines.slice(at, at + 2)) expect(line.length, line).to.be.at.most(columns)
    })
  }

  it('fits the report\'s prose to the terminal width and leaves its table and charts alone', () => {
    const accumulator = new ReportAccumulator()
    for (let i = 0; i < 720; i++) {
      accumulator.add({
        cache: 0, dyno: 'worker.1', instance: 'a', kind: 'memory', quota: 512, rss: 300 + (i * 0.3), swap: 0, time: START + (i * 20_000), total: 0, type: 'worker',
      })
    }

    const report = buildReport(accumulator, {source: {app: 'shop', kind: 'history'}})
    const wide = stripAnsi(reportText(report, {width: 40}))
    const narrow = stripAnsi(reportText(report, {width: 40, wrap: 72}))
    const advice = wide.split('\n').find(line => line.startsWith('  - worker.1 leaks'))!
    expect(advice.length).to.be.above(200)
    for (const line of narrow.split('\n')) {
      if (/[┤└]|\S {2,}\S/.test(line)) continue
      expect(line.length, line).to.be.at.most(72)
    }

    expect(narrow.replaceAll(/\n {4}(?=\S)/g, ' ')).to.include(advice)
  })
})
