import {expect} from 'chai'
import {execFile, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type {Simulator} from '../simulator/server.js'

import {ROOT} from '../helpers/run-command.js'
import {scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

/**
 * The real `heroku` CLI, installed on first use into a cache directory rather than as a
 * devDependency (it is 580 packages, for this one test). Its own node_modules also gives it its
 * own copy of @oclif/core, as a user's `heroku plugins:install` does: what the plugin throws to
 * the CLI must work across the two copies.
 */
const HEROKU_CLI_DIR = process.env.HEROKU_MEM_TEST_CLI_DIR ?? join(homedir(), '.cache', 'heroku-mem-test', 'heroku-cli')
const HEROKU = join(HEROKU_CLI_DIR, 'node_modules', '.bin', 'heroku')

async function installHerokuCli(): Promise<void> {
  if (existsSync(HEROKU)) return
  await promisify(execFile)('npm', ['install', '--prefix', HEROKU_CLI_DIR, '--no-audit', '--no-fund', '--no-save', 'heroku@11'])
}

interface HerokuRun {
  /** Working directory (default: the repository). */
  cwd?: string
  /** Sends this signal to the whole process group, as a terminal's Ctrl-C does, once stdout or stderr contains `when`. */
  signal?: {name: 'SIGINT' | 'SIGTERM'; when: string}
}

function heroku(args: string[], env: Record<string, string>, options: HerokuRun = {}): Promise<{code: null | number; stderr: string; stdout: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(HEROKU, args, {
      cwd: options.cwd ?? ROOT, detached: true, env: {PATH: process.env.PATH, ...env}, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let signalled = false
    const maybeSignal = () => {
      if (!options.signal || signalled || !(stdout + stderr).includes(options.signal.when)) return
      signalled = true
      process.kill(-child.pid!, options.signal.name)
    }

    child.stdout.on('data', chunk => {
      stdout += chunk
      maybeSignal()
    })
    child.stderr.on('data', chunk => {
      stderr += chunk
      maybeSignal()
    })
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(killer)
      resolve({code, stderr, stdout})
    })
  })
}

/** The CLI's own crash report lines, which must never follow a plugin's error or exit code. */
const EEXIT = /EEXIT/

