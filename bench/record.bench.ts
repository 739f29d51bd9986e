/**
 * mem:record's store at scale: DYNOS dynos x HOURS of samples (one every 20 s, as the platform logs
 * them) written in the recorder's batches, then `mem:report --since` over all of it with the real
 * command (needs `npm run build`), on the embedded file and on a real Postgres (when installed).
 * Prints insert rate, size on disk, report wall time and peak RSS; the targets are for 100 dynos x
 * 30 days (report under 2 s and 150 MB): the default 100 dynos x 24 h runs in minutes, and the
 * figures for 30 days are extrapolated linearly (RECORD_BENCH_HOURS=720 measures them, slowly).
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {LogEvent} from '../src/core/events.js'

import {openStore} from '../src/store/open-store.js'
import {sample} from '../test/fixtures/recorded-events.js'
import {postgresBinDir, startPostgres} from '../test/helpers/postgres.js'
import {scenario} from '../test/simulator/scenarios.js'
import {startSimulator} from '../test/simulator/server.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const dynos = Number(process.env.RECORD_BENCH_DYNOS ?? 100)
const hours = Number(process.env.RECORD_BENCH_HOURS ?? 24)
const TARGET_HOURS = 720
const BATCH = 2000
const SAMPLE_MS = 20_000

async function fill(target: string, end: number): Promise<{rowsPerSecond: number; samples: number; sizeBytes: number}> {
  const store = await openStore(target)
  const start = end - hours * 3_600_000
  const started = performance.now()
  let batch: LogEvent[] = []
  let samples = 0
  for (let time = start; time < end; time += SAMPLE_MS) {
    for (let dyno = 1; dyno <= dynos; dyno++) {
      const name = `web.${dyno}`
      const rss = 200 + (dyno % 10) * 20 + ((time - start) / 3_600_000) * (dyno % 4 === 0 ? 2 : 0)
      batch.push(sample(name, time + dyno * 37, rss, {instance: `heroku.12345.0a1b2c3d-${String(dyno).padStart(4, '0')}-4e5f-8a9b-0c1d2e3f4a5b`}))
      samples++
    }

    if (batch.length >= BATCH) {
      await store.write({
        app: 'demo-app', coverage: [{
          from: start, recorder: 'bench', segment: 0, to: time,
        }], events: batch,
      })
      batch = []
    }
  }

  if (batch.length > 0) await store.write({
    app: 'demo-app', coverage: [{
      from: start, recorder: 'bench', segment: 0, to: end,
    }], events: batch,
  })
  const seconds = (performance.now() - started) / 1000
  const {sizeBytes} = await store.status()
  await store.close()
  return {rowsPerSecond: samples / seconds, samples, sizeBytes}
}

/**
 * The real `mem:report --since` against the simulator's demo-app, reading the store; wall time and peak RSS
 * from /usr/bin/time. Spawned asynchronously: the simulator answering it runs in this process.
 */
async function report(target: string | undefined, env: Record<string, string>): Promise<{maxRssMb: number; samples: number; wallS: number}> {
  const store = target ? ['--store', target] : ['--no-store']
  const child = spawn('/usr/bin/time', ['-f', 'bench-time %e %M', process.execPath, join(root, 'bin/run.js'), 'mem:report', '-a', 'demo-app', '--since', `${hours + 1}h`, ...store, '--json'], {
    cwd: root, env: {...process.env, ...env, HEROKU_DISABLE_AUTOUPDATE: '1'},
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => {
    stdout += chunk
  })
  child.stderr.on('data', chunk => {
    stderr += chunk
  })
  const status = await new Promise(resolve => {
    child.on('close', resolve)
  })
  if (status !== 0) throw new Error(`mem:report failed (${status}): ${stderr.slice(-1000)}`)
  const [wallS, rssKb] = stderr.split('\n').find(line => line.startsWith('bench-time '))!.split(' ').slice(1).map(Number)
  return {maxRssMb: rssKb / 1024, samples: JSON.parse(stdout).samples, wallS}
}

const simulator = await startSimulator({apps: [scenario('demo')], tickMs: 0})
const env = {HEROKU_API_KEY: simulator.token, HEROKU_HOST: simulator.url}
const dir = mkdtempSync(join(tmpdir(), 'heroku-mem-record-bench-'))
const stores: Array<{close?: () => void; name: string; target: string}> = [{name: 'embedded SQLite', target: join(dir, 'bench.sqlite')}]
if (postgresBinDir() && existsSync('/usr/bin/time')) {
  const postgres = await startPostgres()
  stores.push({close: () => postgres.close(), name: 'Postgres', target: postgres.createDatabase('bench')})
}

const scale = TARGET_HOURS / hours
console.log(`${dynos} dynos x ${hours} h of samples (${Math.round(dynos * hours * 180).toLocaleString('en-US')}); x${scale.toFixed(0)} = the 30-day target`)
// What every report costs without the store (start-up, API calls, the log buffer's sessions): only the rest grows with the history.
const baseline = await report(undefined, env)
console.log(`mem:report --no-store (the fixed part): ${baseline.wallS.toFixed(1)} s, ${baseline.maxRssMb.toFixed(0)} MB`)
console.log('store            insert rows/s   size      report  peak RSS   | 30 days (linear in the store part): size, report')
try {
  for (const store of stores) {
    const filled = await fill(store.target, simulator.now() - 60_000)
    const measured = await report(store.target, env)
    const mb = filled.sizeBytes / 1024 / 1024
    const storePartS = Math.max(0, measured.wallS - baseline.wallS)
    const projected = `${(mb * scale / 1024).toFixed(1)} GB, ${(baseline.wallS + storePartS * scale).toFixed(0)} s`
    console.log(`${store.name.padEnd(16)} ${Math.round(filled.rowsPerSecond).toLocaleString('en-US').padStart(13)}  ${mb.toFixed(0).padStart(5)} MB  ${measured.wallS.toFixed(1).padStart(5)} s  ${measured.maxRssMb.toFixed(0).padStart(5)} MB   | ${projected} (target 2 s, 150 MB)`)
    if (measured.samples < filled.samples) console.log(`  (the report counted ${measured.samples} of ${filled.samples} samples)`)
  }
} finally {
  for (const store of stores) store.close?.()
  await simulator.close()
  rmSync(dir, {force: true, recursive: true})
}
