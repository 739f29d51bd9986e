/**
 * A seeded web app whose routes have known memory costs, for mem:blame: router requests and
 * memory samples as the log would show them. Traffic follows a Zipf-like route popularity and a
 * diurnal load; each request holds a little memory while in flight (threads blur the samples);
 * one route may leak a fixed amount per request, one may allocate a large buffer that is kept
 * (a jump) or freed; unrelated heap steps, a restart and lost router lines add realistic noise.
 *
 * Named faults (each used by test/core/blame/accuracy.test.ts):
 * - `leak`: route `leak.route` keeps `leak.mbPerRequest` for good after every request.
 * - `bloat`: route `POST /imports/:id/process`, `bloat.callsPerHour` a dyno, allocates a buffer of
 *   `bloat.mb`; `kept` keeps it (memory steps up and stays), otherwise it is freed when done.
 * - `heapStepsPerHour`: steps up of 15-40 MB at random times, no route behind them.
 * - `lostLines`: each router line dropped with this probability, plus `l10BurstsPerHour` of
 *   30 s in which Logplex drops every line.
 * - `restart`: web.1 restarts halfway (a new instance, memory back to base).
 * - `tied`: `GET /dashboard` always fires `GET /api/dashboard/widgets` right after.
 */
import type {MemorySample, RouterRequest} from '../../src/core/events.js'

import {Random} from './random.js'

export interface TrafficScenario {
  backgroundMbPerHour?: number
  bloat?: {callsPerHour: number; kept: boolean; mb: [number, number]}
  dynos?: number
  heapStepsPerHour?: number
  hours?: number
  l10BurstsPerHour?: number
  leak?: {mbPerRequest: number; route: string}
  lostLines?: number
  noiseMb?: number
  requestsPerSecond?: number
  restart?: boolean
  seed: number
  /** Multiplies every route's service time: more requests in flight at once. */
  slowness?: number
  tied?: boolean
}

export interface SimulatedTraffic {
  events: Array<MemorySample | RouterRequest>
  l10Bursts: number
  /** The L10 bursts: [from, to) in which Logplex dropped every line. */
  lostWindows: Array<[number, number]>
  requests: number
}

interface RouteSpec {
  /** Memory held while in flight, MB. */
  inFlightMb: number
  method: string
  path: (random: Random) => string
  serviceMs: number
  template: string
}

const id = (random: Random) => String(random.int(1, 99_999))
/** `digits` hex digits from as few draws as a double allows (Random.uuid draws one per digit). */
function hexId(random: Random, digits: number): string {
  let out = ''
  while (out.length < digits) out += random.int(0, 0xF_FF_FF_FF).toString(16).padStart(8, '0')
  return out.slice(0, digits)
}

/** Popularity order: the first is the most requested (Zipf, exponent ZIPF_S). */
export const ROUTES: RouteSpec[] = [
  route('GET', '/', () => '/', 40, 1),
  route('GET', '/products/:id', r => `/products/${id(r)}`, 80, 2),
  route('GET', '/api/cart', () => '/api/cart', 30, 0.5),
  route('GET', '/search', r => `/search?q=${r.int(1, 500)}`, 150, 3),
  route('GET', '/dashboard', () => '/dashboard', 200, 4),
  route('POST', '/api/events', () => '/api/events', 20, 0.3),
  route('GET', '/reports/:id', r => `/reports/${id(r)}`, 250, 5),
  route('GET', '/users/:id', r => `/users/${hexId(r, 8)}-${hexId(r, 4)}-4${hexId(r, 3)}-a${hexId(r, 3)}-${hexId(r, 12)}`, 60, 1),
  route('GET', '/reports/:id/export', r => `/reports/${id(r)}/export?format=csv`, 900, 8),
  route('POST', '/orders', () => '/orders', 300, 3),
  route('GET', '/orders/:id', r => `/orders/${id(r)}.json`, 90, 1),
  route('GET', '/assets/:id', r => `/assets/${hexId(r, 16)}`, 10, 0.2),
  route('PATCH', '/api/profile', () => '/api/profile', 70, 1),
  route('GET', '/admin/stats', () => '/admin/stats', 600, 6),
  route('DELETE', '/api/sessions/:id', r => `/api/sessions/${id(r)}`, 25, 0.3),
  route('GET', '/invoices/:id/pdf', r => `/invoices/${id(r)}/pdf`, 1200, 10),
  route('POST', '/webhooks/stripe', () => '/webhooks/stripe', 45, 0.5),
  route('GET', '/api/notifications', () => '/api/notifications', 35, 0.5),
  route('PUT', '/api/settings', () => '/api/settings', 55, 0.8),
  route('GET', '/health', () => '/health', 3, 0),
]
const TIED_ROUTE = route('GET', '/api/dashboard/widgets', () => '/api/dashboard/widgets', 120, 2)
export const BLOAT_ROUTE = route('POST', '/imports/:id/process', r => `/imports/${id(r)}/process`, 4000, 0)
const ZIPF_S = 1.1
const SAMPLE_MS = 20_000
const MIX_STEP_MS = 600_000
/** Correlation of a route's popularity factor from one 10-minute step to the next. */
const MIX_MEMORY = 0.8
/** Log-scale spread of that factor: about x0.7 to x1.5 most of the time. */
const MIX_SPREAD = 0.4
const START = Date.UTC(2026, 10, 20, 6)

