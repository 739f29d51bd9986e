import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Simulator} from '../simulator/server.js'

import {ROOT} from '../helpers/run-command.js'
import {scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

const HEROKU = join(ROOT, 'node_modules', '.bin', 'heroku')

function heroku(args: string[], env: Record<string, string>): Promise<{code: null | number; stderr: string; stdout: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(HEROKU, args, {cwd: ROOT, env: {PATH: process.env.PATH, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => {
      stdout += chunk
    })
    child.stderr.on('data', chunk => {
      stderr += chunk
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(killer)
      resolve({code, stderr, stdout})
    })
  })
}

describe('the plugin inside the real heroku CLI (npm package heroku)', function () {
  this.timeout(120_000)
  let sim: Simulator
  let home: string
  let env: Record<string, string>

  before(async () => {
    sim = await startSimulator({apps: [scenario('demo')], tickMs: 10})
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

  it('reports an unknown app in one line with exit code 1', async () => {
    const result = await heroku(['mem:tail', '-a', 'no-such-app'], env)
    expect(result.code).to.equal(1)
    expect(result.stderr).to.contain("Couldn't find app no-such-app.")
    expect(result.stderr).not.to.match(/\n\s+at /)
  })
})
