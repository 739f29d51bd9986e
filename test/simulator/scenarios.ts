import type {AppScript} from './script.js'

/** Ready-made apps for tests and the demo. `scenario(name)` hands out a copy that is safe to change. */
export const scenarios = {
  /** web.2 leaks across its 512 MB quota ~20 ticks into the live run (R14, then swap); worker.1 bloats and stays flat. */
  demo: {
    appLinesPerTick: 1,
    dynos: [
      {behavior: 'steady', name: 'web.1'},
      {behavior: 'leak', leakMbPerHour: 1200, name: 'web.2'},
      {behavior: 'bloat', name: 'worker.1', plateauMb: 420},
    ],
    historyTicks: 30,
    name: 'demo-app',
    releases: [{atTick: -500, version: 41}, {atTick: 2, version: 42}],
    routerLinesPerTick: 2,
  },
  steady: {
    dynos: [
      {behavior: 'steady', name: 'web.1'},
      {behavior: 'steady', name: 'web.2'},
      {behavior: 'steady', baseMb: 150, name: 'worker.1'},
    ],
    historyTicks: 60,
    name: 'steady-app',
    routerLinesPerTick: 1,
  },
  /** Three leaking web dynos at different rates; web.3 crosses its quota first. */
  'leaky-web': {
    dynos: [
      {behavior: 'leak', leakMbPerHour: 300, name: 'web.1'},
      {behavior: 'leak', leakMbPerHour: 600, name: 'web.2'},
      {behavior: 'leak', leakMbPerHour: 900, name: 'web.3'},
    ],
    historyTicks: 90,
    name: 'leaky-web',
    routerLinesPerTick: 2,
  },
  /** A Fir app: no runtime metrics (and no R14/R15 lines), Fir dyno names and sizes. */
  'fir-app': {
    dynos: [{
      behavior: 'steady', name: 'web-5d8f7c9b4-x2x7q', size: 'dyno-1c-0.5gb', type: 'web',
    }],
    generation: 'fir',
    historyTicks: 10,
    name: 'fir-app',
    routerLinesPerTick: 1,
  },
  /** log-runtime-metrics is off: R14 still shows, samples do not. */
  'no-metrics': {
    appLinesPerTick: 1,
    dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'boot-over', name: 'worker.1'}],
    historyTicks: 10,
    name: 'no-metrics-app',
    runtimeMetrics: false,
  },
  /** log-runtime-metrics is off and web.1 climbs to R15 and crashes, twice: only `Process running` readings over the quota show its memory. */
  'no-metrics-r15': {
    dynos: [{behavior: 'r15', name: 'web.1'}, {behavior: 'steady', name: 'worker.1'}],
    historyTicks: 60,
    name: 'no-metrics-r15-app',
    routerLinesPerTick: 1,
    runtimeMetrics: false,
  },
  /** Web restarts overlap: the old instance logs on for 9 ticks with the same `source=web.1`. */
  preboot: {
    dynos: [{behavior: 'leak', leakMbPerHour: 900, name: 'web.1'}, {behavior: 'steady', name: 'web.2'}],
    historyTicks: 30,
    name: 'preboot-app',
    preboot: true,
  },
  /** web.1 reaches 2x its quota in ~30 ticks: R15, SIGKILL, crashed, crash restart; again. */
  'r15-crash': {
    dynos: [{behavior: 'r15', name: 'web.1'}, {behavior: 'steady', name: 'worker.1'}],
    historyTicks: 10,
    name: 'r15-crash-app',
  },
  /** worker.1 boots above its quota: R14 from the first sample, every boot. */
  'boot-over': {
    dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'boot-over', name: 'worker.1'}],
    historyTicks: 10,
    name: 'boot-over-app',
  },
  /** web.1 jumps over its quota for 1-3 ticks now and then: a watchdog should not restart it. */
  spiky: {
    dynos: [{behavior: 'spike', name: 'web.1'}],
    historyTicks: 30,
    name: 'spiky-app',
  },
  /** worker.1 sits in swap at ~1.4x its quota: R14 every tick, never R15. */
  swapping: {
    dynos: [{behavior: 'steady', name: 'web.1'}, {behavior: 'swap', name: 'worker.1', size: 'Standard-2X'}],
    historyTicks: 30,
    name: 'swapping-app',
  },
  /** The app logs lines that imitate metrics and R14/R15: nothing here is over quota. */
  hostile: {
    appLinesPerTick: 2,
    dynos: [{behavior: 'steady', name: 'web.1'}],
    historyTicks: 10,
    mimicLines: true,
    name: 'hostile-app',
    routerLinesPerTick: 1,
  },
} satisfies Record<string, AppScript>

export type ScenarioName = keyof typeof scenarios

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name)
}

export function scenario(name: ScenarioName): AppScript {
  return structuredClone(scenarios[name]) as AppScript
}