function route(method: string, template: string, path: (random: Random) => string, serviceMs: number, inFlightMb: number): RouteSpec {
  return {
    inFlightMb, method, path, serviceMs, template: `${method} ${template}`,
  }
}

/** Request or change of memory on one dyno, time-ordered. */
interface MemoryStep {
  mb: number
  time: number
}

export function simulateTraffic(scenario: TrafficScenario): SimulatedTraffic {
  const random = new Random(scenario.seed)
  const hours = scenario.hours ?? 4
  const dynos = scenario.dynos ?? 4
  const end = START + (hours * 3_600_000)
  const phase = random.range(0, 24)
  const mix = routeMix(random.fork(), end)
  const events: Array<MemorySample | RouterRequest> = []
  const lost = lostWindows(random.fork(), scenario, end)
  let requests = 0
  for (let index = 1; index <= dynos; index++) {
    const dyno = `web.${index}`
    const dynoRandom = random.fork()
    const steps: MemoryStep[] = []
    const inFlight: Array<{end: number; mb: number; start: number}> = []
    // A closure over this dyno's random stream, steps and in-flight list.
    // eslint-disable-next-line unicorn/consistent-function-scoping
    const serve = (spec: RouteSpec, start: number, serviceMs: number, status = 200): void => {
      requests++
      const finished = start + serviceMs
      inFlight.push({end: finished, mb: spec.inFlightMb * dynoRandom.range(0.5, 1.5), start})
      if (scenario.leak && spec.template === scenario.leak.route) steps.push({mb: scenario.leak.mbPerRequest, time: finished})
      if (finished >= end || dynoRandom.next() < (scenario.lostLines ?? 0) || lost.some(([from, to]) => finished >= from && finished < to)) return
      events.push({
        bytes: dynoRandom.int(200, 90_000), dyno, kind: 'router', method: spec.method, path: spec.path(dynoRandom), serviceMs: Math.round(serviceMs), status, time: Math.round(finished), type: 'web',
      })
    }

    for (let second = START; second < end; second += 1000) {
      const hour = ((second - START) / 3_600_000) + phase
      const load = (scenario.requestsPerSecond ?? 3) * (1 + (0.6 * Math.sin((hour / 24) * 2 * Math.PI)))
      const shares = mix[Math.floor((second - START) / MIX_STEP_MS)]
      const arrivals = poisson(dynoRandom, load)
      for (let k = 0; k < arrivals; k++) {
        const spec = ROUTES[pick(shares, dynoRandom.next())]
        const start = second + dynoRandom.range(0, 1000)
        const serviceMs = spec.serviceMs * (scenario.slowness ?? 1) * Math.exp(0.5 * gaussian(dynoRandom))
        serve(spec, start, serviceMs, dynoRandom.next() < 0.005 ? 500 : 200)
        if (scenario.tied && spec.template === 'GET /dashboard') {
          serve(TIED_ROUTE, start + serviceMs + dynoRandom.range(50, 400), TIED_ROUTE.serviceMs * Math.exp(0.3 * gaussian(dynoRandom)))
        }
      }
    }

    if (scenario.bloat) {
      for (const start of poissonTimes(dynoRandom, scenario.bloat.callsPerHour, START, end)) {
        const serviceMs = BLOAT_ROUTE.serviceMs * Math.exp(0.4 * gaussian(dynoRandom))
        const mb = dynoRandom.range(...scenario.bloat.mb)
        serve(BLOAT_ROUTE, start, serviceMs)
        if (scenario.bloat.kept) steps.push({mb, time: start + (serviceMs / 2)})
        else inFlight.push({end: start + serviceMs, mb, start: start + 200})
      }
    }

    for (const time of poissonTimes(dynoRandom, scenario.heapStepsPerHour ?? 0, START, end)) steps.push({mb: dynoRandom.range(15, 40), time})
    events.push(...samples(dynoRandom, dyno, scenario, {
      end, inFlight, lost, steps,
    }))
  }

  events.sort((x, y) => x.time - y.time)
  return {
    events, l10Bursts: lost.length, lostWindows: lost, requests,
  }
}

