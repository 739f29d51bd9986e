import type * as Heroku from '@heroku-cli/schema'

import type {Random} from './random.js'
import type {AppScript, DynoScript, ReleaseScript} from './script.js'

import {
  InstanceMemory, memoryProfile, type MemoryProfile, TICK_MS,
} from './memory-model.js'

/** One line of an app's log, as Logplex keeps it. */
export interface LogLine {
  /** `web.1`, `router`, `api` */
  dyno: string
  source: 'app' | 'heroku'
  /** The whole line: `TIMESTAMP SOURCE[DYNO]: MESSAGE` */
  text: string
  /** Simulated epoch ms. */
  time: number
  /** Process type of `dyno` (`router`, `api` for those). */
  type: string
}

/** What a log session asks for (`POST /apps/{app}/log-sessions`). */
export interface LogFilter {
  /** A dyno name (`web.1`) or a process type (`web`). */
  dyno?: string
  source?: string
  type?: string
}

export function matchesFilter(line: LogLine, filter: LogFilter): boolean {
  if (filter.source && line.source !== filter.source) return false
  if (filter.dyno && line.dyno !== filter.dyno && line.type !== filter.dyno) return false
  if (filter.type && line.type !== filter.type) return false
  return true
}

export type RestartAction = 'restart' | 'stop'

export interface RestartRecord {
  action: RestartAction
  dyno: string
  /** Real Date.now() when the request arrived. */
  time: number
}

/** Logplex keeps this many lines per app. */
export const LOG_BUFFER_LINES = 1500
/** `lines()` keeps this many, so a long demo stays bounded. */
const LINES_KEPT_FOR_ASSERTS = 200_000
/** With preboot the old web instance runs on for 3 simulated minutes. */
const PREBOOT_OVERLAP_TICKS = 9
const USER_EMAIL = 'someone@example.com'

type DynoState = 'crashed' | 'down' | 'starting' | 'up'

interface Instance {
  /** Simulated ms of its boot. */
  createdAt: number
  /** `heroku.<app number>.<uuid>`, the `dyno=` of its metrics lines. */
  dynoId: string
  load: {m1: number; m5: number; m15: number}
  memory: InstanceMemory
  /** log-runtime-metrics was on when it booted. */
  metrics: boolean
  uuid: string
}

interface Release {
  createdAt: number
  description: string
  id: string
  version: number
}

interface SimulatedDyno {
  command: string
  instance: Instance
  name: string
  /** Requested by the API, carried out at the next tick while the dyno is up. */
  pending?: RestartAction
  /** Simulated ms of the API request behind `pending`: the API shows the dyno `starting` from then. */
  pendingSince?: number
  /** Running maxima of memory_total since the last restart: the first sample over any threshold is one of them. */
  peaks: Array<{real: number; total: number}>
  /** Fixed phase of this dyno's samples within a tick. */
  phaseMs: number
  profile: MemoryProfile
  /** Instance running when the last restart was requested: its later samples don't count in `peaks`. */
  replacedInstance?: string
  /** Preboot: old instances still running, with the ticks they have left. */
  retiring: Array<{instance: Instance; ticksLeft: number}>
  size: string
  state: DynoState
  type: string
  /** Simulated ms of the last state change. */
  updatedAt: number
}

type Emit = (time: number, source: 'app' | 'heroku', dyno: string, message: string) => void

export interface TickConditions {
  /** Per dyno, ms added to its platform lines' times (a dyno whose clock is off). */
  clockOffsetMs: Record<string, number>
  /** Dynos whose platform lines are lost before they reach the log (the dynos run on). */
  dynoLinesLost?: readonly string[]
  /** One platform line dated ahead, logged at this tick if this app has the dyno. */
  futureLine?: {aheadMs: number; dyno: string; message: string}
  malformedLines: boolean
  /** Samples without `sample#memory_quota`, as in the Dev Center's example. */
  samplesWithoutQuota?: boolean
  /** Real Date.now() at this tick, for `overThresholdAt`. */
  realNow: number
}

