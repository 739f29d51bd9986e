import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import type {LogEvent} from '../../../src/core/events.js'
import type {Simulator} from '../../simulator/server.js'

import {EMBEDDED_STORE_FILE, openStore} from '../../../src/store/open-store.js'
import {gitCheckout} from '../../helpers/git-checkout.js'
import {startReceiver} from '../../helpers/http-receiver.js'
import {startPostgres, type TestPostgres} from '../../helpers/postgres.js'
import {ROOT, runCommand} from '../../helpers/run-command.js'
import {until} from '../../helpers/until.js'
import {scenario} from '../../simulator/scenarios.js'
import {startSimulator} from '../../simulator/server.js'

/** The simulator's memory lines for the app as `dyno time` keys (what a recorder must have stored). */
function simulatedSamples(sim: Simulator, app: string): Set<string> {
  const keys = new Set<string>()
  for (const line of sim.lines(app)) {
    const match = /^(\S+) heroku\[([\w.]+)\]: source=\S+ dyno=\S+ .*sample#memory_rss=/.exec(line)
    if (match) keys.add(`${match[2]} ${Date.parse(match[1])}`)
  }

  return keys
}

async function storedEvents(target: string, app: string): Promise<LogEvent[]> {
  const store = await openStore(target)
  const events: LogEvent[] = []
  try {
    await store.read(app, {}, event => events.push(event))
  } finally {
    await store.close()
  }

  return events
}