/** Samples every ~20 s: base + background + kept steps + memory of requests in flight + noise. */
function samples(
  random: Random, dyno: string, scenario: TrafficScenario,
  {end, inFlight, lost, steps}: {end: number; inFlight: Array<{end: number; mb: number; start: number}>; lost: Array<[number, number]>; steps: MemoryStep[]},
): MemorySample[] {
  steps.sort((x, y) => x.time - y.time)
  inFlight.sort((x, y) => x.start - y.start)
  const out: MemorySample[] = []
  const restartAt = scenario.restart && dyno === 'web.1' ? START + ((end - START) / 2) : Number.POSITIVE_INFINITY
  let instance = `heroku.42.${random.uuid()}`
  let bootedAt = START
  let kept = 0
  let step = 0
  let flight = 0
  const base = random.range(180, 260)
  for (let time = START + random.range(0, SAMPLE_MS); time < end; time += SAMPLE_MS + random.range(-300, 300)) {
    if (time >= restartAt && bootedAt < restartAt) {
      instance = `heroku.42.${random.uuid()}`
      bootedAt = time
      kept = 0
    }

    while (step < steps.length && steps[step].time <= time) {
      if (steps[step].time >= bootedAt) kept += steps[step].mb
      step++
    }

    while (flight < inFlight.length && inFlight[flight].end < time - 60_000) flight++
    let held = 0
    for (let k = flight; k < inFlight.length && inFlight[k].start <= time; k++) if (inFlight[k].end > time) held += inFlight[k].mb
    const background = (scenario.backgroundMbPerHour ?? 8) * (time - bootedAt) / 3_600_000
    const rss = base + background + kept + held + ((scenario.noiseMb ?? 3) * gaussian(random))
    if (lost.some(([from, to]) => time >= from && time < to)) continue
    out.push({
      cache: 1, dyno, instance, kind: 'memory', rss: Math.round(rss * 100) / 100, swap: 0, time: Math.round(time), total: rss + 1, type: 'web',
    })
  }

  return out
}

/**
 * The route mix drifts: each route's popularity is multiplied by a slow log-normal factor (AR(1)
 * every 10 minutes, shared by all dynos), as campaigns, batch clients and office hours do. The
 * cumulative route shares for each 10-minute step.
 */
function routeMix(random: Random, end: number): Float64Array[] {
  const drift = ROUTES.map(() => 0)
  const out: Float64Array[] = []
  for (let time = START; time < end; time += MIX_STEP_MS) {
    for (const [index, value] of drift.entries()) drift[index] = (MIX_MEMORY * value) + (Math.sqrt(1 - (MIX_MEMORY ** 2)) * gaussian(random))
    out.push(cumulate(ROUTES.map((_, rank) => Math.exp(MIX_SPREAD * drift[rank]) / ((rank + 1) ** ZIPF_S))))
  }

  return out
}

/** L10 bursts: 30 s windows in which Logplex drops every line. */
function lostWindows(random: Random, scenario: TrafficScenario, end: number): Array<[number, number]> {
  return poissonTimes(random, scenario.l10BurstsPerHour ?? 0, START, end).map(time => [time, time + 30_000])
}

function poissonTimes(random: Random, perHour: number, from: number, to: number): number[] {
  const times: number[] = []
  if (perHour <= 0) return times
  for (let time = from - (Math.log(1 - random.next()) * 3_600_000 / perHour); time < to; time -= Math.log(1 - random.next()) * 3_600_000 / perHour) {
    times.push(time)
  }

  return times
}

function poisson(random: Random, mean: number): number {
  // Knuth's method: means here are a few per second.
  const limit = Math.exp(-mean)
  let product = random.next()
  let count = 0
  while (product > limit) {
    product *= random.next()
    count++
  }

  return count
}

export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next())
}

function cumulate(weights: number[]): Float64Array {
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const out = new Float64Array(weights.length)
  let running = 0
  for (const [index, weight] of weights.entries()) {
    running += weight / total
    out[index] = running
  }

  return out
}

function pick(cumulative: Float64Array, u: number): number {
  for (let index = 0; index < cumulative.length; index++) if (u < cumulative[index]) return index
  return cumulative.length - 1
}

/**
 * The traffic as `heroku logs` prints it: router lines, log-runtime-metrics memory lines and an
 * `Error L10` line where Logplex dropped lines (formats in /work/shared/heroku-facts.md).
 */
export function trafficLog(traffic: SimulatedTraffic): string {
  const lines: Array<[number, string]> = traffic.events.map((event, index) => [event.time, event.kind === 'router'
    ? `heroku[router]: at=info method=${event.method} path="${event.path}" host=acme.herokuapp.com request_id=req-${index} fwd="203.0.113.7" dyno=${event.dyno} connect=0ms service=${event.serviceMs}ms status=${event.status} bytes=${event.bytes} protocol=https`
    : `heroku[${event.dyno}]: source=${event.dyno} dyno=${event.instance} sample#memory_total=${event.total.toFixed(2)}MB sample#memory_rss=${event.rss.toFixed(2)}MB sample#memory_cache=${event.cache.toFixed(2)}MB sample#memory_swap=${event.swap.toFixed(2)}MB sample#memory_pgpgin=0pages sample#memory_pgpgout=0pages sample#memory_quota=512.00MB`])
  for (const [from, to] of traffic.lostWindows) {
    lines.push([to, `heroku[logplex]: Error L10 (output buffer overflow): drain 'd.0' dropped 1200 messages since ${new Date(from).toISOString().replace('Z', '000+00:00')}.`])
  }

  lines.sort((x, y) => x[0] - y[0])
  return lines.map(([time, text]) => `${new Date(time).toISOString().replace('Z', '000+00:00')} ${text}\n`).join('')
}
