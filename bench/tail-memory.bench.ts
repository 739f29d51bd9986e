/**
 * Does `mem:tail` stay bounded however long it runs? Runs the real command (`bin/run.js
 * mem:tail --json`, needs `npm run build`) against the simulator with time running ~4000x faster
 * than real (a 20 s tick every 5 ms), and reads the command's RSS from /proc as samples pour in.
 * Bounded means: RSS after the first seconds stays flat while the sample count keeps growing, and
 * the command runs to the end under a 64 MB V8 heap cap (a leak would end it with an out-of-memory crash).
 */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {startSimulator} from '../test/simulator/server.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const seconds = Number(process.env.TAIL_BENCH_SECONDS ?? 40)
const dynos = Array.from({length: 20}, (_, index) => ({behavior: index % 4 === 0 ? 'leak' as const : 'steady' as const, leakMbPerHour: 200, name: `web.${index + 1}`}))
const simulator = await startSimulator({
  apps: [{
    dynos, historyTicks: 0, name: 'soak-app', routerLinesPerTick: 20,
  }], tickMs: 5,
})

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
  return kb / 1024
}

const child = spawn(process.execPath, ['--max-old-space-size=64', `${root}bin/run.js`, 'mem:tail', '-a', 'soak-app', '--json', '--duration', `${seconds}s`], {
  env: {
    ...process.env, HEROKU_API_KEY: simulator.token, HEROKU_DISABLE_AUTOUPDATE: '1', HEROKU_HOST: simulator.url,
  },
  stdio: ['ignore', 'pipe', 'ignore'],
})
let samples = 0
let pending = ''
child.stdout.on('data', (chunk: Buffer) => {
  pending += chunk.toString('utf8')
  let newline = pending.indexOf('\n')
  while (newline !== -1) {
    if (pending.startsWith('{"type":"sample"')) samples++
    pending = pending.slice(newline + 1)
    newline = pending.indexOf('\n')
  }
})

const readings: Array<{rss: number; samples: number; second: number}> = []
const started = Date.now()
const timer = setInterval(() => {
  try {
    readings.push({rss: rssMb(child.pid!), samples, second: Math.round((Date.now() - started) / 1000)})
  } catch {
    // The command has just exited.
  }
}, 5000)
child.on('close', async code => {
  clearInterval(timer)
  await simulator.close()
  console.log(`mem:tail soak: ${dynos.length} dynos, 20 router lines a tick, ${seconds}s wall, ${samples} samples delivered, exit code ${code} under a 64 MB heap cap`)
  for (const reading of readings) console.log(`  t=${String(reading.second).padStart(3)}s  samples=${String(reading.samples).padStart(7)}  rss=${reading.rss.toFixed(1)} MB`)
  const settled = readings.filter(r => r.second >= 10)
  if (settled.length >= 2) {
    const growth = settled.at(-1)!.rss - settled[0].rss
    console.log(`  RSS change from t=${settled[0].second}s to t=${settled.at(-1)!.second}s: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB over ${settled.at(-1)!.samples - settled[0].samples} samples`)
  }
})
