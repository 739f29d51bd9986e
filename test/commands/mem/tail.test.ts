import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Simulator} from '../../simulator/server.js'

import {gitCheckout} from '../../helpers/git-checkout.js'
import {runCommand} from '../../helpers/run-command.js'
import {scenario} from '../../simulator/scenarios.js'
import {startSimulator} from '../../simulator/server.js'

interface SampleJson {
  dyno: string
  instance: string
  percent_of_quota: number
  quota_mb: number
  rss_mb: number
  swap_mb: number
  time: string
  type: string
  used_mb: number
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter(Boolean).map(line => JSON.parse(line))
}

/** The simulator's own memory lines for a dyno, as `time -> rss` (what the plugin must report). */
function simulatedRss(sim: Simulator, app: string, dyno: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of sim.lines(app)) {
    const match = new RegExp(`^(\\S+) heroku\\[${dyno.replace('.', String.raw`\.`)}\\]: source=\\S+ dyno=\\S+ .*sample#memory_rss=([\\d.]+)MB`).exec(line)
    if (match) out.set(new Date(match[1]).toISOString().replace(/\.\d{3}Z$/, 'Z'), Number(match[2]))
  }

  return out
}

describe('heroku mem:tail (end to end against the simulator)', function () {
  this.timeout(60_000)
  let sim: Simulator
  let env: Record<string, string>
  let dataHome: string

  beforeEach(async () => {
    sim = await startSimulator({
      apps: [scenario('demo'), scenario('fir-app'), scenario('no-metrics'), scenario('no-metrics-r15'), scenario('hostile'), scenario('preboot')],
      tickMs: 10,
    })
    // The default store (mem:record's, for the trends) in a fresh data directory: none.
    dataHome = mkdtempSync(join(tmpdir(), 'tail-data-'))
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, XDG_DATA_HOME: dataHome}
  })

  afterEach(async () => {
    await sim.close()
    rmSync(dataHome, {force: true, recursive: true})
  })

  it('piped or --json, the store is not read (trends show in the table only): a bad --store is no error; with --no-store a usage error', async () => {
    const garbage = join(dataHome, 'not-a-store.sqlite')
    writeFileSync(garbage, 'this is not a SQLite file, just some text that goes on for a while '.repeat(100))
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '--json', '--max-samples', '3', '-n', '0', '--store', garbage], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(jsonLines(result.stdout).filter(line => line.type === 'sample')).to.have.length(3)
    expect(result.stderr).not.to.contain('mem:tail:')
    const both = await runCommand(['mem:tail', '-a', 'demo-app', '--no-store', '--store', garbage], {env})
    expect(both.code).to.equal(2)
  })

  it('--json prints one sample object per line with the values the platform logged', async () => {
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '--json', '--max-samples', '9', '-n', '0'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const samples = jsonLines(result.stdout).filter(line => line.type === 'sample') as unknown as SampleJson[]
    expect(samples).to.have.length(9)
    expect(new Set(samples.map(s => s.dyno))).to.deep.equal(new Set(['web.1', 'web.2', 'worker.1']))
    for (const sample of samples) {
      const logged = simulatedRss(sim, 'demo-app', sample.dyno).get(sample.time)
      expect(logged, `${sample.dyno} at ${sample.time}`).to.be.a('number')
      expect(sample.rss_mb).to.be.closeTo(logged!, 0.005)
      expect(sample.quota_mb).to.equal(512)
      expect(sample.used_mb).to.be.closeTo(sample.rss_mb + sample.swap_mb, 0.02)
      expect(sample.percent_of_quota).to.be.closeTo((sample.used_mb / 512) * 100, 0.02)
      expect(sample.instance).to.match(/^heroku\.\d+\.[\da-f-]{36}$/)
    }

    expect(result.stderr).to.contain('summary:')
    const session = sim.requests.find(r => r.method === 'POST' && r.path.endsWith('/log-sessions'))
    expect(session?.body).to.deep.include({source: 'heroku', tail: true})
  })

  it('piped output is one plain line per sample or event', async () => {
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '--max-samples', '6'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const lines = result.stdout.trim().split('\n')
    const sampleLines = lines.filter(line => line.includes(' rss='))
    expect(sampleLines.length).to.equal(6)
    expect(sampleLines[0]).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (web|worker)\.\d rss=[\d.]+MB swap=[\d.]+MB total=[\d.]+MB quota=512MB used=[\d.]+%$/)
    expect(result.stdout).not.to.contain('\u001B[')
  })

  it('filters by dyno name and process type through the log session', async () => {
    const byDyno = await runCommand(['mem:tail', '-a', 'demo-app', '-d', 'web.2', '--json', '--max-samples', '3', '-n', '0'], {env})
    expect(byDyno.code, byDyno.stderr).to.equal(0)
    expect(jsonLines(byDyno.stdout).filter(l => l.type === 'sample').map(l => l.dyno)).to.deep.equal(['web.2', 'web.2', 'web.2'])
    const byType = await runCommand(['mem:tail', '-a', 'demo-app', '-p', 'worker', '--json', '--max-samples', '2', '-n', '0'], {env})
    expect(jsonLines(byType.stdout).filter(l => l.type === 'sample').every(l => l.dyno === 'worker.1')).to.equal(true)
    const bodies = sim.requests.filter(r => r.path.endsWith('/log-sessions')).map(r => r.body as Record<string, unknown>)
    expect(bodies.map(b => b.dyno)).to.deep.equal(['web.2', 'worker'])
  })

  it('streamIgnoresFilter: a log session that carries every dyno still shows only the dyno or type asked for', async () => {
    sim.faults.streamIgnoresFilter = true
    const byDyno = await runCommand(['mem:tail', '-a', 'demo-app', '-d', 'web.2', '--json', '--max-samples', '6', '-n', '100'], {env})
    expect(byDyno.code, byDyno.stderr).to.equal(0)
    expect(jsonLines(byDyno.stdout).filter(l => l.type === 'sample').map(l => l.dyno)).to.deep.equal(Array.from({length: 6}, () => 'web.2'))
    const byType = await runCommand(['mem:tail', '-a', 'demo-app', '-p', 'web', '--json', '--max-samples', '6', '-n', '100'], {env})
    expect(jsonLines(byType.stdout).filter(l => l.type === 'sample').map(l => l.dyno)).to.not.include('worker.1')
  })

  it('reconnects after the stream drops, losing and duplicating nothing', async () => {
    sim.faults.dropStreamAfterLines = 60
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '-d', 'web.1', '--json', '--max-samples', '120', '-n', '0'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const out = jsonLines(result.stdout)
    expect(out.filter(l => l.event === 'reconnecting').length).to.be.greaterThan(2)
    const times = out.filter(l => l.type === 'sample').map(l => String(l.time))
    expect(times).to.have.length(120)
    expect(new Set(times).size, 'no duplicates').to.equal(120)
    expect([...times].sort()).to.deep.equal(times)
    // Every sample the platform logged between the first and last one shown was shown.
    const logged = [...simulatedRss(sim, 'demo-app', 'web.1').keys()].filter(t => t >= times[0] && t <= times.at(-1)!)
    expect(logged).to.deep.equal(times)
    expect(sim.requests.filter(r => r.path.endsWith('/log-sessions')).length).to.be.greaterThan(3)
  })

  it('shows platform samples only: app output imitating metrics is ignored', async () => {
    const result = await runCommand(['mem:tail', '-a', 'hostile-app', '--json', '--max-samples', '8', '-n', '100'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const out = jsonLines(result.stdout)
    expect(out.filter(l => l.type === 'sample')).to.have.length(8)
    expect(out.filter(l => l.type === 'memory_error')).to.deep.equal([])
    for (const sample of out.filter(l => l.type === 'sample')) expect(Number(sample.used_mb)).to.be.lessThan(512)
    expect(sim.lines('hostile-app').some(line => line.includes(' app[') && line.includes('Error R14'))).to.equal(true)
  })

  it('Ctrl-C prints a summary on stderr and exits 0', async () => {
    const result = await runCommand(['mem:tail', '-a', 'demo-app'], {env, interruptWhen: 'worker.1 rss='})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.match(/summary:\n {2}web\.1: \d+ samples?, peak [\d.]+MB/)
  })

  it('ends quietly, exit 0, when its reader stops early (mem:tail --json | head -1)', async () => {
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '--json'], {closeStdoutAfter: 1, env, timeoutMs: 20_000})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.not.match(/Error|EPIPE|at /)
    expect(jsonLines(result.stdout.split('\n')[0])).to.have.length(1)
  })

  it('--duration stops by itself', async () => {
    const started = Date.now()
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '--duration', '1s', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(Date.now() - started).to.be.lessThan(15_000)
    expect(jsonLines(result.stdout).some(l => l.type === 'sample')).to.equal(true)
  })

  const failures: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['a rejected token', ['-a', 'demo-app'], {HEROKU_API_KEY: 'wrong-token'}, /Invalid credentials.*heroku login/],
    ['an unknown app', ['-a', 'no-such-app'], {}, /Couldn't find app no-such-app\./],
    ['a Fir app', ['-a', 'fir-app'], {}, /fir-app is a Fir-generation app: log-runtime-metrics does not exist there/],
  ]
  for (const [what, args, extraEnv, message] of failures) {
    it(`${what}: one line, exit 1, no stack trace, no secret`, async () => {
      const result = await runCommand(['mem:tail', ...args, '--json'], {env: {...env, ...extraEnv}})
      expect(result.code).to.equal(1)
      expect(result.stderr).to.match(message)
      expect(result.stderr.trim().split('\n')).to.have.length(1)
      expect(result.stderr).not.to.match(/\n\s+at /)
      expect(result.stdout + result.stderr).not.to.contain(sim.token)
      expect(result.stdout).to.equal('')
    })
  }

  it('-d or -p naming no dyno of the app: one line naming its dynos, exit 1, at once', async () => {
    for (const [flag, value, message] of [
      ['-d', 'notadyno', 'No dyno notadyno on demo-app (its dynos: web.1, web.2, worker.1)'],
      ['-p', 'wrker', 'No dynos of process type wrker on demo-app (its dynos: web.1, web.2, worker.1)'],
    ]) {
      const result = await runCommand(['mem:tail', '-a', 'demo-app', flag, value], {env, timeoutMs: 15_000})
      expect(result.code, result.stderr).to.equal(1)
      expect(result.stderr.trim().split('\n')).to.deep.equal([`›   Error: ${message}`])
    }

    expect(sim.requests.some(r => r.path.endsWith('/log-sessions'))).to.equal(false)
  })

  it('-d and -p together are a usage error (exit 2) in one line', async () => {
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '-d', 'web.1', '-p', 'web'], {env})
    expect(result.code, result.stderr).to.equal(2)
    // Not oclif's two lines (one each way, with the value: "--dyno-name=web.1 cannot also be provided when using --process-type").
    expect(result.stderr.split('\n')).to.deep.equal([' ›   Error: --dyno-name cannot be used with --process-type', ''])
    const parsedValue = await runCommand(['mem:report', '--file', 'app.log', '--duration', '1m'], {env})
    expect(parsedValue.code).to.equal(2)
    expect(parsedValue.stderr.split('\n')).to.deep.equal([' ›   Error: --duration cannot be used with --file', ''])
  })

  it('no credentials at all (no HEROKU_API_KEY, no netrc) says "not logged in", exit 1', async () => {
    const home = mkdtempSync(join(tmpdir(), 'no-login-'))
    try {
      const result = await runCommand(['mem:tail', '-a', 'demo-app'], {env: {HEROKU_API_KEY: undefined, HEROKU_HOST: sim.url, HOME: home}})
      expect(result.code, result.stderr).to.equal(1)
      expect(result.stderr.trim()).to.equal('›   Error: Not logged in: run heroku login (or set HEROKU_API_KEY)')
    } finally {
      rmSync(home, {force: true, recursive: true})
    }
  })

  it('a missing --app is a usage error (exit 2)', async () => {
    const result = await runCommand(['mem:tail'], {env})
    expect(result.code).to.equal(2)
    expect(result.stderr).to.contain('Missing required flag app')
  })

  it('without -a takes the app of the one Heroku git remote (-r picks one of several); several, or a -r naming none, is a usage error saying so', async () => {
    const {addRemote, dir: checkout} = gitCheckout(sim.url, {heroku: 'demo-app'})
    try {
      const one = await runCommand(['mem:tail', '--json', '--max-samples', '1', '-n', '0'], {cwd: checkout, env})
      expect(one.code, one.stderr).to.equal(0)
      expect(jsonLines(one.stdout).filter(line => line.type === 'sample')).to.have.length(1)
      addRemote('staging', 'preboot-app')
      const several = await runCommand(['mem:tail', '--json', '--max-samples', '1', '-n', '0'], {cwd: checkout, env})
      expect(several.code).to.equal(2)
      expect(several.stdout).to.equal('')
      expect(several.stderr.split('\n')).to.deep.equal([
        " ›   Error: Several Heroku apps in this checkout's git remotes: demo-app (heroku), preboot-app (staging); name one with -a APP or -r REMOTE", '',
      ])
      const picked = await runCommand(['mem:tail', '-r', 'staging', '--json', '--max-samples', '1', '-n', '0'], {cwd: checkout, env})
      expect(picked.code, picked.stderr).to.equal(0)
      expect(sim.requests.some(request => request.path === '/apps/preboot-app/log-sessions')).to.equal(true)
      const unknown = await runCommand(['mem:tail', '-r', 'prod', '--json'], {cwd: checkout, env})
      expect(unknown.code).to.equal(2)
      expect(unknown.stderr.split('\n')).to.deep.equal([' ›   Error: No git remote prod of a Heroku app in this checkout: name the app with -a APP', ''])
    } finally {
      rmSync(checkout, {force: true, recursive: true})
    }
  })

  it('a flag value its own parser or oclif rejects (--duration 5x, -n 5000) is one stderr line naming the flag, exit 2', async () => {
    const duration = await runCommand(['mem:tail', '-a', 'demo-app', '--duration', '5x'], {env})
    expect(duration.code).to.equal(2)
    expect(duration.stderr.split('\n')).to.deep.equal([' ›   Error: --duration: Invalid duration "5x": use e.g. 30s, 10m, 1h30m or 2d', ''])
    const num = await runCommand(['mem:tail', '-a', 'demo-app', '-n', '5000'], {env})
    expect(num.code).to.equal(2)
    expect(num.stderr.split('\n')).to.deep.equal([' ›   Error: --num: Expected an integer less than or equal to 1500 but received: 5000', ''])
  })

  it('without log-runtime-metrics, shows the platform\'s "Process running" readings over the quota, with a note', async () => {
    const result = await runCommand(['mem:tail', '-a', 'no-metrics-r15-app', '-n', '1500', '--duration', '2s', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.contain('log-runtime-metrics is off on no-metrics-r15-app: showing only the platform\'s "Process running" readings')
    const lines = jsonLines(result.stdout)
    expect(lines.some(line => line.type === 'memory_reading' && line.dyno === 'web.1')).to.equal(true)
    expect(lines.some(line => line.type === 'sample')).to.equal(false)
  })

  it('--enable-metrics switches the feature on and says a restart is needed', async () => {
    const result = await runCommand(['mem:tail', '-a', 'no-metrics-app', '--enable-metrics', '--duration', '1s', '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.contain('Enabled log-runtime-metrics on no-metrics-app')
    expect(sim.requests.some(r => r.method === 'PATCH' && r.path.endsWith('/features/log-runtime-metrics'))).to.equal(true)
  })

  it('never prints the log stream URL, even with HEROKU_DEBUG', async () => {
    const result = await runCommand(['mem:tail', '-a', 'demo-app', '--json', '--max-samples', '2'], {env: {...env, DEBUG: '*', HEROKU_DEBUG: '1'}})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout + result.stderr).not.to.match(/\/streams\/[\w-]+/)
  })
})
