/**
 * `npm run bench`: how fast `mem:report --file` reads a big saved log, against what a user would
 * run instead, in the same run: the awk one-liner printing each dyno's highest `memory_total`
 * (target: at most its time, peak RSS under 150 MB; the two run in turn and the ratio is taken
 * pair by pair) and `grep -F -c`; plus baselines; then every other `bench/*.bench.ts`.
 *
 * BENCH_SIZE_MB (default 1024) sets the generated file's size (the slow line-by-line baselines
 * read its first 128 MB, times scaled); BENCH_RUNS (default 3) how often the timed runs repeat
 * (the fastest counts: other processes only ever add time).
 * The file is generated once into .bench/ (git-ignored) and reused.
 */
import {spawnSync} from 'node:child_process'
import {
  existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync,
} from 'node:fs'
import {cpus} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {type GeneratedLogStats, generateLog} from './generate-log.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const sizeMb = Number(process.env.BENCH_SIZE_MB ?? 1024)
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3))
const TIME = '/usr/bin/time'
const hasTime = existsSync(TIME)
const BASELINE_MB = 128
/** The awk one-liner: each dyno's highest memory_total (mawk when installed: the fastest awk). */
const AWK = existsSync('/usr/bin/mawk') ? 'mawk' : 'awk'
const AWK_PROGRAM = 'NF>1{split($1,a,"source=");split(a[2],b," ");v=$2+0;if(v>m[b[1]])m[b[1]]=v}END{for(d in m)print d,m[d]}'

interface Timing {
  cpuMs: number
  maxRssMb?: number
  wallMs: number
}

function logFile(sizeMb: number): {path: string; stats: GeneratedLogStats} {
  const dir = join(root, '.bench')
  mkdirSync(dir, {recursive: true})
  const path = join(dir, `heroku-${sizeMb}mb.log`)
  const statsPath = `${path}.json`
  if (existsSync(path) && existsSync(statsPath)) return {path, stats: JSON.parse(readFileSync(statsPath, 'utf8'))}
  console.log(`generating ${path} (${sizeMb} MB, once)...`)
  const stats = generateLog(path, sizeMb * 1024 * 1024)
  writeFileSync(statsPath, JSON.stringify(stats))
  return {path, stats}
}

