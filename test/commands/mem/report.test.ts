import {expect} from 'chai'
import {
  closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gzipSync} from 'node:zlib'

import type {Simulator} from '../../simulator/server.js'

import {ROOT, runCommand} from '../../helpers/run-command.js'
import {scenario} from '../../simulator/scenarios.js'
import {startSimulator} from '../../simulator/server.js'

const sleep = (ms: number) => new Promise<void>(resolve => {
  setTimeout(resolve, ms)
})

interface DynoJson {
  peak_percent_of_quota: number
  quota_crossings: number
  r15: number
  readings?: number
  readings_only?: boolean
  restarts: {crash: number; cycling: number; restart: number}
  seconds_over_quota: number
  judged_by?: {recent_slope_mb_per_hour: number; slope_mb_per_hour: number}
  memory_max_mb: number
  name: string
  quota_mb: number
  r14: number
  samples: number
  series: unknown[]
  verdict: string
}

interface ReportJson {
  coverage?: string
  readings?: number
  dynos: DynoJson[]
  fail_on: Array<{condition: string; met: boolean}>
  notes: string[]
  process_types: Array<{pattern: string; story: string; type: string; verdict: string}>
  samples: number
  schema_version: number
  source: {app?: string; files?: string[]; kind: string}
  too_short: boolean
}

/** `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: MESSAGE` split into its parts. */
const HEROKU_LINE = /^(\S+) (heroku|app)\[([^\]]+)\]: (.*)$/
/** R14 lines as issues quote them, filtered from their log (test/fixtures/logs/README.md). */
const R14_ONLY = path.resolve('test/fixtures/logs/r14-only.log')
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The same log in the shapes users keep: syslog drain frames, Papertrail archive TSV, Papertrail search output. */
function reshape(lines: string[], shape: 'drain' | 'search' | 'tsv'): string {
  return lines.map((line, i) => {
    const match = HEROKU_LINE.exec(line)
    if (!match) return line
    const [, stamp, source, dyno, message] = match
    const time = new Date(stamp)
    if (shape === 'drain') {
      const frame = `<134>1 ${stamp} host ${source} ${dyno} - ${message}`
      return `${Buffer.byteLength(frame)} ${frame}`
    }

    if (shape === 'tsv') {
      const generated = time.toISOString().slice(0, 19).replace('T', ' ')
      return [String(1000 + i), generated, time.toISOString().slice(0, 19), '42', 'myapp', '10.0.0.1', 'Local3', 'Info', `${source}/${dyno}`, message].join('\t')
    }

    const day = String(time.getUTCDate()).padStart(2, ' ')
    return `${MONTHS[time.getUTCMonth()]} ${day} ${time.toISOString().slice(11, 19)} myapp ${source}/${dyno}: ${message}`
  }).join('\n') + '\n'
}