describe('the plugin inside the real heroku CLI (npm package heroku)', function () {
  this.timeout(120_000)
  let sim: Simulator
  let home: string
  let env: Record<string, string>

  before(async function () {
    this.timeout(300_000)
    await installHerokuCli()
    sim = await startSimulator({apps: [scenario('demo'), scenario('ruby-puma')], tickMs: 10})
    // A fresh HOME: the CLI keeps linked plugins and its config there.
    home = await mkdtemp(join(tmpdir(), 'heroku-mem-cli-'))
    env = {
      HEROKU_API_KEY: sim.token, HEROKU_DISABLE_AUTOUPDATE: '1', HEROKU_HOST: sim.url, HOME: home,
    }
    const linked = await heroku(['plugins:link', ROOT, '--no-install'], env)
    expect(linked.code, linked.stderr).to.equal(0)
  })

  after(async () => {
    await sim?.close()
    if (home) await rm(home, {force: true, recursive: true})
  })

  it('lists the mem commands in `heroku help mem`', async () => {
    const help = await heroku(['help', 'mem'], env)
    expect(help.code, help.stderr).to.equal(0)
    expect(help.stdout).to.match(/mem:tail\s+live memory of every dyno/)
  })

  it('runs `heroku mem:tail --json` against the simulator through HEROKU_HOST and HEROKU_API_KEY', async () => {
    const result = await heroku(['mem:tail', '-a', 'demo-app', '--json', '--max-samples', '3', '-n', '0'], env)
    expect(result.code, result.stderr).to.equal(0)
    const samples = result.stdout.split('\n').filter(Boolean).map(line => JSON.parse(line)).filter(line => line.type === 'sample')
    expect(samples).to.have.length(3)
    expect(samples.map(s => s.dyno).sort()).to.deep.equal(['web.1', 'web.2', 'worker.1'])
    // The CLI's own client made the calls, with the token from HEROKU_API_KEY.
    const paths = sim.requests.map(r => `${r.method} ${r.path}`)
    expect(paths).to.include.members(['GET /apps/demo-app', 'GET /apps/demo-app/features/log-runtime-metrics', 'POST /apps/demo-app/log-sessions'])
  })

  it('keeps config var values out of HEROKU_DEBUG output, with the API client the CLI itself has', async () => {
    // Inside the CLI the plugin loads the CLI's own @heroku-cli/command: its HTTP client's debug
    // log, not the plugin's copy's, is the one to switch off while the config vars are read.
    const result = await heroku(['mem:report', '-a', 'ruby-puma-app', '--json'], {
      ...env, DEBUG: '*', HEROKU_DEBUG: '1', HEROKU_DEBUG_HEADERS: '1',
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr, 'the client\'s debug log is on').to.include('/formation')
    expect(sim.requests.some(request => request.path === '/apps/ruby-puma-app/config-vars')).to.equal(true)
    expect(result.stdout + result.stderr).not.to.include('s3cr3t')
    expect(result.stdout + result.stderr).not.to.include('planted-secret-key-base')
  })

  it('reads a log saved by `heroku logs` with colours forced (FORCE_COLOR=1 heroku logs > app.log): every sample counts', async () => {
    const logs = await heroku(['logs', '-a', 'demo-app', '-n', '1500'], {...env, FORCE_COLOR: '1'})
    expect(logs.code, logs.stderr).to.equal(0)
    const lines = logs.stdout.split('\n')
    const samples = lines.filter(line => line.includes('heroku[') && line.includes('sample#memory_total='))
    // The CLI did colour them (this is what the test is about), and there is something to count.
    expect(samples.length).to.be.greaterThan(20)
    expect(samples.every(line => line.startsWith('\u001B['))).to.equal(true)
    const path = join(home, 'colored.log')
    await writeFile(path, logs.stdout)
    const report = await heroku(['mem:report', '--file', path, '--json'], env)
    expect(report.code, report.stderr).to.equal(0)
    expect(JSON.parse(report.stdout).samples).to.equal(samples.length)
  })

  it('reports an unknown app in exactly one stderr line with exit code 1', async () => {
    const result = await heroku(['mem:tail', '-a', 'no-such-app'], env)
    expect(result.code).to.equal(1)
    expect(result.stderr.trimEnd().split('\n')).to.deep.equal([" ›   Error: Couldn't find app no-such-app."])
  })

  it('ends `mem:report` without -a or --file as bad usage (exit 2), in one line', async () => {
    const result = await heroku(['mem:report'], env, {cwd: home})
    expect(result.code, result.stderr).to.equal(2)
    expect(result.stderr.trimEnd().split('\n')).to.deep.equal([' ›   Error: Name the app with -a APP, or read saved logs with --file PATH'])
  })

  it('ends `mem:restart-over --once` with its exit code (4: over, dry run) and nothing from the CLI after it', async () => {
    const result = await heroku(['mem:restart-over', '-a', 'demo-app', '--threshold', '10%', '--once', '--dry-run'], env)
    expect(result.code, result.stderr).to.equal(4)
    expect(result.stderr).to.contain('exit code 4')
    expect(result.stderr).not.to.match(EEXIT)
    expect(result.stderr).not.to.contain('Error')
  })

  it('Ctrl-C to the process group ends `mem:tail` with the summary and exit 0', async () => {
    const result = await heroku(['mem:tail', '-a', 'demo-app', '-n', '0'], env, {signal: {name: 'SIGINT', when: 'worker.1 rss='}})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr).to.match(/summary:\n {2}web\.1: \d+ samples?,/)
  })

  it('Ctrl-C to the process group ends `mem:restart-over` with its summary and exit 0', async () => {
    const result = await heroku(['mem:restart-over', '-a', 'demo-app', '--threshold', '99%', '--no-state-file'], env, {signal: {name: 'SIGINT', when: ' web.2 '}})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr, result.stdout).to.match(/restart-over: 3 dynos watched, \d+ restarted/)
  })

  it('SIGTERM (a dyno being cycled) ends `mem:restart-over` the same way, exit 0', async () => {
    const result = await heroku(['mem:restart-over', '-a', 'demo-app', '--threshold', '99%', '--no-state-file'], env, {signal: {name: 'SIGTERM', when: ' web.2 '}})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stderr, result.stdout).to.match(/restart-over: 3 dynos watched, \d+ restarted/)
  })
})