/** A command's wall, CPU and peak RSS, from /usr/bin/time when present (else wall time only). */
function timeCommand(command: string, args: string[]): Timing & {stdout: string} {
  const start = performance.now()
  const child = hasTime
    ? spawnSync(TIME, ['-f', 'bench-time %e %U %S %M', command, ...args], {cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
    : spawnSync(command, args, {cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  const wallMs = performance.now() - start
  if (child.status !== 0 && !(command === 'grep' && child.status === 1)) {
    throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr.slice(-2000)}`)
  }

  const line = child.stderr.split('\n').find(text => text.startsWith('bench-time '))
  if (!line) return {cpuMs: Number.NaN, stdout: child.stdout, wallMs}
  const [elapsed, user, system, rssKb] = line.split(' ').slice(1).map(Number)
  return {
    cpuMs: (user + system) * 1000, maxRssMb: rssKb / 1024, stdout: child.stdout, wallMs: elapsed * 1000,
  }
}

/** One bench/measure.ts mode in a child: the reading only, without node and tsx startup. */
function measure(mode: string, file: string): Timing & {result: unknown} {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/measure.ts'), mode, file], {cwd: root, encoding: 'utf8'})
  if (child.status !== 0) throw new Error(`measure ${mode} failed: ${child.stderr.slice(-2000)}`)
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!)
}

function fastest<T extends Timing>(count: number, run: () => T): T {
  let best: T | undefined
  for (let i = 0; i < count; i++) {
    const timing = run()
    if (!best || timing.wallMs < best.wallMs) best = timing
  }

  return best!
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`
const row = (label: string, timing: Timing, grep: Timing, note = ''): void => {
  const rss = timing.maxRssMb === undefined ? '' : `  peak RSS ${timing.maxRssMb.toFixed(0)} MB`
  console.log([
    `${label.padEnd(44)} wall ${seconds(timing.wallMs).padStart(8)} (${ratio(timing.wallMs, grep.wallMs).padStart(5)})`,
    `  cpu ${seconds(timing.cpuMs).padStart(8)} (${ratio(timing.cpuMs, grep.cpuMs).padStart(5)})${rss}${note}`,
  ].join(''))
}

const {path, stats} = logFile(sizeMb)
const lines = stats.lines.toLocaleString('en-US')
console.log(`file: ${path}\n      ${(stats.bytes / 1024 / 1024).toFixed(0)} MB, ${lines} lines, ${stats.memorySamples.toLocaleString('en-US')} memory samples`)
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; fastest of ${runs} runs; (x) = multiple of grep\n`)

// Warm the page cache so that every reader below reads from memory, as grep does.
spawnSync('cat', [path], {stdio: 'ignore'})
const grep = fastest(runs, () => timeCommand('grep', ['-F', '-c', 'sample#memory_total', path]))
row('grep -F -c sample#memory_total', grep, grep, `  (${grep.stdout.trim()} lines)`)

const command = join(root, 'dist/commands/mem/report.js')
if (existsSync(command)) {
  // In turn, report then awk, so that both see the same machine; the ratio is the median of the pairs'.
  const pairs: Array<{awk: Timing; report: Timing}> = []
  for (let i = 0; i < runs; i++) {
    const report = timeCommand(process.execPath, [join(root, 'bin/run.js'), 'mem:report', '--file', path, '--json'])
    const awk = timeCommand(AWK, ['-F', 'sample#memory_total=', AWK_PROGRAM, path])
    pairs.push({awk, report})
  }

  const best = (pick: (pair: (typeof pairs)[number]) => Timing): Timing => pairs.map(pair => pick(pair)).sort((a, b) => a.wallMs - b.wallMs)[0]
  const middle = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]
  row(`${AWK} one-liner: max memory_total per dyno`, best(pair => pair.awk), grep, `  (${AWK} -F sample#memory_total= '${AWK_PROGRAM.slice(0, 24)}...')`)
  row('node bin/run.js mem:report --file F --json', best(pair => pair.report), grep, '  (whole command: startup, reading, report)')
  const wall = middle(pairs.map(pair => pair.report.wallMs / pair.awk.wallMs))
  const cpu = middle(pairs.map(pair => pair.report.cpuMs / pair.awk.cpuMs))
  console.log(`${'  mem:report / awk one-liner, run in turn'.padEnd(44)} wall ${wall.toFixed(2)}x  cpu ${cpu.toFixed(2)}x  (median of ${runs} pairs; target: wall at most 1x)`)
} else {
  console.log('mem:report is not built (npm run build): timing readLogFiles in-process instead')
}

row('readLogFiles, memory + events (in-process)', fastest(runs, () => measure('read-log-files', path)), grep, '  (file read by a worker thread)')
row('  the same, one thread', fastest(runs, () => measure('read-log-files-one-thread', path)), grep)
row('readLogFiles, all kinds, lines counted', fastest(runs, () => measure('read-log-files-all', path)), grep)
row('  of which needle search (lines found)', fastest(runs, () => measure('prefilter', path)), grep)
row('read the bytes only (128 KiB chunks)', fastest(runs, () => measure('read-bytes', path)), grep)
// The line-by-line baselines are slow (logfmt: minutes a GB): they read a prefix of the same
// log and their times are scaled to the full size.
const prefix = sizeMb > BASELINE_MB ? logFile(BASELINE_MB) : {path, stats}
const scale = stats.bytes / prefix.stats.bytes
const scaled = (timing: Timing): Timing => ({...timing, cpuMs: timing.cpuMs * scale, wallMs: timing.wallMs * scale})
const note = scale > 1 ? `  (first ${BASELINE_MB} MB, times x${scale.toFixed(1)})` : ''
row('readline, every line, no parsing', scaled(measure('readline', prefix.path)), grep, note)
row('readline + LogParser on every line', scaled(measure('readline-parse', prefix.path)), grep, note)
row('readline + npm logfmt on every line', scaled(measure('readline-logfmt', prefix.path)), grep, note)

const others = readdirSync(join(root, 'bench')).filter(name => name.endsWith('.bench.ts')).sort()
for (const name of others) {
  console.log(`\n== bench/${name}`)
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', name)], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  process.stdout.write(child.stdout)
  if (child.status !== 0) console.log(`(exited with ${child.status}) ${child.stderr.slice(-2000)}`)
}