describe('heroku mem:record (end to end against the simulator)', function () {
  this.timeout(120_000)
  let sim: Simulator
  let home: string
  let env: Record<string, string>

  beforeEach(async () => {
    // The clock moves only when the test steps it: runs and the gap between them are exact.
    sim = await startSimulator({apps: [scenario('demo')], tickMs: 0})
    home = mkdtempSync(join(tmpdir(), 'heroku-mem-record-'))
    env = {
      HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url, HOME: home, XDG_DATA_HOME: join(home, 'data'),
    }
  })

  afterEach(async () => {
    await sim.close()
    rmSync(home, {force: true, recursive: true})
  })

  /** One recorder run: waits for its log session, steps the simulated clock `ticks` times, lets it write, stops it with Ctrl-C. */
  async function recordWhile(ticks: number, args: string[]) {
    const sessionsBefore = sim.requests.filter(r => r.path.endsWith('/log-sessions')).length
    return runCommand(['mem:record', '-a', 'demo-app', ...args], {
      env,
      async whileRunning() {
        await until(() => sim.requests.filter(r => r.path.endsWith('/log-sessions')).length > sessionsBefore, 'the log session')
        await sleep(500)
        for (let i = 0; i < ticks; i++) {
          sim.step(1)
          await sleep(10)
        }

        await sleep(300)
      },
    })
  }

  /** Record, stop, let the app log more than the buffer holds, record again, report: the whole span, and the gap named. */
  async function recordTwiceAndReport(storeArgs: string[], storeTarget: string) {
    const first = await recordWhile(60, storeArgs)
    expect(first.code, first.stderr).to.equal(0)
    expect(first.stdout).to.match(/Stopped: \d+ samples of 3 dynos stored/)
    const firstEnd = sim.now()
    // 600 ticks (200 simulated minutes) while nobody records: far more than the 1500-line buffer.
    sim.step(600)
    const gapEnd = sim.now()
    const second = await recordWhile(60, storeArgs)
    expect(second.code, second.stderr).to.equal(0)

    // Every sample the simulator logged during the two runs (and the buffer each started from) is stored, once.
    const stored = (await storedEvents(storeTarget, 'demo-app')).filter(event => event.kind === 'memory')
    const storedKeys = stored.map(event => `${event.kind === 'memory' && event.dyno} ${event.time}`)
    expect(new Set(storedKeys).size, 'no sample stored twice').to.equal(storedKeys.length)
    const logged = simulatedSamples(sim, 'demo-app')
    for (const key of storedKeys) expect(logged.has(key), key).to.equal(true)
    const loggedDuringRuns = [...logged].filter(key => {
      const time = Number(key.split(' ')[1])
      return (time > firstEnd - 40 * 20_000 && time <= firstEnd) || (time > gapEnd && time <= sim.now())
    })
    const storedSet = new Set(storedKeys)
    const missing = loggedDuringRuns.filter(key => !storedSet.has(key))
    expect(missing, `samples logged while recording but not stored (first run to ${firstEnd}, second from ${gapEnd} to ${sim.now()}): ${missing.length} of ${loggedDuringRuns.length}`).to.deep.equal([])

    const report = await runCommand(['mem:report', '-a', 'demo-app', '--since', '2h', '--json', ...storeArgs], {env})
    expect(report.code, report.stderr).to.equal(0)
    const json = JSON.parse(report.stdout)
    expect(json.source.kind).to.equal('store')
    // The log buffer repeats what the store holds: each sample counts once.
    expect(json.samples).to.equal(stored.length)
    // The report spans both runs: from the first run's buffer (the whole simulated history) to the second run's end.
    const firstLogged = Math.min(...[...logged].map(key => Number(key.split(' ')[1])))
    expect(Date.parse(json.from)).to.be.at.most(firstLogged + 20_000)
    expect(Date.parse(json.to)).to.be.at.least(sim.now() - 20_000)
    const gapNote: string = json.notes.find((note: string) => note.startsWith('Gaps'))
    expect(gapNote, json.notes.join('\n')).to.be.a('string')
    const [, gapFrom, gapTo] = /Gaps \(nobody saw the log\): (\S+) to (\S+?)[.,]/.exec(gapNote)!
    // The gap lies between the first run's end and the second run's start (its buffer reaches back ~65 simulated minutes).
    expect(Date.parse(gapFrom)).to.be.within(firstEnd - 40_000, firstEnd + 20_000)
    expect(Date.parse(gapTo)).to.be.within(firstEnd + 60 * 60_000, gapEnd)
    expect(json.notes.join('\n')).to.match(/^Sources: recorded history/m)
    return {report}
  }

  it('record, stop, record again: mem:report --since 2h reports the whole span with the gap between (embedded store)', async () => {
    // The embedded store lives in the CLI's data directory: under the (temporary) XDG_DATA_HOME.
    const where = await runCommand(['mem:record', '--status'], {env})
    const target = /^Store: (\S+) \(sqlite\)/.exec(where.stdout)?.[1] ?? ''
    expect(target.startsWith(join(home, 'data')) && target.endsWith(EMBEDDED_STORE_FILE), where.stdout + where.stderr).to.equal(true)
    await recordTwiceAndReport([], target)
    const status = await runCommand(['mem:record', '--status'], {env})
    expect(status.code, status.stderr).to.equal(0)
    // Rollups are made as samples are written, not only when they age out.
    expect(status.stdout).to.match(/demo-app: \S+ to \S+, 3 dynos, \d+ samples, \d+ events, [1-9]\d* 5-minute rollups/)
  })

  it('two recorders on the same app and the same embedded file: both run, each sample is stored once, none missing', async () => {
    const store = join(home, 'shared.sqlite')
    const [one, two] = await Promise.all([recordWhile(30, ['--store', store]), recordWhile(30, ['--store', store])])
    expect(one.code, one.stderr).to.equal(0)
    expect(two.code, two.stderr).to.equal(0)
    const keys = (await storedEvents(store, 'demo-app')).filter(event => event.kind === 'memory').map(event => `${event.kind === 'memory' && event.dyno} ${event.time}`)
    expect(new Set(keys).size).to.equal(keys.length)
    const logged = simulatedSamples(sim, 'demo-app')
    expect(keys.length).to.equal(logged.size)
  })

  it('SIGTERM (a process manager stopping it) writes the last batch and exits 0', async () => {
    const store = join(home, 'term.sqlite')
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'mem:record', '-a', 'demo-app', '--store', store, '-n', '0'], {
      env: {...env, HEROKU_DISABLE_AUTOUPDATE: '1', PATH: process.env.PATH}, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', chunk => {
      stdout += chunk
    })
    const exited = new Promise<null | number>(resolve => {
      child.on('close', resolve)
    })
    await until(() => sim.requests.some(r => r.path.endsWith('/log-sessions')), 'the log session')
    await sleep(500)
    const before = sim.now()
    sim.step(3)
    await sleep(300)
    // Well inside the 2 s flush interval: only the final flush can have written these.
    child.kill('SIGTERM')
    expect(await exited).to.equal(0)
    expect(stdout).to.match(/Stopped: 9 samples of 3 dynos stored/)
    const stored = (await storedEvents(store, 'demo-app')).filter(event => event.kind === 'memory')
    expect(stored.map(event => event.time).every(time => time > before)).to.equal(true)
    expect(stored).to.have.length(9)
  })

  it('mem:report --store naming a file with no history is an error, not a silent fallback', async () => {
    const result = await runCommand(['mem:report', '-a', 'demo-app', '--store', join(home, 'none.sqlite')], {env})
    expect(result.code).to.equal(1)
    expect(result.stderr.trim()).to.equal(`›   Error: No recorded history in ${join(home, 'none.sqlite')}: heroku mem:record -a demo-app --store ... writes it`)
  })

  it('--prune rolls what is past --keep-raw into 5-minute rollups; --keep-rollups under --keep-raw is a usage error', async () => {
    const store = join(home, 'prune.sqlite')
    const recorded = await recordWhile(5, ['--store', store])
    expect(recorded.code, recorded.stderr).to.equal(0)
    // The simulated history reaches 10 min back: a 1-minute raw retention rolls at least its first 4 minutes up.
    const pruned = await runCommand(['mem:record', '--prune', '--keep-raw', '1m', '--store', store], {env})
    expect(pruned.code, pruned.stderr).to.equal(0)
    const rolled = Number(/Pruned \S+: (\d+) samples rolled up/.exec(pruned.stdout)?.[1])
    expect(rolled).to.be.at.least(30)
    const status = await runCommand(['mem:record', '--status', '--store', store], {env})
    expect(Number(/(\d+) 5-minute rollups/.exec(status.stdout)?.[1])).to.be.above(0)
    const bad = await runCommand(['mem:record', '--prune', '--keep-raw', '2d', '--keep-rollups', '1d', '--store', store], {env})
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.contain('--keep-rollups must be at least --keep-raw')
  })

  it('mem:report --no-store reads the log buffer only', async () => {
    const first = await recordWhile(20, [])
    expect(first.code, first.stderr).to.equal(0)
    const report = await runCommand(['mem:report', '-a', 'demo-app', '--json', '--no-store'], {env})
    expect(report.code, report.stderr).to.equal(0)
    expect(JSON.parse(report.stdout).source.kind).to.equal('history')
  })

  it('an unknown app is one line and exit 1; no app at all is a usage error', async () => {
    const unknown = await runCommand(['mem:record', '-a', 'no-such-app'], {env})
    expect(unknown.code).to.equal(1)
    expect(unknown.stderr.trim().split('\n')).to.have.length(1)
    // Nothing on stdout: not a "Recording no-such-app into ..." before the error.
    expect(unknown.stdout).to.equal('')
    const none = await runCommand(['mem:record'], {env})
    expect(none.code).to.equal(2)
    // -a wins over the git remotes: several of them are no error then.
    const {dir} = gitCheckout(sim.url, {heroku: 'demo-app', staging: 'other-app'})
    try {
      const named = await runCommand(['mem:record', '-a', 'no-such-app'], {cwd: dir, env})
      expect(named.code).to.equal(1)
      expect(named.stderr.split('\n')).to.deep.equal([" ›   Error: Couldn't find app no-such-app.", ''])
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  })

  it('--notify: an R15 reaches the webhook (trigger, then resolve after the crash restart); the URL never shows', async () => {
    const receiver = await startReceiver()
    const r15Sim = await startSimulator({apps: [scenario('r15-crash')], tickMs: 20})
    try {
      const hook = `${receiver.url}/hooks/secret-hook-token`
      const result = await runCommand(['mem:record', '-a', 'r15-crash-app', '--notify', hook, '-n', '0'], {
        env: {...env, HEROKU_API_KEY: r15Sim.token, HEROKU_HOST: r15Sim.url},
        async whileRunning() {
          await until(() => receiver.posts.some(post => post.body.kind === 'r15' && post.body.action === 'resolve'), 'the R15 resolve', 60_000)
        },
      })
      expect(result.code, result.stderr).to.equal(0)
      const r15 = receiver.posts.filter(post => post.body.kind === 'r15')
      expect(r15[0].body).to.deep.include({
        action: 'trigger', app: 'r15-crash-app', dedup_key: 'heroku-mem/r15-crash-app/web.1', dyno: 'web.1', schema: 'heroku-mem.alert/1', severity: 'critical',
      })
      expect(r15.at(-1)!.body).to.deep.include({action: 'resolve', dedup_key: 'heroku-mem/r15-crash-app/web.1'})
      expect(result.stdout).to.match(/ALERT: r15-crash-app web\.1: R15/)
      expect(result.stdout + result.stderr).not.to.contain('secret-hook-token')
    } finally {
      await r15Sim.close()
      await receiver.close()
    }
  })

  it('--notify on an app scaled to zero: silent, but not blind: a note, no alert', async () => {
    const receiver = await startReceiver()
    const idleSim = await startSimulator({apps: [{dynos: [], historyTicks: 5, name: 'idle-app'}], tickMs: 0})
    try {
      const result = await runCommand(['mem:record', '-a', 'idle-app', '--notify', `${receiver.url}/hook`, '--blind-after', '1s', '-n', '0', '--store', join(home, 'idle.sqlite')], {
        env: {...env, HEROKU_API_KEY: idleSim.token, HEROKU_HOST: idleSim.url},
        async whileRunning(child) {
          await until(() => /no dyno is running/.test(child.stdout()), 'the idle note', 20_000)
        },
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stdout).to.match(/idle-app: nothing in the log for \d+ min, and no dyno is running/)
      expect(receiver.posts).to.deep.equal([])
    } finally {
      await idleSim.close()
      await receiver.close()
    }
  })

  describe('with --store postgres://', () => {
    let postgres: TestPostgres
    let databases = 0

    before(async () => {
      postgres = await startPostgres()
    })

    after(() => postgres?.close())

    it('record, stop, record again: the report reads Postgres, and the URL\'s password never shows', async () => {
      const url = postgres.createDatabase(`record_${++databases}`).replace('postgres@', 'postgres:s3cret-pass@')
      const {report} = await recordTwiceAndReport(['--store', url], url)
      expect(report.stdout + report.stderr).not.to.contain('s3cret-pass')
      const status = await runCommand(['mem:record', '--status', '--store', url], {env})
      expect(status.stdout).to.match(/Store: postgres:\/\/127\.0\.0\.1:\d+\/record_\d+ \(postgres\)/)
      expect(status.stdout).not.to.contain('s3cret-pass')
    })

    it('a Postgres restart mid-recording: events wait in memory, are written when it is back, none lost', async () => {
      const url = postgres.createDatabase(`record_${++databases}`)
      const start = sim.now()
      const result = await runCommand(['mem:record', '-a', 'demo-app', '--store', url, '-n', '0'], {
        env,
        async whileRunning(child) {
          await until(() => sim.requests.some(r => r.path.endsWith('/log-sessions')), 'the log session')
          await sleep(500)
          postgres.stop()
          for (let i = 0; i < 30; i++) {
            sim.step(1)
            await sleep(20)
          }

          await until(() => /store not answering/.test(child.stdout()), 'the store-down notice')
          postgres.start()
          await until(() => /store answering again/.test(child.stdout()), 'the store-up notice', 40_000)
        },
      })
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stdout).to.match(/store not answering .*: \d+ events kept in memory, retrying in/)
      const stored = new Set((await storedEvents(url, 'demo-app')).filter(event => event.kind === 'memory').map(event => `${event.kind === 'memory' && event.dyno} ${event.time}`))
      const logged = [...simulatedSamples(sim, 'demo-app')].filter(key => Number(key.split(' ')[1]) > start)
      expect(logged.length).to.be.at.least(80)
      expect(logged.filter(key => !stored.has(key))).to.deep.equal([])
    })
  })
})
