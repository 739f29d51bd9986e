import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {openStore} from '../../../src/store/open-store.js'
import {recordSimulated} from '../../helpers/record-simulated.js'
import {runCommand} from '../../helpers/run-command.js'
import {simulateTraffic, trafficLog} from '../../simulator/request-traffic.js'
import {scenario} from '../../simulator/scenarios.js'
import {startSimulator} from '../../simulator/server.js'
import {onBothStores} from '../../store/both-stores.js'

describe('mem:blame (built plugin)', () => {
  it('needs a window: -a without --duration is a usage error (exit 2)', async () => {
    const result = await runCommand(['mem:blame', '-a', 'some-app'])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.include('needs a window of the live log (--duration 1h)')
    expect(result.stderr).not.to.include('    at ')
  })

  it('says in one line that an empty saved log is empty, as mem:report does (exit 1)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'blame-'))
    const file = join(directory, 'empty.log')
    writeFileSync(file, '')
    const result = await runCommand(['mem:blame', '--file', file])
    expect(result.code).to.equal(1)
    expect(result.stderr.trimEnd().split('\n')).to.have.length(1)
    expect(result.stderr.trimEnd()).to.equal(` ›   Error: Nothing to read: ${file} is empty`)
  })

  it('says in one line when a saved log has memory samples but no router lines (exit 1)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'blame-'))
    const file = join(directory, 'app.log')
    const lines = Array.from({length: 10}, (_, index) => `2026-11-20T10:${String(index).padStart(2, '0')}:00.000000+00:00 heroku[web.1]: source=web.1 dyno=heroku.1.aaaa sample#memory_total=${200 + index}.00MB sample#memory_rss=${200 + index}.00MB sample#memory_cache=0.00MB sample#memory_swap=0.00MB sample#memory_pgpgin=1pages sample#memory_pgpgout=1pages sample#memory_quota=512.00MB`)
    writeFileSync(file, `${lines.join('\n')}\n`)
    const result = await runCommand(['mem:blame', '--file', file])
    expect(result.code).to.equal(1)
    expect(result.stderr.trim().split('\n')).to.have.length(1)
    expect(result.stderr).to.include('No router lines in')
    // mem:report's HTML of the same log: no router lines, no blame section.
    const html = join(directory, 'report.html')
    const report = await runCommand(['mem:report', '--file', file, '--html', html])
    expect(report.code, report.stderr).to.equal(0)
    expect(readFileSync(html, 'utf8')).not.to.include('class="blame"')
  })
})

describe('mem:blame on a saved log (built plugin, parser router lines)', function () {
  this.timeout(120_000)
  const directory = mkdtempSync(join(tmpdir(), 'blame-'))
  const file = join(directory, 'leaky.log')
  const traffic = simulateTraffic({
    heapStepsPerHour: 0.25, hours: 4, l10BurstsPerHour: 0.5, leak: {mbPerRequest: 0.1, route: 'GET /reports/:id'}, lostLines: 0.02, requestsPerSecond: 2, restart: true, seed: 109, tied: true,
  })

  before(() => writeFileSync(file, trafficLog(traffic)))

  it('names the leaking route first in --json, reads every router line and counts the L10 bursts', async () => {
    const result = await runCommand(['mem:blame', '--file', file, '--json'])
    expect(result.code, result.stderr).to.equal(0)
    const json = JSON.parse(result.stdout) as {limits: Array<{code: string}>; requests: number; suspects: Array<{leak?: {mb_per1000: number}; route: string}>}
    expect(json.suspects[0].route).to.equal('GET /reports/:id')
    expect(json.suspects[0].leak!.mb_per1000).to.be.within(50, 150)
    expect(json.requests).to.equal(traffic.events.filter(event => event.kind === 'router').length)
    expect(json.limits.some(limit => limit.code === 'lost-lines')).to.equal(traffic.l10Bursts > 0)
  })

  it('mem:report --html ranks the same suspects from its one read of the log (stdin: a second read would find nothing)', async () => {
    const html = join(directory, 'report.html')
    const result = await runCommand(['mem:report', '--file', '-', '--html', html], {input: readFileSync(file, 'utf8')})
    expect(result.code, result.stderr).to.equal(0)
    const page = readFileSync(html, 'utf8')
    const section = page.slice(page.indexOf('<section class="blame">'))
    expect(section).to.match(/^<section class="blame">\n<h2>Which requests make memory grow<\/h2>/)
    expect(section).to.match(/<tbody>\n<tr><td>1<\/td><td><code>GET \/reports\/:id<\/code><\/td><td>web<\/td><td>[\d,]+<\/td><td>leak /)
  })

  it('says on stderr what it could not read: a truncated .gz, a pipe ended by Ctrl-C (exit 0, the lines before count)', async () => {
    const zipped = gzipSync(readFileSync(file))
    const cut = join(directory, 'cut.log.gz')
    writeFileSync(cut, zipped.subarray(0, Math.floor(zipped.length * 0.7)))
    const truncated = await runCommand(['mem:blame', '--file', cut, '--json'])
    expect(truncated.code, truncated.stderr).to.equal(0)
    expect(truncated.stderr.trim()).to.equal(`Warning: ${cut} is truncated (the gzip data ends early): only the lines before the cut are read`)

    const piped = await runCommand(['mem:blame', '--file', '-', '--json'], {input: readFileSync(file, 'utf8'), inputStaysOpen: true, interruptAfterMs: 3000})
    expect(piped.code, piped.stderr).to.equal(0)
    expect(piped.stderr.trim()).to.equal('Warning: stdin was read until the stop (Ctrl-C or SIGTERM): only the lines before it count')
    expect((JSON.parse(piped.stdout) as {requests: number}).requests).to.equal(traffic.events.filter(event => event.kind === 'router').length)
  })

  it('prints the ranked table as text', async () => {
    const result = await runCommand(['mem:blame', '--file', file])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/\n {2}1 {2}GET \/reports\/:id +[\d,]+ {2}leak /)
  })
})