function processType(name: string): string {
  const dot = name.lastIndexOf('.')
  if (dot > 0) return name.slice(0, dot)
  const dash = name.indexOf('-')
  return dash > 0 ? name.slice(0, dash) : name
}

/** `2026-11-20T10:12:00.123456+00:00` */
function timestamp(ms: number, micros: number): string {
  return new Date(ms).toISOString().replace('Z', `${String(micros).padStart(3, '0')}+00:00`)
}

const mb = (value: number) => `${value.toFixed(2)}MB`

/** One simulated Heroku app: its dynos' lives, its log (a Logplex-like ring buffer) and its releases. */
export class SimulatedApp {
  featureEnabled: boolean
  featureUpdatedAt: number
  readonly generation: 'cedar' | 'fir'
  readonly id: string
  readonly name: string
  readonly number: number
  readonly restarts: RestartRecord[] = []
  readonly script: AppScript
  private readonly allLines: string[] = []
  private readonly buffer: LogLine[] = []
  private readonly createdAt: number
  private readonly dynos: SimulatedDyno[]
  private readonly listeners = new Set<(lines: LogLine[]) => void>()
  private readonly random: Random
  private readonly releases: Release[]
  /** Real Date.now() of the tick being simulated. */
  private realNow = 0
  /** This tick's samples leave `memory_quota` out. */
  private samplesWithoutQuota = false
  private tickCount = 0

  constructor(script: AppScript, random: Random, startTime: number) {
    this.script = script
    this.random = random
    this.name = script.name
    this.id = random.uuid()
    this.number = random.int(1_000_000, 9_999_999)
    this.generation = script.generation ?? 'cedar'
    this.featureEnabled = script.runtimeMetrics ?? true
    this.createdAt = startTime - (30 * 86_400_000)
    this.featureUpdatedAt = this.createdAt
    this.dynos = script.dynos.map(dyno => this.createDyno(dyno, startTime))
    this.releases = this.initialReleases(startTime)
  }

  /** The newest `count` lines of the buffer that match, oldest first. */
  recent(filter: LogFilter, count: number): LogLine[] {
    const found: LogLine[] = []
    for (let i = this.buffer.length - 1; i >= 0 && found.length < count; i--) {
      if (matchesFilter(this.buffer[i], filter)) found.push(this.buffer[i])
    }

    return found.reverse()
  }

  /** Every line logged so far (the newest 200,000). */
  lines(): string[] {
    return [...this.allLines]
  }

