/**
 * LogParser throughput: `node --import tsx bench/parse-line.bench.ts`.
 * Prints lines per CPU second for each kind of line alone and for a mix like a busy app's log
 * (about 80% router and app lines, 20% platform lines).
 */
import {LogParser, type LogParserOptions} from '../src/core/parse/index.js'
import {INSTANCE, LOAD_MESSAGE, MEMORY_MESSAGE} from '../test/fixtures/log-lines.js'

function stamp(index: number): string {
  return new Date(Date.UTC(2026, 10, 20) + (index * 37)).toISOString().replace('Z', '123+00:00')
}

/** The metrics of the test fixtures' lines, after their `source=web.1 dyno=...` (each line here names its own dyno). */
const metricsOf = (message: string): string => message.slice(message.indexOf(' sample#') + 1)
const MEMORY = metricsOf(MEMORY_MESSAGE)
const LOAD = metricsOf(LOAD_MESSAGE)
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
function linesPerSecond(lines: string[], options: LogParserOptions): {events: number; perSecond: number} {
  let best = Infinity
  let events = 0
  for (let round = 0; round <= ROUNDS; round++) {
    const parser = new LogParser({defaultYear: 2026, ...options})
    events = 0
    const started = process.cpuUsage()
    for (const line of lines) if (parser.parse(line)) events++
    const used = process.cpuUsage(started)
    const seconds = (used.user + used.system) / 1e6
    if (round > 0) best = Math.min(best, seconds)
  }

  return {events, perSecond: lines.length / best}
}

/** The same lines as a saved log's bytes, through `parseAllBytes` (how file readers call the parser). */
function bytesPerSecond(lines: string[]): {events: number; perSecond: number} {
  const bytes = Buffer.from(lines.join('\n'))
  const bounds: number[] = []
  let start = 0
  while (start < bytes.length) {
    const newline = bytes.indexOf(10, start)
    const end = newline === -1 ? bytes.length : newline
    bounds.push(start, end)
    start = end + 1
  }

  let best = Infinity
  let events = 0
  const count = (): void => {
    events++
  }

  for (let round = 0; round <= ROUNDS; round++) {
    const parser = new LogParser({defaultYear: 2026})
    events = 0
    const started = process.cpuUsage()
    for (let i = 0; i < bounds.length; i += 2) parser.parseAllBytes(bytes, bounds[i], bounds[i + 1], count)
    const used = process.cpuUsage(started)
    if (round > 0) best = Math.min(best, (used.user + used.system) / 1e6)
  }

  return {events, perSecond: lines.length / best}
}

const format = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0})
let requests = 0
/** Router requests are read only for a caller that asks (mem:blame): `router+` and `mix+` ask, the rest do not. */
const askRouter: LogParserOptions = {
  onRouterRequest() {
    requests++
  },
}
const cases: Array<[string, string[], LogParserOptions]> = [
  ...Object.keys(KINDS).map((kind): [string, string[], LogParserOptions] => [kind, linesOf([[kind, 1]]), {}]),
  ['router+', linesOf([['router', 1]]), askRouter],
  ['mix', linesOf(MIX), {}],
  ['mix+', linesOf(MIX), askRouter],
]
for (const [name, lines, options] of cases) {
  requests = 0
  const {events, perSecond} = linesPerSecond(lines, options)
  const asked = options.onRouterRequest ? `, ${format.format(requests / (ROUNDS + 1))} router requests` : ''
  console.log(`${name.padEnd(9)} ${format.format(perSecond).padStart(12)} lines/CPU-s  (${format.format(events)} events${asked} of ${format.format(lines.length)} lines)`)
}

// Saved logs are read from their bytes: the usual memory line without decoding it (the file
// reader's prefilter hands the parser nothing else in bulk, so other kinds are not measured so).
const fromBytes = bytesPerSecond(linesOf([['memory', 1]]))
console.log(`${'memory/b'.padEnd(9)} ${format.format(fromBytes.perSecond).padStart(12)} lines/CPU-s  (${format.format(fromBytes.events)} events, parseAllBytes)`)
