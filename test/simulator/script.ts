/** What a simulated app and its dynos do: the scenario language of the simulator. */

export type DynoBehavior = 'bloat' | 'boot-over' | 'leak' | 'r15' | 'spike' | 'steady' | 'swap'

export interface DynoScript {
  /** `web.1`, `worker.2` (Fir-style names such as `web-5d8f7c9b4-x2x7q` work too: then set `type`). */
  name: string
  /** Default `Standard-1X`; the quota comes from `limitsForSize`. */
  size?: string
  /**
   * - steady: flat with GC sawtooth noise
   * - bloat: rises quickly, log-like, then flat at `plateauMb`
   * - leak: grows `leakMbPerHour` (irregularly) until the R15 kill
   * - spike: steady, with jumps to `spikeMb` lasting 1-3 ticks
   * - swap: boots near the quota, grows into swap up to `plateauMb`, stays there (R14 every tick, no R15)
   * - r15: grows fast to the R15 kill threshold, crashes, restarts, again
   * - boot-over: above its quota right from boot (R14 every tick)
   */
  behavior: DynoBehavior
  /** RSS right after boot, MiB (default 200; swap: 0.85x quota; boot-over: 1.15x quota). */
  baseMb?: number
  /** Growth for leak/swap/r15 per simulated hour (defaults: leak 300, swap 600, r15: kill in ~30 ticks). */
  leakMbPerHour?: number
  /**
   * leak: the growth comes from this route's requests (a path such as `/reports/42/export`): a batch
   * client with session affinity sends them all to this dyno, ~3 a tick, each leaving its share of
   * `leakMbPerHour` behind (fault `leak-route`, what mem:blame finds).
   */
  leakRoute?: string
  /** bloat: level it settles at (default 60% of the way from base to quota); swap: ceiling (default 1.4x quota). */
  plateauMb?: number
  /** GC sawtooth amplitude, MiB (default 3% of base, at least 3). */
  noiseMb?: number
  /** spike: level a spike reaches (default 1.1x quota). */
  spikeMb?: number
  /** Process type; default: the name before its last dot (before its first dash for Fir-style names). */
  type?: string
  /** Shown in `Starting process with command ...` and the dyno's `command` (default per type). */
  command?: string
}

export interface ReleaseScript {
  /** The tick (1 = the first history tick) whose start logs this release. */
  atTick: number
  version: number
  /** Default `Deploy <sha>`; logged as `<description> by user someone@example.com`. */
  description?: string
  /** A release restarts every dyno (default true), as on Heroku. */
  restart?: boolean
}

export interface AppScript {
  name: string
  /** Default cedar. Fir apps log no runtime metrics. */
  generation?: 'cedar' | 'fir'
  /** `GET /apps/{app}` returns `generation` as a plain string instead of `{id, name}`. */
  generationAsString?: boolean
  /** The log-runtime-metrics feature (default true); like on Heroku, a change applies to dynos booted after it. */
  runtimeMetrics?: boolean
  /** Web dynos restart with preboot: the old instance keeps logging samples for 9 ticks (3 simulated minutes). */
  preboot?: boolean
  dynos: DynoScript[]
  /** Ticks generated at start, before the server listens: the recent log a non-tail session returns. */
  historyTicks?: number
  /** `heroku[router]` lines per tick (default 0). */
  routerLinesPerTick?: number
  /** Plain `app[web.N]` output lines per tick (default 0). */
  appLinesPerTick?: number
  /** One app line a tick that imitates a platform line (metrics, R14, a whole embedded `heroku[...]` line). */
  mimicLines?: boolean
  releases?: ReleaseScript[]
  /** `GET /apps/{app}/buildpack-installations` (names such as `heroku/ruby`); default none. */
  buildpacks?: string[]
  /** `GET /apps/{app}/config-vars`: every var, secrets included, as the real API answers. */
  configVars?: Record<string, string>
  /** Fault `config-vars-forbidden`: the token may not read config vars (403), as for a limited collaborator. */
  configVarsForbidden?: boolean
}