  subscribe(listener: (lines: LogLine[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Dyno names matched by a dyno name, a dyno id, or a process type. */
  resolveDynos(nameIdOrType: string): string[] {
    const exact = this.dynos.find(dyno => dyno.name === nameIdOrType || dyno.instance.uuid === nameIdOrType)
    if (exact) return [exact.name]
    return this.dynos.filter(dyno => dyno.type === nameIdOrType).map(dyno => dyno.name)
  }

  dynoNames(): string[] {
    return this.dynos.map(dyno => dyno.name)
  }

  processTypes(): string[] {
    return [...new Set(this.dynos.map(dyno => dyno.type))]
  }

  /** Records an API restart or stop; the platform carries it out at the next tick. */
  requestRestart(names: string[], action: RestartAction, realNow: number, simNow: number): void {
    for (const dyno of this.dynos.filter(d => names.includes(d.name))) {
      this.restarts.push({action, dyno: dyno.name, time: realNow})
      this.forgetPeaks(dyno)
      // A dyno that is booting or crashed is already on its way to a fresh instance.
      if (dyno.state === 'up') {
        dyno.pending = action
        dyno.pendingSince = simNow
      }
    }
  }

  /** A restart the platform makes by itself (a deploy, someone's dashboard), at the next tick. */
  platformRestart(name: string): void {
    const dyno = this.dynos.find(d => d.name === name)
    if (!dyno) return
    this.forgetPeaks(dyno)
    if (dyno.state === 'up') dyno.pending = 'restart'
  }

  /** Real ms when `dyno` first logged memory_total above `mb` since its last restart. */
  overThresholdAt(dynoName: string, thresholdMb: number): number | undefined {
    const dyno = this.dynos.find(d => d.name === dynoName)
    return dyno?.peaks.find(peak => peak.total > thresholdMb)?.real
  }

  /** Simulates one 20 s tick starting at `tickStart` (simulated ms); lines fall in (tickStart, tickStart + 20 s]. */
  tick(tickStart: number, conditions: TickConditions): void {
    this.tickCount++
    this.realNow = conditions.realNow
    this.samplesWithoutQuota = conditions.samplesWithoutQuota === true
    const out: LogLine[] = []
    const emit: Emit = (logTime, source, dyno, message) => {
      if (source === 'heroku' && conditions.dynoLinesLost?.includes(dyno)) return
      const time = logTime + (source === 'heroku' ? conditions.clockOffsetMs[dyno] ?? 0 : 0)
      out.push({
        dyno, source, text: `${timestamp(time, this.random.int(0, 999))} ${source}[${dyno}]: ${message}`, time, type: processType(dyno),
      })
    }

    for (const release of this.script.releases ?? []) {
      if (release.atTick === this.tickCount) this.release(release, tickStart + 200, emit)
    }

    for (const dyno of this.dynos) this.tickDyno(dyno, tickStart + dyno.phaseMs + this.random.int(0, 300), emit)
    this.emitTraffic(tickStart, emit)
    if (this.script.mimicLines) this.emitMimicLine(tickStart + this.random.int(1, TICK_MS - 1), emit)
    const future = conditions.futureLine
    if (future && this.dynos.some(dyno => dyno.name === future.dyno)) emit(tickStart + future.aheadMs, 'heroku', future.dyno, future.message)
    if (conditions.malformedLines) this.emitMalformedLine(tickStart + this.random.int(1, TICK_MS - 1), emit)

    out.sort((a, b) => a.time - b.time)
    for (const line of out) {
      this.buffer.push(line)
      this.allLines.push(line.text)
    }

    if (this.buffer.length > LOG_BUFFER_LINES) this.buffer.splice(0, this.buffer.length - LOG_BUFFER_LINES)
    if (this.allLines.length > LINES_KEPT_FOR_ASSERTS) this.allLines.splice(0, this.allLines.length - LINES_KEPT_FOR_ASSERTS)
    for (const listener of this.listeners) listener(out)
  }

  apiApp(): Heroku.App {
    const stackName = this.generation === 'fir' ? 'cnb' : 'heroku-24'
    const stack = {id: '3f5fc4c1-1ce4-4b3c-9e7e-5f8a1c2e6b6d', name: stackName}
    const generation = {id: this.generation === 'fir' ? '0f3a6d4e-8a3b-4f3e-9a5b-6d2c1e0f9a7b' : '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e', name: this.generation}
    return {
      acm: false,
      archived_at: null,
      build_stack: stack,
      buildpack_provided_description: 'Node.js',
      created_at: new Date(this.createdAt).toISOString(),
      generation: this.script.generationAsString ? this.generation : generation,
      git_url: `https://git.heroku.com/${this.name}.git`,
      id: this.id,
      internal_routing: null,
      maintenance: false,
      name: this.name,
      organization: null,
      owner: {email: USER_EMAIL, id: '5a1f3b2c-7d8e-4f9a-8b0c-1d2e3f4a5b6c'},
      region: {id: '59accabd-516d-4f0e-83e6-6e3757701145', name: 'us'},
      released_at: new Date(this.releases.at(-1)!.createdAt).toISOString(),
      repo_size: null,
      slug_size: 52_428_800,
      space: null,
      stack,
      team: null,
      updated_at: new Date(this.releases.at(-1)!.createdAt).toISOString(),
      web_url: `https://${this.name}-${this.id.slice(0, 12)}.herokuapp.com/`,
    }
  }

  apiDyno(name: string): Heroku.Dyno | undefined {
    const dyno = this.dynos.find(d => d.name === name || d.instance.uuid === name)
    if (!dyno) return undefined
    const release = this.releases.at(-1)!
    const requested = dyno.pending === 'restart' ? dyno.pendingSince : undefined
    return {
      app: {id: this.id, name: this.name},
      attach_url: null,
      command: dyno.command,
      created_at: new Date(dyno.instance.createdAt).toISOString(),
      id: dyno.instance.uuid,
      name: dyno.name,
      release: {id: release.id, version: release.version},
      size: dyno.size,
      // The platform acts on a restart request at once: the dyno shows starting from the request on.
      state: requested === undefined ? dyno.state : 'starting',
      type: dyno.type,
      updated_at: new Date(requested ?? dyno.updatedAt).toISOString(),
    }
  }

  apiDynos(): Heroku.Dyno[] {
    return this.dynos.map(dyno => this.apiDyno(dyno.name)!)
  }

  apiFeature(): Heroku.AppFeature {
    return {
      created_at: new Date(this.createdAt).toISOString(),
      description: 'Emit dyno resource usage information into app logs',
      display_name: 'log-runtime-metrics',
      doc_url: 'https://devcenter.heroku.com/articles/log-runtime-metrics',
      enabled: this.featureEnabled,
      feedback_email: 'feedback@heroku.com',
      id: '8a7c3b1e-2d4f-4e6a-9b8c-0d1e2f3a4b5c',
      name: 'log-runtime-metrics',
      state: 'beta',
      updated_at: new Date(this.featureUpdatedAt).toISOString(),
    }
  }

  apiFormation(): Heroku.Formation[] {
    return this.processTypes().map(type => {
      const dynos = this.dynos.filter(dyno => dyno.type === type)
      return {
        app: {id: this.id, name: this.name},
        command: dynos[0].command,
        created_at: new Date(this.createdAt).toISOString(),
        id: `${this.id.slice(0, 24)}${type.padEnd(12, '0').slice(0, 12)}`,
        quantity: dynos.length,
        size: dynos[0].size,
        type,
        updated_at: new Date(this.createdAt).toISOString(),
      }
    })
  }

  apiReleases(): Heroku.Release[] {
    const current = this.releases.at(-1)!
    return this.releases.map(release => ({
      addon_plan_names: [],
      app: {id: this.id, name: this.name},
      created_at: new Date(release.createdAt).toISOString(),
      current: release === current,
      description: release.description,
      id: release.id,
      output_stream_url: null,
      slug: {id: release.id},
      status: 'succeeded',
      updated_at: new Date(release.createdAt).toISOString(),
      user: {email: USER_EMAIL, id: '5a1f3b2c-7d8e-4f9a-8b0c-1d2e3f4a5b6c'},
      version: release.version,
    }))
  }

  private bootInstance(dyno: {profile: MemoryProfile}, at: number): Instance {
    const uuid = this.random.uuid()
    return {
      createdAt: at,
      dynoId: `heroku.${this.number}.${uuid}`,
      load: {m1: 0.1, m5: 0.05, m15: 0.02},
      memory: new InstanceMemory(dyno.profile, this.random.fork()),
      metrics: this.featureEnabled && this.generation === 'cedar',
      uuid,
    }
  }

  private createDyno(script: DynoScript, startTime: number): SimulatedDyno {
    const type = script.type ?? processType(script.name)
    const profile = memoryProfile(script)
    return {
      command: script.command ?? (type === 'web' ? 'npm start' : `node ${type}.js`),
      instance: this.bootInstance({profile}, startTime),
      name: script.name,
      peaks: [],
      phaseMs: this.random.int(1000, 12_000),
      profile,
      retiring: [],
      size: script.size ?? (this.generation === 'fir' ? 'dyno-1c-0.5gb' : 'Standard-1X'),
      state: 'up',
      type,
      updatedAt: startTime,
    }
  }

  private emitMalformedLine(at: number, emit: Emit): void {
    const dyno = this.random.pick(this.dynos)
    const head = `source=${dyno.name} dyno=${dyno.instance.dynoId}`
    emit(at, 'heroku', dyno.name, this.random.pick([
      `${head} sample#memory_total=abcMB sample#memory_rss=MB sample#memory_quota=512.00MB`,
      `${head} sample#memory_total=NaNMB sample#memory_rss=NaNMB sample#memory_swap=0.00MB`,
      `${head} sample#memory_total= sample#memory_rss=-`,
      `${head} sample#load_avg_1m= sample#load_avg_5m=x.yz`,
      `source=${dyno.name} dyno= sample#memory_total=sample#memory_rss=12..5MB`,
    ]))
  }

  /** An app line that imitates a platform line: a parser must not take it for one. */
  private emitMimicLine(at: number, emit: Emit): void {
    const dyno = this.dynos.find(d => d.type === 'web') ?? this.dynos[0]
    const fakeSample = [
      `source=${dyno.name} dyno=${dyno.instance.dynoId} sample#memory_total=9999.00MB sample#memory_rss=9999.00MB sample#memory_cache=0.00MB`,
      'sample#memory_swap=0.00MB sample#memory_pgpgin=1pages sample#memory_pgpgout=1pages sample#memory_quota=512.00MB',
    ].join(' ')
    const embedded = (message: string) => `${timestamp(at, 0)} heroku[${dyno.name}]: ${message}`
    const mimics = [
      fakeSample,
      'Error R14 (Memory quota exceeded)',
      'Process running mem=9999M(1953.1%)',
      embedded(fakeSample),
      embedded('Error R15 (Memory quota vastly exceeded)'),
    ]
    emit(at, 'app', dyno.name, mimics[this.tickCount % mimics.length])
  }

  private emitTraffic(tickStart: number, emit: Emit): void {
    const up = this.dynos.filter(dyno => dyno.state === 'up')
    const web = up.filter(dyno => dyno.type === 'web')
    for (let i = 0; i < (this.script.routerLinesPerTick ?? 0) && web.length > 0; i++) {
      const dyno = this.random.pick(web)
      const path = this.random.pick(['/', '/api/items', '/login', '/assets/app.css', '/api/items/42'])
      const status = this.random.pick([200, 200, 200, 200, 304, 302, 404])
      const fwd = `${this.random.int(11, 223)}.${this.random.int(0, 255)}.${this.random.int(0, 255)}.${this.random.int(1, 254)}`
      const timing = `connect=${this.random.int(0, 2)}ms service=${this.random.int(3, 400)}ms status=${status} bytes=${this.random.int(200, 40_000)} protocol=https`
      const message = `at=info method=GET path="${path}" host=${this.name}.herokuapp.com request_id=${this.random.uuid()} fwd="${fwd}" dyno=${dyno.name} ${timing}`
      emit(tickStart + this.random.int(1, TICK_MS - 1), 'heroku', 'router', message)
    }

    for (const dyno of web.filter(candidate => candidate.profile.leakRoute)) this.emitLeakRoute(dyno, tickStart, emit)
    for (let i = 0; i < (this.script.appLinesPerTick ?? 0) && up.length > 0; i++) {
      const dyno = this.random.pick(up)
      const message = dyno.type === 'web'
        ? `GET /api/items 200 ${this.random.range(2, 300).toFixed(3)} ms - ${this.random.int(100, 9000)}`
        : `job ${this.random.int(1000, 99_999)} done in ${this.random.int(10, 5000)}ms`
      emit(tickStart + this.random.int(1, TICK_MS - 1), 'app', dyno.name, message)
    }
  }

  /** Fault `leak-route`: the requests behind this dyno's leak, after its sample (they show in the next one). */
  private emitLeakRoute(dyno: SimulatedDyno, tickStart: number, emit: Emit): void {
    const {requests} = dyno.instance.memory.serveLeakRoute()
    for (let i = 0; i < requests; i++) {
      const serviceMs = this.random.int(20, 300)
      const finished = tickStart + this.random.int(dyno.phaseMs + 1500, TICK_MS - 1)
      const timing = `connect=0ms service=${serviceMs}ms status=200 bytes=${this.random.int(20_000, 900_000)} protocol=https`
      const message = `at=info method=GET path="${dyno.profile.leakRoute}" host=${this.name}.herokuapp.com request_id=${this.random.uuid()} fwd="198.51.100.24" dyno=${dyno.name} ${timing}`
      emit(finished, 'heroku', 'router', message)
    }
  }

  private forgetPeaks(dyno: SimulatedDyno): void {
    dyno.peaks = []
    dyno.replacedInstance = dyno.instance.uuid
  }

  private initialReleases(startTime: number): Release[] {
    const scripted = this.script.releases ?? []
    const before = scripted.filter(release => release.atTick <= 0)
    .map(release => ({
      createdAt: startTime + (release.atTick * TICK_MS), description: release.description ?? this.deployDescription(), id: this.random.uuid(), version: release.version,
    }))
    const first = Math.min(...scripted.map(release => release.version))
    const initial = before.length > 0 || first === 1
      ? []
      : [{
        createdAt: this.createdAt, description: 'Initial release', id: this.random.uuid(), version: Number.isFinite(first) ? first - 1 : 1,
      }]
    return [...initial, ...before]
  }

  private deployDescription(): string {
    return `Deploy ${Array.from({length: 8}, () => this.random.int(0, 15).toString(16)).join('')}`
  }

  private release(script: ReleaseScript, at: number, emit: Emit): void {
    const description = script.description ?? this.deployDescription()
    this.releases.push({
      createdAt: at, description, id: this.random.uuid(), version: script.version,
    })
    emit(at, 'app', 'api', `${description} by user ${USER_EMAIL}`)
    emit(at, 'app', 'api', `Release v${script.version} created by user ${USER_EMAIL}`)
    if (script.restart === false) return
    // The platform's own restarts: not in `restarts`, which records API calls.
    for (const dyno of this.dynos) {
      this.forgetPeaks(dyno)
      if (dyno.state === 'up') dyno.pending = 'restart'
    }
  }

  /** One memory sample of an instance, plus R14, or R15 and the crash when it is the dyno's current instance. */
  private sample(dyno: SimulatedDyno, instance: Instance, at: number, emit: Emit): void {
    const figures = instance.memory.next()
    const used = figures.rss + figures.swap
    const total = used + figures.cache
    const {killFactor, quota} = dyno.profile
    if (instance.metrics) {
      const {load} = instance
      load.m1 = Math.max(0, (load.m1 * 0.6) + this.random.range(0, 0.9))
      load.m5 = (load.m5 * 0.8) + (load.m1 * 0.2)
      load.m15 = (load.m15 * 0.93) + (load.m1 * 0.07)
      const head = `source=${dyno.name} dyno=${instance.dynoId}`
      emit(at, 'heroku', dyno.name, `${head} sample#load_avg_1m=${load.m1.toFixed(2)} sample#load_avg_5m=${load.m5.toFixed(2)} sample#load_avg_15m=${load.m15.toFixed(2)}`)
      const sizes = `sample#memory_total=${mb(total)} sample#memory_rss=${mb(figures.rss)} sample#memory_cache=${mb(figures.cache)} sample#memory_swap=${mb(figures.swap)}`
      const pages = `sample#memory_pgpgin=${figures.pgpgin}pages sample#memory_pgpgout=${figures.pgpgout}pages`
      emit(at + 1, 'heroku', dyno.name, `${head} ${sizes} ${pages}${this.samplesWithoutQuota ? '' : ` sample#memory_quota=${mb(quota)}`}`)
      if (instance.uuid !== dyno.replacedInstance && (dyno.peaks.length === 0 || total > dyno.peaks.at(-1)!.total)) {
        dyno.peaks.push({real: this.realNow, total})
      }
    }

    // Fir reports no R14/R15 in the log.
    if (this.generation === 'fir') return
    const reading = `Process running mem=${Math.round(used)}M(${(used / quota * 100).toFixed(1)}%)`
    const isCurrent = instance === dyno.instance
    if (isCurrent && used >= killFactor * quota && (killFactor > 1 || used > quota)) {
      emit(at + 900, 'heroku', dyno.name, reading)
      emit(at + 901, 'heroku', dyno.name, 'Error R15 (Memory quota vastly exceeded)')
      emit(at + 1000, 'heroku', dyno.name, 'Stopping process with SIGKILL')
      emit(at + 1400, 'heroku', dyno.name, 'Process exited with status 137')
      emit(at + 1450, 'heroku', dyno.name, 'State changed from up to crashed')
      this.setState(dyno, 'crashed', at + 1450)
    } else if (killFactor > 1 && used > quota) {
      emit(at + 900, 'heroku', dyno.name, reading)
      emit(at + 901, 'heroku', dyno.name, 'Error R14 (Memory quota exceeded)')
    }
  }

  private setState(dyno: SimulatedDyno, state: DynoState, at: number): void {
    dyno.state = state
    dyno.updatedAt = at
  }

  private startInstance(dyno: SimulatedDyno, at: number, emit: Emit): void {
    dyno.instance = this.bootInstance(dyno, at)
    emit(at, 'heroku', dyno.name, `Starting process with command \`${dyno.command}\``)
  }

  private tickDyno(dyno: SimulatedDyno, at: number, emit: Emit): void {
    for (const old of dyno.retiring) {
      this.sample(dyno, old.instance, at + 300, emit)
      old.ticksLeft--
      if (old.ticksLeft === 0) {
        emit(at + 1500, 'heroku', dyno.name, 'Stopping all processes with SIGTERM')
        emit(at + 1900, 'heroku', dyno.name, 'Process exited with status 143')
      }
    }

    dyno.retiring = dyno.retiring.filter(old => old.ticksLeft > 0)
    switch (dyno.state) {
    case 'crashed':
    case 'down': {
      emit(at, 'heroku', dyno.name, `State changed from ${dyno.state} to starting`)
      this.setState(dyno, 'starting', at)
      this.startInstance(dyno, at + 40, emit)
      break
    }

    case 'starting': {
      emit(at, 'heroku', dyno.name, 'State changed from starting to up')
      this.setState(dyno, 'up', at)
      this.sample(dyno, dyno.instance, at + 1500, emit)
      break
    }

    case 'up': {
      const action = dyno.pending
      dyno.pending = undefined
      dyno.pendingSince = undefined
      if (action === 'stop') {
        emit(at, 'heroku', dyno.name, 'Stopping all processes with SIGTERM')
        emit(at + 600, 'heroku', dyno.name, 'Process exited with status 143')
        emit(at + 610, 'heroku', dyno.name, 'State changed from up to down')
        this.setState(dyno, 'down', at + 610)
      } else if (action === 'restart') {
        emit(at, 'heroku', dyno.name, 'Restarting')
        emit(at + 10, 'heroku', dyno.name, 'State changed from up to starting')
        this.setState(dyno, 'starting', at + 10)
        if (this.script.preboot && dyno.type === 'web') {
          // The old instance keeps serving (and logging) until the new one has run a while.
          this.sample(dyno, dyno.instance, at + 300, emit)
          dyno.retiring.push({instance: dyno.instance, ticksLeft: PREBOOT_OVERLAP_TICKS})
        } else {
          emit(at + 1200, 'heroku', dyno.name, 'Stopping all processes with SIGTERM')
          emit(at + 1800, 'heroku', dyno.name, 'Process exited with status 143')
        }

        this.startInstance(dyno, at + 4000, emit)
      } else {
        this.sample(dyno, dyno.instance, at, emit)
      }

      break
    }
    }
  }
}
