import type {AppScript, DynoScript} from './script.js'

/** A secret every runtime app holds, so tests can prove it reaches no output. */
export const PLANTED_SECRET = 'postgres://app:s3cr3t-planted-pw@db.internal.example:5432/app'
const SECRETS = {DATABASE_URL: PLANTED_SECRET, SECRET_KEY_BASE: 'planted-secret-key-base-0123456789abcdef'}

/** Ready-made apps for tests and the demo. `scenario(name)` hands out a copy that is safe to change. */
export const scenarios = {
  /**
   * web.2 leaks across its 512 MB quota ~20 ticks into the live run (R14, then swap), and the leak
   * comes from its `GET /reports/:id/export` requests (what mem:blame names); worker.1 bloats and stays flat.
   */
  demo: {
    appLinesPerTick: 1,
    dynos: [
      {behavior: 'steady', name: 'web.1'},
      {
        behavior: 'leak', leakMbPerHour: 1200, leakRoute: '/reports/42/export', name: 'web.2',
      },
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
  ...runtimeScenarios(),
} satisfies Record<string, AppScript>

function runtimeApp(name: string, buildpack: string, command: string, dyno: Partial<DynoScript>, configVars: Record<string, string>, extra: Partial<AppScript> = {}): AppScript {
  return {
    buildpacks: [buildpack],
    configVars: {...SECRETS, ...configVars},
    dynos: [{
      behavior: 'steady', command, name: 'web.1', ...dyno,
    }],
    historyTicks: 360,
    name,
    ...extra,
  }
}

/**
 * One app per runtime whose memory shows a configuration problem, and one healthy app per runtime
 * with the same kind of setup that must get no configuration advice. Two hours of history each.
 */
function runtimeScenarios() {
  const puma = 'bundle exec puma -C config/puma.rb'
  return {
    /** Puma with 3 workers of ~210 MB on a 512 MB dyno, MALLOC_ARENA_MAX unset: R14 all day. */
    'ruby-puma': runtimeApp('ruby-puma-app', 'heroku/ruby', puma, {baseMb: 420, behavior: 'bloat', plateauMb: 630}, {RAILS_MAX_THREADS: '5', WEB_CONCURRENCY: '3'}),
    /** The same, but the token may not read config vars: generic advice and a note. */
    'ruby-locked': runtimeApp('ruby-locked-app', 'heroku/ruby', puma, {baseMb: 420, behavior: 'bloat', plateauMb: 630}, {WEB_CONCURRENCY: '3'}, {configVarsForbidden: true}),
    /** An old app without MALLOC_ARENA_MAX, but its memory is fine: no advice to nag with. */
    'ruby-healthy': runtimeApp('ruby-healthy-app', 'heroku/ruby', puma, {baseMb: 260}, {RAILS_MAX_THREADS: '3', WEB_CONCURRENCY: '2'}),
    /** A V8 heap cap of 2 GB on a 512 MB dyno: the heap grows lazily past the quota. */
    'node-heap': runtimeApp('node-heap-app', 'heroku/nodejs', 'node server.js', {baseMb: 380, behavior: 'bloat', plateauMb: 600}, {NODE_OPTIONS: '--max-old-space-size=2048'}),
    'node-healthy': runtimeApp('node-healthy-app', 'heroku/nodejs', 'node server.js', {baseMb: 240}, {NODE_OPTIONS: '--max-old-space-size=256'}),
    /** gunicorn with 4 workers of ~140 MB on a 512 MB dyno. */
    'python-workers': runtimeApp('python-workers-app', 'heroku/python', 'gunicorn shop.wsgi --workers 4', {baseMb: 400, behavior: 'bloat', plateauMb: 560}, {}),
    /** gunicorn workers that leak and are never recycled (no --max-requests). */
    'python-leak': runtimeApp('python-leak-app', 'heroku/python', 'gunicorn shop.wsgi', {baseMb: 220, behavior: 'leak', leakMbPerHour: 60}, {}),
    'python-healthy': runtimeApp('python-healthy-app', 'heroku/python', 'gunicorn shop.wsgi', {baseMb: 230}, {GUNICORN_CMD_ARGS: '--max-requests 1000 --max-requests-jitter 100'}),
    /** -Xmx512m on a 512 MB dyno: heap plus metaspace and threads above the quota. */
    'jvm-xmx': runtimeApp('jvm-xmx-app', 'heroku/java', 'java -Dserver.port=$PORT -jar target/shop.jar', {baseMb: 420, behavior: 'bloat', plateauMb: 600}, {JAVA_OPTS: '-Xmx512m -XX:+UseSerialGC'}),
    'jvm-healthy': runtimeApp('jvm-healthy-app', 'heroku/java', 'java -Dserver.port=$PORT -jar target/shop.jar', {baseMb: 320}, {}),
  }
}

export type ScenarioName = keyof typeof scenarios

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name)
}

export function scenario(name: ScenarioName): AppScript {
  return structuredClone(scenarios[name]) as AppScript
}
