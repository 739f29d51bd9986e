/**
 * A realistic `heroku logs` file for the benchmarks: a busy app over a few days, 50 dynos
 * (30 web, 16 worker, a few one-off run dynos), about 80% router/app lines and 20% platform
 * lines (runtime metrics every 20 s per dyno, R14s, restarts, daily cycling, releases).
 * Deterministic: the same size gives the same file.
 */
import {closeSync, openSync, writeSync} from 'node:fs'

/* eslint-disable no-bitwise -- mulberry32 is defined by its bit operations */
/** mulberry32: a small seeded PRNG, so two runs write the same bytes. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D_2B_79_F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
/* eslint-enable no-bitwise */

interface SimulatedDyno {
  /** MiB added per hour of uptime before the plateau (leak or bloat) */
  growthPerHour: number
  instance: string
  name: string
  /** MiB; growth stops there (bloat) or never (Infinity: leak) */
  plateau: number
  quota: number
  /** MiB at boot */
  base: number
  startedAt: number
}

export interface GeneratedLogStats {
  bytes: number
  lines: number
  memorySamples: number
}

const APP_ID = '2808254'
const PATHS = ['/', '/products', '/products/1234', '/cart', '/api/v2/items?page=3', '/checkout', '/search?q=red+shoes', '/assets/app-9f8e7d.js', '/login', '/account/orders']
const JOBS = ['SendEmailJob', 'SyncInventoryJob', 'ImportCsvJob', 'ThumbnailJob', 'WebhookDeliveryJob']

/** MiB an hour: leaking workers fastest, then bloating ones (until their plateau), leaking web dynos, the rest barely. */
function growthPerHour(type: string, leaky: boolean, bloated: boolean): number {
  if (leaky) return type === 'worker' ? 90 : 25
  return bloated ? 120 : 2
}