describe('mem:blame on the live log (built plugin, simulator)', () => {
  it('watches an unfiltered session for --duration and names the demo\'s leaking route from its router lines', async () => {
    const live = await startSimulator({apps: [scenario('demo')], tickMs: 10})
    try {
      const result = await runCommand(['mem:blame', '-a', 'demo-app', '--duration', '3s', '--json'], {env: {HEROKU_API_KEY: live.token, HEROKU_HOST: live.url}})
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stderr).to.match(/^Watching demo-app: done, [\d,]+ samples?$/m)
      const json = JSON.parse(result.stdout) as {requests: number; samples: number; suspects: Array<{leak?: {mb_per1000: number}; route: string}>}
      expect(json.requests).to.be.above(0)
      expect(json.samples).to.be.above(20)
      // Fault leak-route: web.2's leak comes from its GET /reports/:id/export requests, ~2.2 MB each; the other routes cost nothing.
      expect(json.suspects.map(suspect => suspect.route)).to.deep.equal(['GET /reports/:id/export'])
      expect(json.suspects[0].leak!.mb_per1000).to.be.within(1800, 2600)
      const session = live.requests.find(request => request.method === 'POST' && request.path.endsWith('/log-sessions'))
      expect(session?.body).to.include({source: 'heroku', tail: true})
      expect(session?.body).not.to.have.property('dyno')
    } finally {
      await live.close()
    }
  })
})

function iso(time: number): string {
  return new Date(time).toISOString()
}

describe('mem:blame --since: usage', () => {
  it('--until needs --since, and --since cannot go with --no-store (exit 2)', async () => {
    for (const args of [['--until', '1h'], ['--since', '2d', '--no-store'], ['--since', 'yesterday']]) {
      const result = await runCommand(['mem:blame', '-a', 'some-app', ...args])
      expect(result.code, args.join(' ')).to.equal(2)
      expect(result.stderr).not.to.include('    at ')
    }
  })

  it('a store that is not there is a one-line error (exit 1)', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'blame-')), 'none.sqlite')
    const result = await runCommand(['mem:blame', '-a', 'demo-app', '--since', '2d', '--store', missing])
    expect(result.code).to.equal(1)
    expect(result.stderr.trim().split('\n')).to.have.length(1)
    expect(result.stderr).to.include(`Error: No recorded history in ${missing}: heroku mem:record -a demo-app --store ... writes it`)
  })
})

onBothStores('mem:blame --since from mem:record\'s store (built plugin)', target => {
  let location: string
  let span: {from: number; to: number}

  before(async function () {
    this.timeout(120_000)
    location = await target()
    const sim = await startSimulator({apps: [scenario('demo')], tickMs: 0})
    const store = await openStore(location)
    try {
      span = await recordSimulated(sim, 'demo-app', store, 300)
    } finally {
      await store.close()
      await sim.close()
    }
  })

  it('names the route of the demo\'s leak-route fault from the stored intervals, no router lines kept', async () => {
    const result = await runCommand(['mem:blame', '-a', 'demo-app', '--since', iso(span.from - 60_000), '--until', iso(span.to + 300_000), '--store', location, '--json'])
    expect(result.code, result.stderr).to.equal(0)
    const json = JSON.parse(result.stdout) as {requests: number; samples: number; suspects: Array<{leak?: {mb_per1000: number}; route: string}>}
    expect(json.requests).to.be.above(500)
    expect(json.samples).to.be.above(250)
    expect(json.suspects.map(suspect => suspect.route)).to.deep.equal(['GET /reports/:id/export'])
    expect(json.suspects[0].leak!.mb_per1000).to.be.within(1800, 2600)
  })

  it('a window the store has no route data for: one line, exit 1', async () => {
    const result = await runCommand(['mem:blame', '-a', 'demo-app', '--since', iso(span.from - (30 * 86_400_000)), '--until', iso(span.from - (29 * 86_400_000)), '--store', location])
    expect(result.code).to.equal(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).to.have.length(1)
    expect(lines[0]).to.match(/Error: No route data for demo-app in .+ from \S+ to \S+: mem:record keeps it while it records/)
    expect(lines[0]).not.to.match(/postgres:\/\/[^@\s]*@/)
  })
})
