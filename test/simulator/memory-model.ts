import type {Random} from './random.js'
import type {DynoBehavior, DynoScript} from './script.js'

import {limitsForSize} from '../../src/core/quotas.js'

export const TICK_MS = 20_000
const TICK_HOURS = TICK_MS / 3_600_000
/** An r15 dyno, by default, reaches its kill threshold this many ticks after boot. */
const R15_DEFAULT_TICKS = 30
const BLOAT_TICKS = 12

/** A dyno script with every default filled in. */
export interface MemoryProfile {
  baseMb: number
  behavior: DynoBehavior
  /** R15 at killFactor x quota; 1 means no swap (Private/Shield, Fir). */
  killFactor: number
  leakMbPerHour: number
  /** The leak comes from this route's requests (DynoScript.leakRoute). */
  leakRoute?: string
  noiseMb: number
  plateauMb: number
  quota: number
  spikeMb: number
}

export function memoryProfile(script: DynoScript): MemoryProfile {
  const {killFactor, quota} = limitsForSize(script.size ?? 'Standard-1X') ?? {killFactor: 2, quota: 512}
  const {behavior} = script
  const defaults = behaviorDefaults(behavior, quota, killFactor, script.baseMb)
  const baseMb = script.baseMb ?? defaults.baseMb
  return {
    baseMb,
    behavior,
    killFactor,
    leakMbPerHour: script.leakMbPerHour ?? defaults.leakMbPerHour,
    leakRoute: script.behavior === 'leak' ? script.leakRoute : undefined,
    noiseMb: script.noiseMb ?? Math.max(3, baseMb * 0.03),
    plateauMb: script.plateauMb ?? defaults.plateauMb,
    quota,
    spikeMb: script.spikeMb ?? quota * 1.1,
  }
}

function behaviorDefaults(behavior: DynoBehavior, quota: number, killFactor: number, scriptedBase: number | undefined) {
  switch (behavior) {
  case 'boot-over': {
    return {baseMb: quota * 1.15, leakMbPerHour: 0, plateauMb: quota * 1.15}
  }

  case 'r15': {
    const baseMb = scriptedBase ?? 200
    return {baseMb, leakMbPerHour: ((killFactor * quota) - baseMb) / (R15_DEFAULT_TICKS * TICK_HOURS), plateauMb: killFactor * quota}
  }

  case 'swap': {
    return {baseMb: quota * 0.92, leakMbPerHour: 1800, plateauMb: quota * 1.4}
  }

  case 'leak': {
    return {baseMb: 200, leakMbPerHour: 300, plateauMb: quota}
  }

  default: {
    // bloat settles 60% of the way from its base to the quota.
    const baseMb = scriptedBase ?? 200
    return {baseMb, leakMbPerHour: 0, plateauMb: baseMb < quota ? baseMb + ((quota - baseMb) * 0.6) : baseMb * 1.5}
  }
  }
}

/** One sample's figures, MiB and pages, as the memory line logs them. */
export interface MemoryFigures {
  cache: number
  pgpgin: number
  pgpgout: number
  rss: number
  swap: number
}

const PAGES_PER_MIB = 256
/** Requests of a leak route a tick, uniform 0..6: the same mean growth as a plain leak, in whole requests. */
const LEAK_ROUTE_MAX_REQUESTS = 6

/**
 * The memory of one dyno instance (one boot) over its life, a tick at a time.
 * Real series are not lines: a GC sawtooth, jitter, leaks that grow in uneven steps.
 */
export class InstanceMemory {
  private age = -1
  private cacheMb: number
  private readonly gcPeriod: number
  /** MiB a leak has accumulated since boot. */
  private leaked = 0
  /** Requests of the leak route served since the last sample: they show in the next one. */
  private leakRouteRequests = 0
  private nextSpikeAge: number
  private pgpgin: number
  private rssPages: number
  private spikeTicksLeft = 0

  constructor(private readonly profile: MemoryProfile, private readonly random: Random) {
    this.gcPeriod = random.int(4, 8)
    this.nextSpikeAge = random.int(8, 16)
    this.cacheMb = random.range(0.05, 4)
    this.rssPages = Math.round(profile.baseMb * PAGES_PER_MIB)
    this.pgpgin = this.rssPages + random.int(20_000, 80_000)
  }

  /**
   * With a leak route: how many of its requests the dyno serves before the next sample (one draw,
   * where a plain leak draws its tick's growth) and what each leaves behind, MiB.
   */
  serveLeakRoute(): {mbPerRequest: number; requests: number} {
    this.leakRouteRequests = this.random.int(0, LEAK_ROUTE_MAX_REQUESTS)
    return {mbPerRequest: this.leakRoutePerRequest(), requests: this.leakRouteRequests}
  }

  /** The next sample's figures: advances the instance by one tick. */
  next(): MemoryFigures {
    this.age++
    const {baseMb, behavior, killFactor, leakMbPerHour, noiseMb, plateauMb, quota, spikeMb} = this.profile
    const {random} = this
    let level = baseMb
    switch (behavior) {
    case 'bloat': {
      level += (plateauMb - baseMb) * (1 - Math.exp(-this.age / BLOAT_TICKS))
      break
    }

    case 'leak':
    case 'r15':
    case 'swap': {
      if (this.profile.leakRoute) this.leaked += this.leakRouteRequests * this.leakRoutePerRequest()
      else if (this.age > 0) this.leaked += leakMbPerHour * TICK_HOURS * random.range(0.3, 1.7)
      this.leakRouteRequests = 0
      level += this.leaked
      if (behavior === 'swap') level = Math.min(level, plateauMb)
      break
    }

    case 'spike': {
      if (this.spikeTicksLeft === 0 && this.age >= this.nextSpikeAge) {
        this.spikeTicksLeft = random.int(1, 3)
        this.nextSpikeAge = this.age + this.spikeTicksLeft + random.int(15, 35)
      }

      if (this.spikeTicksLeft > 0) {
        this.spikeTicksLeft--
        level = spikeMb * random.range(0.98, 1.02)
      }

      break
    }

    case 'boot-over':
    case 'steady': {
      break
    }
    }

    const sawtooth = noiseMb * ((this.age % this.gcPeriod) / Math.max(1, this.gcPeriod - 1))
    const used = Math.max(baseMb * 0.5, level + sawtooth + (noiseMb * random.range(-0.3, 0.3)))
    // With swap, RSS stops just under the quota and the rest spills into swap.
    const rssCeiling = killFactor > 1 ? quota * random.range(0.985, 0.995) : Number.POSITIVE_INFINITY
    const rss = Math.min(used, rssCeiling)
    const swap = used - rss
    this.cacheMb = Math.max(0.01, this.cacheMb + random.range(-0.3, 0.3))
    const rssPages = Math.round(rss * PAGES_PER_MIB)
    // Paged in minus paged out is what stays resident; both counters only grow.
    this.pgpgin += random.int(500, 6000) + Math.max(0, rssPages - this.rssPages)
    this.rssPages = rssPages
    return {
      cache: this.cacheMb, pgpgin: this.pgpgin, pgpgout: this.pgpgin - rssPages, rss, swap,
    }
  }

  private leakRoutePerRequest(): number {
    return this.profile.leakMbPerHour * TICK_HOURS / (LEAK_ROUTE_MAX_REQUESTS / 2)
  }
}