export function generateLog(path: string, targetBytes: number): GeneratedLogStats {
  const random = seededRandom(42)
  const hex = (length: number): string => {
    let out = ''
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[Math.floor(random() * 16)]
    return out
  }

  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`
  const start = Date.UTC(2026, 10, 16, 0, 0, 0)

  const dynos: SimulatedDyno[] = []
  const boot = (name: string, at: number): SimulatedDyno => {
    const type = name.slice(0, name.indexOf('.'))
    const index = Number(name.slice(name.indexOf('.') + 1))
    // Leaking web dynos are restarted by the next deploy before they reach the quota; leaking
    // workers are not: they swap, log R14s, and some reach R15 before the daily cycling.
    const leaky = (type === 'web' && index % 7 === 0) || (type === 'worker' && index % 5 === 0)
    const bloated = type === 'worker' && index % 3 === 0
    return {
      base: type === 'web' ? 180 + (random() * 60) : 140 + (random() * 40),
      growthPerHour: growthPerHour(type, leaky, bloated),
      instance: `heroku.${APP_ID}.${uuid()}`,
      name,
      plateau: leaky ? Infinity : (bloated ? 560 : 320),
      quota: type === 'worker' ? 1024 : 512,
      startedAt: at,
    }
  }

  for (let i = 1; i <= 30; i++) dynos.push(boot(`web.${i}`, start - (random() * 3_600_000)))
  for (let i = 1; i <= 16; i++) dynos.push(boot(`worker.${i}`, start - (random() * 3_600_000)))
  for (let i = 0; i < 4; i++) dynos.push(boot(`run.${4000 + i}`, start - (random() * 3_600_000)))

  let secondPrefix = ''
  let prefixSecond = -1
  const stamp = (ms: number): string => {
    const second = Math.floor(ms / 1000)
    if (second !== prefixSecond) {
      prefixSecond = second
      secondPrefix = new Date(second * 1000).toISOString().slice(0, 19)
    }

    const micros = Math.floor((ms - (second * 1000)) * 1000)
    return `${secondPrefix}.${String(micros).padStart(6, '0')}+00:00`
  }

  const fd = openSync(path, 'w')
  let bytes = 0
  let lines = 0
  let memorySamples = 0
  let batch: string[] = []
  const flush = (): void => {
    const text = batch.join('\n') + '\n'
    bytes += writeSync(fd, text)
    lines += batch.length
    batch = []
  }

  const routerLine = (ms: number): string => {
    const web = `web.${1 + Math.floor(random() * 30)}`
    const status = random() < 0.97 ? 200 : (random() < 0.5 ? 404 : 503)
    return [
      `${stamp(ms)} heroku[router]: at=info method=${random() < 0.8 ? 'GET' : 'POST'} path="${PATHS[Math.floor(random() * PATHS.length)]}" `,
      `host=shop-prod.herokuapp.com request_id=${uuid()} fwd="203.0.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}" dyno=${web} `,
      `connect=${Math.floor(random() * 3)}ms service=${Math.floor(random() * 400)}ms status=${status} bytes=${Math.floor(random() * 40_000)} protocol=https`,
    ].join('')
  }

  const appLine = (ms: number): string => {
    const roll = random()
    if (roll < 0.55) {
      const web = `web.${1 + Math.floor(random() * 30)}`
      return [
        `${stamp(ms)} app[${web}]: I, [${stamp(ms).slice(0, 26)} #${Math.floor(random() * 8)}]  INFO -- : [${uuid()}] Completed 200 OK in ${Math.floor(random() * 300)}ms `,
        `(Views: ${(random() * 100).toFixed(1)}ms | ActiveRecord: ${(random() * 50).toFixed(1)}ms | Allocations: ${Math.floor(random() * 90_000)})`,
      ].join('')
    }

    if (roll < 0.9) {
      const worker = `worker.${1 + Math.floor(random() * 16)}`
      return [
        `${stamp(ms)} app[${worker}]: {"level":"info","time":"${stamp(ms)}","msg":"job done","job":"${JOBS[Math.floor(random() * JOBS.length)]}",`,
        `"jid":"${hex(24)}","queue":"default","duration_ms":${Math.floor(random() * 5000)}}`,
      ].join('')
    }

    if (roll < 0.999) {
      const web = `web.${1 + Math.floor(random() * 30)}`
      const path = PATHS[Math.floor(random() * PATHS.length)]
      return `${stamp(ms)} app[${web}]: I, [${stamp(ms).slice(0, 26)} #3]  INFO -- : Started GET "${path}" for 203.0.113.${Math.floor(random() * 255)} at ${stamp(ms).slice(0, 19)} +0000`
    }

    // User input echoed by the app that looks like a platform line: must never become an event.
    return `${stamp(ms)} app[web.3]: search q="source=web.3 sample#memory_total=9999.00MB Error R14 (Memory quota exceeded)"`
  }

  const memoryOf = (dyno: SimulatedDyno, ms: number): number => {
    const hours = (ms - dyno.startedAt) / 3_600_000
    const grown = Math.min(dyno.base + (dyno.growthPerHour * hours), dyno.plateau)
    // GC sawtooth plus noise
    return grown + (12 * ((ms / 95_000) % 1)) + (random() * 6)
  }

  const platformLines = (dyno: SimulatedDyno, ms: number, out: string[]): void => {
    const head = `${stamp(ms)} heroku[${dyno.name}]: `
    const load = (random() * 2).toFixed(2)
    const load5m = (random() * 1.5).toFixed(2)
    out.push(`${head}source=${dyno.name} dyno=${dyno.instance} sample#load_avg_1m=${load} sample#load_avg_5m=${load5m} sample#load_avg_15m=${(random() * 1.2).toFixed(2)}`)
    const used = memoryOf(dyno, ms)
    const rss = Math.min(used, dyno.quota * 1.02)
    const swap = used - rss
    const cache = 0.05 + (random() * 4)
    out.push([
      `${head}source=${dyno.name} dyno=${dyno.instance} sample#memory_total=${(rss + swap + cache).toFixed(2)}MB sample#memory_rss=${rss.toFixed(2)}MB `,
      `sample#memory_cache=${cache.toFixed(2)}MB sample#memory_swap=${swap.toFixed(2)}MB sample#memory_pgpgin=${Math.floor(random() * 400_000)}pages `,
      `sample#memory_pgpgout=${Math.floor(random() * 200_000)}pages sample#memory_quota=${dyno.quota.toFixed(2)}MB`,
    ].join(''))
    memorySamples++
    if (used > dyno.quota) {
      const percent = (100 * used) / dyno.quota
      out.push(`${head}Process running mem=${Math.round(used)}M(${percent.toFixed(1)}%)`, `${head}Error R14 (Memory quota exceeded)`)
      if (used > dyno.quota * 2) {
        out.push(`${head}Error R15 (Memory quota vastly exceeded)`, `${head}Stopping process with SIGKILL`, `${head}Process exited with status 137`, `${head}State changed from up to crashed`)
      }
    }
  }

  const restart = (dyno: SimulatedDyno, ms: number, reason: 'Cycling' | 'Restarting', out: string[]): SimulatedDyno => {
    const head = `${stamp(ms)} heroku[${dyno.name}]: `
    const messages = [
      reason,
      'State changed from up to starting',
      'Stopping all processes with SIGTERM',
      'Process exited with status 143',
      'Starting process with command `bundle exec puma -C config/puma.rb`',
      'State changed from starting to up',
    ]
    out.push(...messages.map(message => head + message))
    return boot(dyno.name, ms)
  }

  let release = 140
  let ms = start
  const tickMs = 20_000
  // ~8 router/app lines per platform line pair keeps platform lines near 20% of the file
  const trafficPerTick = 400
  for (;;) {
    if (bytes >= targetBytes) break
    const tick: string[] = []
    for (let i = 0; i < trafficPerTick; i++) {
      const at = ms + ((i * tickMs) / trafficPerTick)
      tick.push(random() < 0.45 ? routerLine(at) : appLine(at))
    }

    const platform: string[] = []
    for (let i = 0; i < dynos.length; i++) {
      const at = ms + ((i * tickMs) / dynos.length) + 7
      platformLines(dynos[i], at, platform)
      const uptime = at - dynos[i].startedAt
      if (uptime > 86_400_000 + (i * 60_000)) dynos[i] = restart(dynos[i], at + 1, 'Cycling', platform)
      else if (dynos[i].base + (dynos[i].growthPerHour * (uptime / 3_600_000)) > dynos[i].quota * 2) dynos[i] = boot(dynos[i].name, at + 2)
    }

    if ((ms - start) % 28_800_000 === 0 && ms > start) {
      release++
      const head = `${stamp(ms + 3)} app[api]: `
      platform.push(`${head}Deploy ${hex(8)} by user release-bot@example.com`, `${head}Release v${release} created by user release-bot@example.com`)
      for (let i = 0; i < 30; i++) dynos[i] = restart(dynos[i], ms + 4 + i, 'Restarting', platform)
    }

    // Interleave platform lines into the traffic in time order, roughly as Logplex would.
    const step = Math.max(1, Math.floor(tick.length / Math.max(1, platform.length)))
    for (let i = 0, p = 0; i < tick.length || p < platform.length; i++) {
      if (i < tick.length) batch.push(tick[i])
      if (p < platform.length && (i % step === step - 1 || i >= tick.length)) batch.push(platform[p++])
    }

    if (batch.length > 20_000) flush()
    ms += tickMs
  }

  if (batch.length > 0) flush()
  closeSync(fd)
  return {bytes, lines, memorySamples}
}
