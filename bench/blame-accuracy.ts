/**
 * How often mem:blame names the guilty route, over many seeded apps from the traffic simulator
 * (test/simulator/request-traffic.ts), per scenario: guilty route first in N/M runs, estimated
 * MB per request against the truth, and a route blamed where none is guilty.
 *
 *   node --import tsx bench/blame-accuracy.ts [scenario ...] [--seeds FROM-TO] [--set tuning|confirmation]
 *
 * Two seed sets: `tuning` (the seeds the method was developed on) and `confirmation` (fresh seeds,
 * looked at only to confirm: a method tuned to its seeds does worse there). Figures in docs/blame.md.
 */
import {BlameAccumulator, buildBlame} from '../src/core/blame/blame.js'
import {BLOAT_ROUTE, simulateTraffic, type TrafficScenario} from '../test/simulator/request-traffic.js'

/** The realistic noise every scenario gets (the accuracy test's). */
const NOISE: Omit<TrafficScenario, 'seed'> = {
  heapStepsPerHour: 0.25, hours: 4, l10BurstsPerHour: 0.5, lostLines: 0.02, requestsPerSecond: 2, restart: true, tied: true,
}
const REPORTS = 'GET /reports/:id'
const INVOICES = 'GET /invoices/:id/pdf'

interface Scenario {
  /** A second guilty route (a kept bloat next to the leak): it costs more, so the leak is not first; both must be named. */
  alsoGuilty?: string
  /** The guilty route, and its true cost per request (MiB); none for a null scenario. */
  guilty?: {mbPerRequest?: number; route: string}
  scenario: Omit<TrafficScenario, 'seed'>
  /** First seed of each set (count per set: `runs`). */
  seeds: {confirmation: number; tuning: number}
  runs: number
}

const scenarios: Record<string, Scenario> = {
  leak: {
    guilty: {mbPerRequest: 0.1, route: REPORTS}, runs: 20, scenario: {...NOISE, leak: {mbPerRequest: 0.1, route: REPORTS}}, seeds: {confirmation: 1500, tuning: 500},
  },
  'leak-small': {
    guilty: {mbPerRequest: 0.05, route: REPORTS}, runs: 20, scenario: {...NOISE, leak: {mbPerRequest: 0.05, route: REPORTS}}, seeds: {confirmation: 1700, tuning: 700},
  },
  'leak-threads': {
    guilty: {mbPerRequest: 0.1, route: REPORTS}, runs: 20, scenario: {...NOISE, leak: {mbPerRequest: 0.1, route: REPORTS}, slowness: 6}, seeds: {confirmation: 1550, tuning: 550},
  },
  'leak-rare': {
    guilty: {mbPerRequest: 1, route: INVOICES}, runs: 20, scenario: {...NOISE, leak: {mbPerRequest: 1, route: INVOICES}}, seeds: {confirmation: 1580, tuning: 580},
  },
  'leak-lossy': {
    guilty: {mbPerRequest: 0.1, route: REPORTS}, runs: 20, scenario: {
      ...NOISE, l10BurstsPerHour: 2, leak: {mbPerRequest: 0.1, route: REPORTS}, lostLines: 0.1,
    }, seeds: {confirmation: 1520, tuning: 520},
  },
  'leak+bloat': {
    alsoGuilty: BLOAT_ROUTE.template,
    guilty: {mbPerRequest: 0.1, route: REPORTS}, runs: 20, scenario: {...NOISE, bloat: {callsPerHour: 2, kept: true, mb: [30, 80]}, leak: {mbPerRequest: 0.1, route: REPORTS}}, seeds: {confirmation: 1540, tuning: 540},
  },
  null: {runs: 40, scenario: NOISE, seeds: {confirmation: 1600, tuning: 600}},
  'null-threads': {runs: 20, scenario: {...NOISE, slowness: 6}, seeds: {confirmation: 1650, tuning: 650}},
  'bloat-kept': {
    guilty: {route: BLOAT_ROUTE.template}, runs: 10, scenario: {...NOISE, bloat: {callsPerHour: 2, kept: true, mb: [30, 80]}}, seeds: {confirmation: 1800, tuning: 800},
  },
  'bloat-freed': {runs: 10, scenario: {...NOISE, bloat: {callsPerHour: 2, kept: false, mb: [30, 80]}}, seeds: {confirmation: 1900, tuning: 900}},
}

const args = process.argv.slice(2)
const set = (args.includes('--set') ? args[args.indexOf('--set') + 1] : 'tuning') as 'confirmation' | 'tuning'
const range = args.includes('--seeds') ? args[args.indexOf('--seeds') + 1].split('-').map(Number) : undefined
const names = args.filter((arg, index) => !arg.startsWith('--') && !['--seeds', '--set'].includes(args[index - 1]))

for (const name of names.length > 0 ? names : Object.keys(scenarios)) {
  const {alsoGuilty, guilty, runs, scenario, seeds} = scenarios[name]
  const from = range?.[0] ?? seeds[set]
  const to = range?.[1] ?? from + runs - 1
  let first = 0
  let blamed = 0
  let both = 0
  const ratios: number[] = []
  const misses: string[] = []
  for (let seed = from; seed <= to; seed++) {
    const traffic = simulateTraffic({...scenario, seed})
    const accumulator = new BlameAccumulator()
    for (const event of traffic.events) accumulator.add(event)
    const result = buildBlame(accumulator, {lostLineWarnings: traffic.l10Bursts})
    const top = alsoGuilty ? result.suspects.find(suspect => suspect.route === guilty?.route) : result.suspects[0]
    if (result.suspects.length > 0) blamed++
    if (alsoGuilty && top && result.suspects.some(suspect => suspect.route === alsoGuilty)) both++
    if (guilty && top?.route === guilty.route) {
      first++
      if (guilty.mbPerRequest && top.leak) ratios.push(top.leak.mbPer1000 / (guilty.mbPerRequest * 1000))
    } else if (guilty || top) {
      misses.push(`${seed}:${top ? top.route : '-'}`)
    }
  }

  const total = to - from + 1
  const sorted = ratios.sort((x, y) => x - y)
  const spread = sorted.length > 0 ? ` estimate/truth ${sorted[0].toFixed(2)}-${sorted.at(-1)!.toFixed(2)} median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}` : ''
  const found = alsoGuilty ? `both named ${both}/${total}, leak named ${first}/${total}` : `guilty first ${first}/${total}`
  const outcome = guilty ? `${found}${spread}` : `a route blamed ${blamed}/${total}`
  console.log(`${name.padEnd(13)} [${from}-${to}] ${outcome}${misses.length > 0 ? `  misses ${misses.join(' ')}` : ''}`)
}
