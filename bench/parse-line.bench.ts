/**
 * LogParser throughput: `node --import tsx bench/parse-line.bench.ts`.
 * Prints lines per CPU second for each kind of line alone and for a mix like a busy app's log
 * (about 80% router and app lines, 20% platform lines).
 */
import {LogParser} from '../src/core/parse/index.js'

const INSTANCE = 'heroku.2808254.d97d0ea7-cf3d-411b-b453-d2943a50b456'

function stamp(index: number): string {
  return new Date(Date.UTC(2026, 10, 20) + (index * 37)).toISOString().replace('Z', '123+00:00')
}

const MEMORY = [
  'sample#memory_total=491.32MB',
  'sample#memory_rss=491.20MB',
  'sample#memory_cache=0.12MB',
  'sample#memory_swap=0.00MB',
  'sample#memory_pgpgin=176221pages',
  'sample#memory_pgpgout=50442pages',
  'sample#memory_quota=512.00MB',
].join(' ')
const LOAD = 'sample#load_avg_1m=2.46 sample#load_avg_5m=1.06 sample#load_avg_15m=0.99'
const ROUTER = 'at=info method=GET path="/api/v1/items" host=myapp.herokuapp.com request_id=2f7a1c8e fwd="203.0.113.9" dyno=web.1 connect=0ms service=31ms status=200 bytes=1423 protocol=https'
const PLATFORM = ['Error R14 (Memory quota exceeded)', 'Process running mem=1013M(197.9%)', 'State changed from up to starting']

const KINDS: Record<string, (index: number) => string> = {
  app: index => `${stamp(index)} app[web.${index % 30}]: I, [2026-11-20T10:12:00.1 #4]  INFO -- : Completed 200 OK in ${index % 97}ms`,
  load: index => `${stamp(index)} heroku[web.${index % 30}]: source=web.${index % 30} dyno=${INSTANCE} ${LOAD}`,
  memory: index => `${stamp(index)} heroku[web.${index % 30}]: source=web.${index % 30} dyno=${INSTANCE} ${MEMORY}`,
  platform: index => `${stamp(index)} heroku[worker.${index % 16}]: ${PLATFORM[index % 3]}`,
  router: index => `${stamp(index)} heroku[router]: ${ROUTER}`,
  syslog: index => `300 <134>1 ${stamp(index)} host heroku web.${index % 30} - source=web.${index % 30} dyno=${INSTANCE} ${MEMORY}`,
}

/** Share of each kind in the mix, out of 100. */
const MIX: Array<[string, number]> = [['router', 45], ['app', 35], ['memory', 8], ['load', 8], ['platform', 4]]
const LINES = 200_000
const ROUNDS = 5

function linesOf(kinds: Array<[string, number]>): string[] {
  const lines: string[] = []
  for (let index = 0; lines.length < LINES; index++) {
    for (const [kind, share] of kinds) {
      // Lines read from a file are flat strings; a template literal's result may be a rope.
      for (let copy = 0; copy < share && lines.length < LINES; copy++) lines.push(Buffer.from(KINDS[kind]((index * 100) + copy)).toString())
    }
  }

  return lines
}

/**
 * Best of ROUNDS, after one warm-up round, so JIT warm-up and GC pauses count less. Timed in CPU
 * time (user + system) so that other processes on a busy machine do not skew the figure.
 */
function linesPerSecond(lines: string[]): {events: number; perSecond: number} {
  let best = Infinity
  let events = 0
  for (let round = 0; round <= ROUNDS; round++) {
    const parser = new LogParser({defaultYear: 2026})
    events = 0
    const started = process.cpuUsage()
    for (const line of lines) if (parser.parse(line)) events++
    const used = process.cpuUsage(started)
    const seconds = (used.user + used.system) / 1e6
    if (round > 0) best = Math.min(best, seconds)
  }

  return {events, perSecond: lines.length / best}
}

const format = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0})
const cases: Array<[string, string[]]> = [
  ...Object.keys(KINDS).map((kind): [string, string[]] => [kind, linesOf([[kind, 1]])]),
  ['mix', linesOf(MIX)],
]
for (const [name, lines] of cases) {
  const {events, perSecond} = linesPerSecond(lines)
  console.log(`${name.padEnd(9)} ${format.format(perSecond).padStart(12)} lines/CPU-s  (${format.format(events)} events of ${format.format(lines.length)} lines)`)
}
