import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {Simulator} from '../../simulator/server.js'

import {runCommand} from '../../helpers/run-command.js'
import {PLANTED_SECRET, scenario, type ScenarioName} from '../../simulator/scenarios.js'
import {startSimulator} from '../../simulator/server.js'

interface AdviceJson {
  current?: string
  expected_level_mb?: number
  kind: string
  monthly_usd?: {prices_as_of: string; suggested: number; today?: number}
  setting?: string
  source?: string
  suggested?: string
  text: string
}

interface ReportJson {
  notes: string[]
  process_types: Array<{advice: AdviceJson[]; type: string; verdict: string}>
}

const RUNTIME_APPS: ScenarioName[] = [
  'ruby-puma', 'ruby-locked', 'ruby-healthy', 'node-heap', 'node-healthy', 'python-workers', 'python-leak', 'python-healthy', 'jvm-xmx', 'jvm-healthy',
]

function runtimeAdvice(advice: AdviceJson[], setting: string): AdviceJson {
  const found = advice.find(item => item.kind === 'runtime' && item.setting === setting)
  expect(found, `${setting} in ${JSON.stringify(advice, null, 1)}`).not.to.equal(undefined)
  return found!
}

describe('heroku mem:report: advice that knows the runtime (end to end against the simulator)', function () {
  this.timeout(90_000)
  let sim: Simulator
  let env: Record<string, string>
  let dir: string

  before(async () => {
    sim = await startSimulator({apps: RUNTIME_APPS.map(name => scenario(name)), tickMs: 0})
    env = {HEROKU_API_KEY: sim.token, HEROKU_HOST: sim.url}
    dir = mkdtempSync(path.join(tmpdir(), 'mem-report-runtime-'))
  })

  after(async () => {
    await sim.close()
  })

  async function adviceOf(name: ScenarioName): Promise<{advice: AdviceJson[]; report: ReportJson}> {
    const result = await runCommand(['mem:report', '-a', scenario(name).name, '--json'], {env})
    expect(result.code, result.stderr).to.equal(0)
    const report = JSON.parse(result.stdout) as ReportJson
    return {advice: report.process_types[0].advice, report}
  }

  it('Ruby: too many Puma workers for the dyno, MALLOC_ARENA_MAX unset, and the cost of a size that holds it', async () => {
    const {advice} = await adviceOf('ruby-puma')
    const workers = runtimeAdvice(advice, 'WEB_CONCURRENCY')
    expect(workers).to.include({current: '3', source: 'config var', suggested: '2'})
    // 3 workers settle near 630 MB: ~210 MB each, two of them ~420 MB.
    expect(workers.expected_level_mb).to.be.within(400, 440)
    expect(workers.text).to.match(/each puma worker holds ~2\d\d MB: 3 = 6\d\d MB on a 512 MB dyno; set WEB_CONCURRENCY to 2 .*~4\d\d MB \(8\d%\).*heroku mem:report -a ruby-puma-app --since/)
    expect(runtimeAdvice(advice, 'MALLOC_ARENA_MAX')).to.include({current: 'not set', suggested: '2'})
    const size = advice.find(item => item.kind === 'size')!
    expect(size.monthly_usd).to.deep.equal({prices_as_of: '2024-10-11', suggested: 50, today: 25})
    expect(size.text).to.include('list prices as of 2024-10-11')
    expect(advice.some(item => item.kind === 'concurrency'), 'no generic concurrency line next to the runtime one').to.equal(false)
  })

  it('Node: a V8 heap cap above the dyno\'s memory', async () => {
    const {advice} = await adviceOf('node-heap')
    const cap = runtimeAdvice(advice, 'NODE_OPTIONS')
    expect(cap).to.include({current: 'NODE_OPTIONS=--max-old-space-size=2048', source: 'config var', suggested: '--max-old-space-size=320'})
    expect(cap.expected_level_mb).to.be.below(512)
  })

  it('Python: gunicorn workers that do not fit, and leaky workers never recycled', async () => {
    const {advice} = await adviceOf('python-workers')
    const workers = runtimeAdvice(advice, '--workers in the command')
    expect(workers).to.include({current: '4', source: 'formation command', suggested: '3'})
    expect(workers.expected_level_mb).to.be.within(400, 440)
    expect(runtimeAdvice(advice, 'GUNICORN_CMD_ARGS')).to.include({current: 'not set', suggested: '--preload'})
    const recycle = runtimeAdvice((await adviceOf('python-leak')).advice, 'GUNICORN_CMD_ARGS')
    expect(recycle).to.include({current: 'not set', suggested: '--max-requests 1000 --max-requests-jitter 100'})
  })

  it('JVM: -Xmx plus what lives outside the heap above the quota', async () => {
    const xmx = runtimeAdvice((await adviceOf('jvm-xmx')).advice, 'JAVA_OPTS')
    expect(xmx).to.include({current: '-Xmx512m', source: 'config var'})
    expect(Number(/-Xmx(\d+)m/.exec(xmx.suggested!)![1])).to.be.below(350)
    expect(xmx.expected_level_mb).to.be.below(0.85 * 512)
  })

  it('gives a healthy app of each runtime no configuration advice', async () => {
    for (const name of ['ruby-healthy', 'node-healthy', 'python-healthy', 'jvm-healthy'] as const) {
      const {advice, report} = await adviceOf(name)
      expect(report.process_types[0].verdict, name).to.equal('steady')
      expect(advice, `${name}: ${JSON.stringify(advice)}`).to.deep.equal([])
    }
  })

  it('works without access to the config vars (403): generic advice and a note', async () => {
    const {advice, report} = await adviceOf('ruby-locked')
    expect(report.notes.join(' ')).to.include('Config vars not readable (403)')
    expect(advice.some(item => item.kind === 'runtime')).to.equal(false)
    expect(advice.some(item => item.kind === 'concurrency')).to.equal(true)
  })

  it('never lets a config var outside the allow-list reach text, --json, --html, stderr or HEROKU_DEBUG output', async () => {
    const html = path.join(dir, 'report.html')
    const outputs: string[] = []
    for (const args of [[], ['--json'], ['--html', html]]) {
      const result = await runCommand(['mem:report', '-a', 'ruby-puma-app', ...args], {env})
      expect(result.code, result.stderr).to.equal(0)
      outputs.push(result.stdout, result.stderr)
    }

    const debug = await runCommand(['mem:report', '-a', 'ruby-puma-app', '--json'], {
      env: {
        ...env, DEBUG: '*', HEROKU_DEBUG: '1', HEROKU_DEBUG_HEADERS: '1',
      },
    })
    expect(debug.code, debug.stderr).to.equal(0)
    // The debug log is on: it shows the other calls, so its silence on config vars means something.
    expect(debug.stderr).to.include('/formation')
    outputs.push(debug.stdout, debug.stderr, readFileSync(html, 'utf8'))
    expect(sim.requests.some(request => request.path.endsWith('/config-vars'))).to.equal(true)
    for (const output of outputs) {
      expect(output).not.to.include(PLANTED_SECRET)
      expect(output).not.to.include('s3cr3t')
      expect(output).not.to.include('planted-secret-key-base')
    }
  })

  it('reads the runtime from the boot lines of a saved log (no API, no config vars)', async () => {
    const file = path.join(dir, 'python.log')
    const lines = sim.lines('python-workers-app')
    // A log saved from the dyno's boot starts with the platform's boot line.
    const boot = `${lines[0].split(' ')[0]} heroku[web.1]: Starting process with command \`gunicorn shop.wsgi --workers 4\``
    writeFileSync(file, [boot, ...lines].join('\n') + '\n')
    const result = await runCommand(['mem:report', '--file', file, '--json'], {env: {}})
    expect(result.code, result.stderr).to.equal(0)
    const {advice} = (JSON.parse(result.stdout) as ReportJson).process_types[0]
    expect(runtimeAdvice(advice, '--workers in the command')).to.include({current: '4', source: 'boot line', suggested: '3'})
  })
})
