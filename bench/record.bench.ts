/**
 * mem:record's store at scale: DYNOS dynos x HOURS of samples (one every 20 s, as the platform logs
 * them) written in the recorder's batches, then `mem:report --since HOURSh` over all of it with the
 * real command (needs `npm run build`), on the embedded file and on a real Postgres (when installed).
 * Prints insert rate, size on disk, report wall time and peak RSS, against the targets for 100 dynos
 * x 30 days (the report under 2 s and 150 MB). The default is that case itself: 13 M samples, about
 * 10 minutes on 2 vCPUs and 6 GB of temporary disk; RECORD_BENCH_HOURS / RECORD_BENCH_DYNOS run a
 * smaller one (its figures are its own: a long window's report reads rollups, so it does not grow
 * with the samples, and no extrapolation is printed).
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
const hours = Number(process.env.RECORD_BENCH_HOURS ?? 720)
const TARGET = {
  dynos: 100, hours: 720, maxRssMb: 150, wallS: 2,
}
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
async function report(target: string | undefined, env: Record<string, string>): Promise<{coarse?: string; maxRssMb: number; samples: number; wallS: number}> {
  const store = target ? ['--store', target] : ['--no-store']
  const child = spawn('/usr/bin/time', ['-f', 'bench-time %e %M', process.execPath, join(root, 'bin/run.js'), 'mem:report', '-a', 'demo-app', '--since', `${hours}h`, ...store, '--json'], {
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
  const parsed = JSON.parse(stdout) as {notes: string[]; samples: number}
  const coarse = parsed.notes.map(note => /too long to read sample by sample: (read from [^,]+),/.exec(note)?.[1]).find(Boolean)
  return {
    coarse, maxRssMb: rssKb / 1024, samples: parsed.samples, wallS,
  }
}

const simulator = await startSimulator({apps: [scenario('demo')], tickMs: 0})
const env = {HEROKU_API_KEY: simulator.token, HEROKU_HOST: simulator.url}
const dir = mkdtempSync(join(tmpdir(), 'heroku-mem-record-bench-'))
const stores: Array<{close?: () => void; name: string; target: string}> = [{name: 'embedded SQLite', target: join(dir, 'bench.sqlite')}]
if (postgresBinDir() && existsSync('/usr/bin/time')) {
  const postgres = await startPostgres()
  stores.push({close: () => postgres.close(), name: 'Postgres', target: postgres.createDatabase('bench')})
}

function met(ok: boolean): string {
  return ok ? 'met' : 'NOT met'
}

const isTarget = dynos === TARGET.dynos && hours === TARGET.hours
const which = isTarget ? 'the 30-day target case' : `not the target case (${TARGET.dynos} dynos x ${TARGET.hours} h)`
console.log(`${dynos} dynos x ${hours} h of samples (${Math.round(dynos * hours * 180).toLocaleString('en-US')}): ${which}`)
// What every report costs without the store (start-up, API calls, the log buffer's sessions): the store adds the rest.
const baseline = await report(undefined, env)
console.log(`mem:report --no-store (the fixed part): ${baseline.wallS.toFixed(1)} s, ${baseline.maxRssMb.toFixed(0)} MB`)
console.log(`store            insert samples/s   size       mem:report --since ${hours}h: wall  peak RSS   targets (${TARGET.wallS} s, ${TARGET.maxRssMb} MB)`)
try {
  for (const store of stores) {
    const filled = await fill(store.target, simulator.now() - 60_000)
    const measured = await report(store.target, env)
    const size = filled.sizeBytes / 1024 / 1024
    const verdict = `wall ${met(measured.wallS < TARGET.wallS)}, memory ${met(measured.maxRssMb < TARGET.maxRssMb)}${isTarget ? '' : ' (at this size)'}`
    const sizeText = size >= 1024 ? `${(size / 1024).toFixed(2)} GB` : `${size.toFixed(0)} MB`
    const columns = [
      store.name.padEnd(16),
      Math.round(filled.rowsPerSecond).toLocaleString('en-US').padStart(16),
      sizeText.padStart(9),
      `${measured.wallS.toFixed(2)} s`.padStart(34),
      `${measured.maxRssMb.toFixed(0)} MB`.padStart(9),
    ]
    console.log(`${columns.join(' ')}   ${verdict}`)
    console.log(`  the report took ${measured.samples.toLocaleString('en-US')} points; ${measured.coarse ?? 'raw samples throughout'}`)
  }
} finally {
  for (const store of stores) store.close?.()
  await simulator.close()
  rmSync(dir, {force: true, recursive: true})
}