describe('heroku mem:report (end to end against the simulator)', function () {
  this.timeout(60_000)
  let sim: Simulator
  let env: Record<string, string>
  let dir: string

  before(async () => {
    // tickMs 0: only the scripted history exists, so every run sees the same log.
    const quiet = {...scenario('no-metrics'), dynos: [{behavior: 'steady' as const, name: 'web.1'}], name: 'quiet-no-metrics'}
    sim = await startSimulator({apps: [scenario('leaky-web'), scenario('steady'), scenario('demo'), scenario('fir-app'), scenario('no-metrics'), scenario('no-metrics-r15'), quiet], tickMs: 0})
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url}
    dir = mkdtempSync(path.join(tmpdir(), 'mem-report-'))
  })

  after(async () => {
    await sim.close()
  })

  it('reads the recent history, one log session per process type, and finds the scripted leaks', async () => {
    const before = sim.requests.length
    const result = await runCommand(['mem:report', '-a', 'leaky-web', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const report = JSON.parse(result.stdout) as ReportJson
    expect(report.schema_version).to.equal(1)
    expect(report.source).to.deep.equal({app: 'leaky-web', kind: 'history'})
    const sessions = sim.requests.slice(before).filter(request => request.method === 'POST' && request.path.endsWith('/log-sessions'))
    // The type filter goes in `dyno`, as `heroku logs -p web` sends it.
    expect(sessions.map(session => session.body)).to.deep.equal([{
      dyno: 'web', lines: 1500, source: 'heroku', tail: false,
    }])
    expect(report.dynos.map(dyno => dyno.name)).to.deep.equal(['web.1', 'web.2', 'web.3'])
    const scripted = {'web.1': 300, 'web.2': 600, 'web.3': 900}
    for (const dyno of report.dynos) {
      expect(dyno.verdict, dyno.name).to.equal('leak')
      expect(dyno.quota_mb).to.equal(512)
      expect(dyno.judged_by!.slope_mb_per_hour, dyno.name).to.be.closeTo(scripted[dyno.name as keyof typeof scripted], scripted[dyno.name as keyof typeof scripted] * 0.1)
    }

    expect(report.process_types[0]).to.include({pattern: 'app', type: 'web', verdict: 'leak'})
    expect(report.too_short).to.equal(true)
    expect(report.notes[0]).to.include('--duration')
  })

  it('prints a readable report with a chart per dyno', async () => {
    const result = await runCommand(['mem:report', '-a', 'leaky-web'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/^Memory report for leaky-web: .* UTC \(\d+ min\), [\d,]+ samples from 3 dynos, recent log history/)
    expect(result.stdout).to.include('web (3 dynos, Standard-1X, quota 512 MB): leak')
    expect(result.stdout).to.include('all 3 web dynos leak alike')
    for (const dyno of ['web.1', 'web.2', 'web.3']) expect(result.stdout).to.match(new RegExp(`^${dyno.replace('.', String.raw`\.`)} RSS \\+ swap, MB \\(leak`, 'm'))
    expect(result.stdout).to.match(/^ *512 ┤.*─/m)
    expect(result.stdout).to.match(/└.*!/)
  })

  it('judges steady dynos steady and --fail-on exits 3 only when its condition holds', async () => {
    const steady = await runCommand(['mem:report', '-a', 'steady-app', '--json', '--fail-on', 'leak', '--fail-on', 'r14'], {env})
    expect(steady.code, steady.stderr).to.equal(0)
    const report = JSON.parse(steady.stdout) as ReportJson
    expect(report.dynos.map(dyno => dyno.verdict)).to.deep.equal(['steady', 'steady', 'steady'])
    expect(report.fail_on).to.deep.equal([{condition: 'leak', detail: '', met: false}, {condition: 'r14', detail: '', met: false}])

    const leaky = await runCommand(['mem:report', '-a', 'leaky-web', '--fail-on', 'leak'], {env})
    expect(leaky.code).to.equal(3)
    expect(leaky.stderr.trim()).to.match(/^› {3}Error: --fail-on leak: web\.1 \(\d+ MB\/h\), web\.2/)
    expect(leaky.stdout).to.include('Memory report')
  })

  it('reads saved logs in every shape, gzipped, mixed and from stdin, without an app or a login', async () => {
    const lines = sim.lines('leaky-web')
    const plain = path.join(dir, 'heroku-logs.txt')
    writeFileSync(plain, lines.join('\n') + '\n')
    const drain = path.join(dir, 'drain.log')
    writeFileSync(drain, reshape(lines, 'drain'))
    const tsv = path.join(dir, 'papertrail.tsv.gz')
    writeFileSync(tsv, gzipSync(reshape(lines, 'tsv')))
    const search = path.join(dir, 'search.txt')
    writeFileSync(search, reshape(lines, 'search'))

    const fromHistory = JSON.parse((await runCommand(['mem:report', '-a', 'leaky-web', '--json'], {env})).stdout) as ReportJson
    const expected = fromHistory.dynos.map(dyno => [dyno.name, dyno.samples, dyno.verdict])
    for (const file of [plain, drain, tsv, search]) {
      const result = await runCommand(['mem:report', '--file', file, '--json'])
      expect(result.code, `${file}: ${result.stderr}`).to.equal(0)
      const report = JSON.parse(result.stdout) as ReportJson
      expect(report.source.kind).to.equal('files')
      expect(report.dynos.map(dyno => [dyno.name, dyno.samples, dyno.verdict]), file).to.deep.equal(expected)
    }

    const piped = await runCommand(['mem:report', '--file', '-', '--json', '-d', 'web.2'], {input: lines.join('\n')})
    expect(piped.code, piped.stderr).to.equal(0)
    expect((JSON.parse(piped.stdout) as ReportJson).dynos.map(dyno => dyno.name)).to.deep.equal(['web.2'])
  })

  it('reads a file of over 160 MiB with a worker thread: the same report as its two halves read on one thread', async () => {
    // App lines after each of the platform's make the log big enough for the worker (WORKER_MIN_BYTES).
    const WORKER_MIN_BYTES = 160 * 1024 * 1024
    const lines = sim.lines('leaky-web')
    const padding = Buffer.from(Array.from({length: 1 + Math.ceil(WORKER_MIN_BYTES / lines.length / 200)}, (_, i) => `2026-11-20T10:00:00.000000+00:00 app[web.1]: GET /items/${i} completed 200 OK in 12ms ${'x'.repeat(120)}\n`).join(''))
    const write = (file: string, part: string[]): string => {
      const fd = openSync(file, 'w')
      for (const line of part) {
        writeSync(fd, `${line}\n`)
        writeSync(fd, padding)
      }

      closeSync(fd)
      return file
    }

    const middle = Math.floor(lines.length / 2)
    const big = write(path.join(dir, 'big.log'), lines)
    const halves = [write(path.join(dir, 'first-half.log'), lines.slice(0, middle)), write(path.join(dir, 'second-half.log'), lines.slice(middle))]
    try {
      expect(statSync(big).size).to.be.above(WORKER_MIN_BYTES)
      for (const half of halves) expect(statSync(half).size).to.be.below(WORKER_MIN_BYTES)
      const whole = await runCommand(['mem:report', '--file', big, '--json'])
      expect(whole.code, whole.stderr).to.equal(0)
      const split = await runCommand(['mem:report', '--file', halves[0], '--file', halves[1], '--json'])
      expect(split.code, split.stderr).to.equal(0)
      const {source: wholeSource, ...wholeReport} = JSON.parse(whole.stdout) as ReportJson
      const {source: splitSource, ...splitReport} = JSON.parse(split.stdout) as ReportJson
      expect(wholeSource.files).to.deep.equal([big])
      expect(splitSource.files).to.deep.equal(halves)
      expect(wholeReport.samples).to.be.above(200)
      expect(wholeReport).to.deep.equal(splitReport)
    } finally {
      for (const file of [big, ...halves]) rmSync(file, {force: true})
    }
  })

  it('ends quietly with its own exit code when its reader stops early (mem:report --json | head)', async () => {
    // 200 dynos: a report of megabytes, more than a pipe holds.
    const lines: string[] = []
    for (let i = 0; i < 60; i++) {
      for (let d = 1; d <= 200; d++) {
        const stamp = new Date(Date.UTC(2026, 10, 20, 10) + (i * 20_000) + d).toISOString().replace('Z', '000+00:00')
        lines.push(`${stamp} heroku[web.${d}]: source=web.${d} dyno=heroku.1.abc sample#memory_total=${100 + i}.00MB sample#memory_rss=${100 + i}.00MB sample#memory_cache=0.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB`)
      }
    }

    const log = path.join(dir, 'two-hundred-dynos.log')
    writeFileSync(log, lines.join('\n') + '\n')
    for (const [flags, code] of [[[], 0], [['--fail-on', 'leak'], 3]] as const) {
      const result = await runCommand(['mem:report', '--file', log, '--json', ...flags], {closeStdoutAfter: 1})
      expect(result.code, result.stderr).to.equal(code)
      expect(result.stderr, result.stderr).to.not.match(/EPIPE|Couldn't reach|\n\s+at /)
    }
  })

  it('reports what a truncated .gz held, with a warning on stderr and in the notes', async () => {
    const zipped = gzipSync(sim.lines('leaky-web').join('\n') + '\n')
    const cut = path.join(dir, 'cut.log.gz')
    writeFileSync(cut, zipped.subarray(0, Math.floor(zipped.length * 0.7)))
    const result = await runCommand(['mem:report', '--file', cut, '--json'])
    expect(result.code, result.stderr).to.equal(0)
    const warning = `${cut} is truncated (the gzip data ends early): only the lines before the cut are read`
    expect(result.stderr.trim()).to.equal(`Warning: ${warning}`)
    const report = JSON.parse(result.stdout) as ReportJson
    expect(report.notes[0]).to.equal(warning)
    expect(report.samples).to.be.above(50)
  })

  it('reports what a pipe held when Ctrl-C ends it (`heroku logs --tail | heroku mem:report --file -`), exit 0', async () => {
    const lines = sim.lines('leaky-web')
    // The pipe stays open, as a live tail's does; the last line is cut short mid-write.
    const input = lines.join('\n') + '\n' + lines[0].slice(0, 40)
    const result = await runCommand(['mem:report', '--file', '-', '--json'], {input, inputStaysOpen: true, interruptAfterMs: 2500})
    expect(result.code, result.stderr).to.equal(0)
    const warning = 'stdin was read until the stop (Ctrl-C or SIGTERM): only the lines before it count'
    expect(result.stderr.trim()).to.equal(`Warning: ${warning}`)
    const report = JSON.parse(result.stdout) as ReportJson
    expect(report.notes[0]).to.equal(warning)
    const whole = JSON.parse((await runCommand(['mem:report', '--file', '-', '--json'], {input: lines.join('\n') + '\n'})).stdout) as ReportJson
    expect(report.samples, 'the complete lines, not the cut one').to.equal(whole.samples)
  })

  it('counts a log passed twice once: the same report, with a note', async () => {
    const log = path.join(dir, 'twice.log')
    writeFileSync(log, sim.lines('leaky-web').join('\n') + '\n')
    const once = JSON.parse((await runCommand(['mem:report', '--file', log, '--json'])).stdout) as ReportJson
    const result = await runCommand(['mem:report', '--file', log, '--file', log, '--json'])
    expect(result.code, result.stderr).to.equal(0)
    const twice = JSON.parse(result.stdout) as ReportJson & {source: {bytes: number}}
    expect(twice.samples).to.equal(once.samples)
    expect(twice.dynos.map(dyno => [dyno.name, dyno.samples, dyno.r14, dyno.verdict])).to.deep.equal(once.dynos.map(dyno => [dyno.name, dyno.samples, dyno.r14, dyno.verdict]))
    expect(twice.notes[0]).to.match(/^\d+ repeated events were counted once/)
  })

  it('reports a log without log-runtime-metrics from its Process running readings: text, JSON and HTML', async () => {
    const fixture = path.resolve('test/fixtures/logs/no-metrics-r14.log')
    const text = await runCommand(['mem:report', '--file', fixture], {env: {COLUMNS: '100'}})
    expect(text.code, text.stderr).to.equal(0)
    expect(text.stdout).to.match(/^Memory report: 2026-11-20 09:00 to 2026-11-20 10:59 UTC \(2 h\), 0 samples and 98 readings over the quota from 2 dynos, saved logs$/m)
    expect(text.stdout).to.include('web (1 dyno, quota 512 MB): no verdict without samples')
    expect(text.stdout).to.match(/^ {2}web\.1 +84 +28 min +1026 +200% +83 +1 +1 restart, 1 crash$/m)
    expect(text.stdout).to.match(/^ {2}worker\.1 +14 +5 min +1040 +102% +14 +0 +0$/m)
    expect(text.stdout).to.include('heroku labs:enable log-runtime-metrics -a APP, then heroku ps:restart -a APP')
    expect(text.stdout).to.match(/^web\.1 memory over the quota, MB/m)
    expect(text.stdout).to.match(/└.*!+X/)

    const html = path.join(dir, 'readings.html')
    const json = await runCommand(['mem:report', '--file', fixture, '--json', '--html', html, '--fail-on', 'r15'])
    expect(json.code).to.equal(3)
    const report = JSON.parse(json.stdout) as ReportJson
    expect(report).to.include({coverage: 'readings-only', readings: 98, samples: 0})
    const [web, worker] = report.dynos
    expect(web).to.include({
      memory_max_mb: 1026, quota_crossings: 2, quota_mb: 512, r14: 83, r15: 1, readings: 84, readings_only: true, verdict: 'insufficient',
    })
    expect(web.restarts).to.deep.equal({crash: 1, cycling: 0, restart: 1})
    expect(worker).to.include({quota_mb: 1024, readings: 14, readings_only: true})
    expect(report.process_types.map(type => type.verdict)).to.deep.equal(['insufficient', 'insufficient'])
    expect(readFileSync(html, 'utf8')).to.include('<svg class="chart"')
  })

  it('reads an app without log-runtime-metrics anyway: its readings over the quota, with how to enable the feature', async () => {
    const result = await runCommand(['mem:report', '-a', 'no-metrics-app', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const report = JSON.parse(result.stdout) as ReportJson
    expect(report.coverage).to.equal('readings-only')
    expect(report.dynos.map(dyno => [dyno.name, dyno.readings_only])).to.deep.equal([['worker.1', true]])
    expect(report.dynos[0].readings).to.be.above(5)
    expect(report.dynos[0].peak_percent_of_quota).to.be.above(100)
    expect(report.notes.at(-1)).to.include('heroku labs:enable log-runtime-metrics -a no-metrics-app, then heroku ps:restart -a no-metrics-app')

    // R15 kills and crash restarts, seen through readings alone, in text.
    const crashing = await runCommand(['mem:report', '-a', 'no-metrics-r15-app'], {env})
    expect(crashing.code, crashing.stderr).to.equal(0)
    expect(crashing.stdout).to.include('web (1 dyno, Standard-1X, quota 512 MB): no verdict without samples')
    const [, readings, r14, r15, crashes] = /^ {2}web\.1 +(\d+) +[\d.]+ (?:s|min|h) +\d+ +\d+% +(\d+) +(\d+) +(\d+) crash$/m.exec(crashing.stdout) ?? []
    expect(Number(readings)).to.equal(Number(r14) + Number(r15))
    expect(Number(r15)).to.be.at.least(1)
    expect(Number(crashes)).to.equal(Number(r15))
    expect(crashing.stdout).not.to.match(/^ {2}worker\.1/m)

    const quiet = await runCommand(['mem:report', '-a', 'quiet-no-metrics'], {env})
    expect(quiet.code).to.equal(1)
    expect(quiet.stderr.trim()).to.equal('›   Error: No memory readings for quiet-no-metrics: log-runtime-metrics is off, so its log shows memory only while a dyno is over its quota, and none was. '
      + 'For samples: heroku labs:enable log-runtime-metrics -a quiet-no-metrics, then heroku ps:restart -a quiet-no-metrics')
  })

  it('writes a self-contained HTML report', async () => {
    const file = path.join(dir, 'report.html')
    const result = await runCommand(['mem:report', '-a', 'demo-app', '--html', file], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.include(`Wrote ${file}`)
    const html = readFileSync(file, 'utf8')
    expect(html).to.match(/^<!DOCTYPE html>/)
    expect(html).to.include('<svg class="chart"')
    expect(html).not.to.match(/<script|https?:\/\/(?!www\.w3\.org)/)
  })

  it('an --html file that cannot be written is one line and exit 1 before anything is read (not after a --duration window)', async () => {
    const missingDir = path.join(dir, 'no-such-dir', 'report.html')
    const before = sim.requests.length
    const live = await runCommand(['mem:report', '-a', 'demo-app', '--duration', '1h', '--html', missingDir], {env, timeoutMs: 10_000})
    expect(live.code).to.equal(1)
    expect(live.stdout).to.equal('')
    expect(live.stderr.split('\n')).to.deep.equal([` ›   Error: Can't write ${missingDir}: no such directory`, ''])
    expect(sim.requests.slice(before)).to.deep.equal([])

    const fixture = path.resolve('test/fixtures/logs/no-metrics-r14.log')
    const directory = await runCommand(['mem:report', '--file', fixture, '--html', dir])
    expect(directory.code).to.equal(1)
    expect(directory.stdout).to.equal('')
    expect(directory.stderr.split('\n')).to.deep.equal([` ›   Error: Can't write ${dir}: it is a directory`, ''])
  })

  it('watches the live log for --duration with progress on stderr, then reports', async () => {
    const live = await startSimulator({apps: [scenario('demo')], tickMs: 10})
    try {
      const result = await runCommand(['mem:report', '-a', 'demo-app', '--duration', '3s', '--json'], {env: {HEROKU_API_KEY: live.token, HEROKU_HOST: live.url}})
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stderr).to.match(/^Watching demo-app: 0:0[23] left, 0 samples$/m)
      expect(result.stderr).to.match(/^Watching demo-app: done, [\d,]+ samples?$/m)
      const report = JSON.parse(result.stdout) as ReportJson
      expect(report.source.kind).to.equal('live')
      expect(report.samples).to.be.above(20)
      const session = live.requests.find(request => request.method === 'POST' && request.path.endsWith('/log-sessions'))
      expect(session?.body).to.include({source: 'heroku', tail: true})
    } finally {
      await live.close()
    }
  })

  it('streamEmpty mid-window: the report says for how long it could not read the live log, never a silent partial window', async () => {
    const live = await startSimulator({apps: [scenario('demo')], tickMs: 10})
    try {
      const running = runCommand(['mem:report', '-a', 'demo-app', '--duration', '5s', '--json'], {env: {HEROKU_API_KEY: live.token, HEROKU_HOST: live.url}})
      // Once the live log is being read: every stream from then on ends at once, with no line.
      for (let waited = 0; waited < 20_000 && !live.requests.some(request => request.path.startsWith('/streams/')); waited += 20) await sleep(20)
      await sleep(1000)
      live.faults.streamEmpty = true
      const result = await running
      expect(result.code, result.stderr).to.equal(0)
      const report = JSON.parse(result.stdout) as ReportJson
      expect(report.samples, 'lines read before the fault').to.be.above(0)
      expect(report.notes.find(note => note.includes('could not read the live log'))).to.match(/for [2-4] s of the 5 s window \(stream closed\)/)
      expect(result.stderr).to.match(/^Warning: .*could not read the live log/m)
    } finally {
      await live.close()
    }
  })

  it('streamEmpty for the whole window: one line saying the live log could not be read, not a question about log-runtime-metrics', async () => {
    const live = await startSimulator({apps: [scenario('demo')], tickMs: 10})
    try {
      live.faults.streamEmpty = true
      const result = await runCommand(['mem:report', '-a', 'demo-app', '--duration', '3s'], {env: {HEROKU_API_KEY: live.token, HEROKU_HOST: live.url}})
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(/^ › {3}Error: No memory samples from the live log: could not read the live log for [23] s of the 3 s window \(stream closed\)/m)
      expect(result.stderr).not.to.include('log-runtime-metrics')
    } finally {
      await live.close()
    }
  })

  for (const [label, args, message, code] of [
    ['a missing file', ['--file', '/nonexistent/logs.txt'], /nonexistent\/logs\.txt/, 1],
    ['an empty file', ['--file', 'EMPTY'], /^› {3}Error: Nothing to read: .*empty\.txt is empty$/, 1],
    ['a copy holding R14 lines only', ['--file', R14_ONLY], /^› {3}Error: No memory figures in the log: 1 R14 \(web\.1\) without a log-runtime-metrics sample/, 1],
    ['an empty stdin', ['--file', '-'], /^› {3}Error: Nothing to read: stdin is empty$/, 1],
    ['an unknown dyno', ['-a', 'leaky-web', '-d', 'web.9'], /^› {3}Error: No dyno web\.9 on leaky-web \(its dynos: web\.1, web\.2, web\.3\)/, 1],
    ['a window with no samples', ['-a', 'leaky-web', '--since', '2001-01-01T00:00:00Z', '--until', '2001-01-02T00:00:00Z'], /^› {3}Error: No memory samples between --since and --until$/, 1],
    ['a --since with no samples after it (no --until)', ['-a', 'leaky-web', '--since', '2030-01-01T00:00:00Z'], /^› {3}Error: No memory samples after --since$/, 1],
    ['no app and no file', [], /^› {3}Error: Name the app with -a APP, or read saved logs with --file PATH/, 2],
    ['an unknown process type', ['-a', 'leaky-web', '-p', 'wrker'], /^› {3}Error: No dynos of process type wrker on leaky-web \(its dynos: web\.1, web\.2, web\.3\)/, 1],
    ['a Fir app', ['-a', 'fir-app'], /^› {3}Error: fir-app is a Fir-generation app/, 1],
    ['--since after --until', ['--file', 'EMPTY', '--since', '6h', '--until', '2026-11-20T10:00:00Z'], /^› {3}Error: --since \(6h\) is after --until \(2026-11-20T10:00:00Z\)/, 2],
    ['a bad --fail-on', ['-a', 'leaky-web', '--fail-on', 'over:lots'], /^› {3}Error: Invalid --fail-on "over:lots"/, 2],
  ] as const) {
    it(`says what is wrong in one line for ${label}`, async () => {
      const empty = path.join(dir, 'empty.txt')
      writeFileSync(empty, '')
      const result = await runCommand(['mem:report', ...args.map(arg => (arg === 'EMPTY' ? empty : arg))], {env})
      expect(result.code, result.stderr).to.equal(code)
      expect(result.stderr.trim().split('\n')).to.have.length(1)
      expect(result.stderr.trim()).to.match(message)
      expect(result.stdout).to.equal('')
    })
  }

  it('says the log stream could not be reached (fault streamRefused), not that there were no samples', async () => {
    sim.faults = {streamRefused: true}
    try {
      const result = await runCommand(['mem:report', '-a', 'leaky-web'], {env})
      expect(result.code).to.equal(1)
      expect(result.stderr.trim()).to.equal('›   Error: The log stream for leaky-web could not be reached.')
      expect(result.stdout).to.equal('')
    } finally {
      sim.faults = {}
    }
  })

  it('has lower-case help with examples', async () => {
    const result = await runCommand(['mem:report', '--help'])
    expect(result.stdout).to.match(/^leak or bloat/)
    expect(result.stdout).to.include('$ heroku mem:report -a my-app --duration 30m -p web')
    expect(result.stdout).to.include('--fail-on')
    // The docs the help points to ship with the plugin (package.json "files").
    const {files} = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {files: string[]})
    const named = result.stdout.match(/docs\/[\w.-]+\.md/g) ?? []
    expect(named).to.include('docs/report.md')
    for (const doc of named) expect(files).to.include(`/${doc}`)
  })
})
