/**
 * Does mem:blame name the right route? Many seeded apps from the traffic simulator, whose routes
 * have known memory costs, at realistic noise (diurnal load, a drifting route mix, requests in
 * flight at every sample, unrelated heap steps, a restart, lost router lines, L10 bursts).
 *
 * The seeds are bench/blame-accuracy.ts's tuning set; its confirmation set (fresh seeds) gave the
 * same or better (docs/blame.md). Thresholds sit at the aim (guilty first in 9 of 10, no route
 * blamed in 19 of 20) or at the measured level where that is higher, so that a change that loses
 * accuracy fails here.
 */
import {expect} from 'chai'

import {BlameAccumulator, buildBlame} from '../../../src/core/blame/blame.js'
import {BLOAT_ROUTE, simulateTraffic, type TrafficScenario} from '../../simulator/request-traffic.js'

/** About 25 MB an hour on each dyno from this route alone (~4% of requests): a leak that reaches the quota within a day. */
const LEAK = {mbPerRequest: 0.1, route: 'GET /reports/:id'}
/** A route 16th in popularity (~1% of requests) that leaks 1 MB a request. */
const RARE_LEAK = {mbPerRequest: 1, route: 'GET /invoices/:id/pdf'}
/** The realistic noise every run gets. */
const NOISE: Omit<TrafficScenario, 'seed'> = {
  heapStepsPerHour: 0.25, hours: 4, l10BurstsPerHour: 0.5, lostLines: 0.02, requestsPerSecond: 2, restart: true, tied: true,
}

function blame(scenario: TrafficScenario) {
  const accumulator = new BlameAccumulator()
  const traffic = simulateTraffic(scenario)
  for (const event of traffic.events) accumulator.add(event)
  return buildBlame(accumulator, {lostLineWarnings: traffic.l10Bursts})
}

function seeds(count: number, from: number): number[] {
  return Array.from({length: count}, (_, index) => from + index)
}

/** How often the leaking route is first, and its estimate over the truth each time. */
function leakRuns(leak: typeof LEAK, runSeeds: number[]): {first: number; ratios: number[]} {
  const ratios: number[] = []
  let first = 0
  for (const seed of runSeeds) {
    const top = blame({...NOISE, leak, seed}).suspects[0]
    if (top?.route !== leak.route) continue
    first++
    ratios.push(top.leak!.mbPer1000 / (leak.mbPerRequest * 1000))
  }

  return {first, ratios}
}

describe('mem:blame accuracy on simulated apps', function () {
  this.timeout(120_000)

  it('ranks the leaking route first in at least 18 of 20 runs, within 30% of its true cost', () => {
    const {first, ratios} = leakRuns(LEAK, seeds(20, 500))
    console.log(`      leak: guilty first ${first}/20; estimate / truth ${ratios.map(ratio => ratio.toFixed(2)).join(' ')}`)
    expect(first).to.be.at.least(18)
    for (const ratio of ratios) expect(ratio).to.be.within(0.7, 1.3)
  })

  it('finds a leak on a rare route (1% of requests) in at least 9 of 10 runs', () => {
    const {first, ratios} = leakRuns(RARE_LEAK, seeds(10, 580))
    console.log(`      rare leak: guilty first ${first}/10; estimate / truth ${ratios.map(ratio => ratio.toFixed(2)).join(' ')}`)
    expect(first).to.be.at.least(9)
    for (const ratio of ratios) expect(ratio).to.be.within(0.7, 1.3)
  })

  it('blames no route in at least 19 of 20 runs where none is guilty', () => {
    const blamed: string[] = []
    for (const seed of seeds(20, 620)) {
      const result = blame({...NOISE, seed})
      if (result.suspects.length > 0) blamed.push(`${seed}: ${result.suspects.map(suspect => suspect.route).join(', ')}`)
    }

    console.log(`      null: a route blamed in ${blamed.length}/20 runs ${blamed.join('; ')}`)
    expect(blamed.length).to.be.at.most(1)
  })

  it('with many requests in flight at once, blames a route in at most 3 of 20 runs where none is guilty (the aim, 1, is not met)', () => {
    const blamed: string[] = []
    for (const seed of seeds(20, 650)) {
      const result = blame({...NOISE, seed, slowness: 6})
      if (result.suspects.length > 0) blamed.push(`${seed}: ${result.suspects.map(suspect => suspect.route).join(', ')}`)
    }

    console.log(`      null, slow requests: a route blamed in ${blamed.length}/20 runs ${blamed.join('; ')}`)
    expect(blamed.length).to.be.at.most(3)
  })

  it('ranks the route whose buffer is kept first by its jumps in at least 9 of 10 runs', () => {
    let first = 0
    for (const seed of seeds(10, 800)) {
      const result = blame({...NOISE, bloat: {callsPerHour: 2, kept: true, mb: [30, 80]}, seed})
      if (result.suspects[0]?.route === BLOAT_ROUTE.template && result.suspects[0].jumps) first++
    }

    console.log(`      bloat kept: route first ${first}/10`)
    expect(first).to.be.at.least(9)
  })

  it('does not blame a route whose large buffer is freed when the request ends', () => {
    let blamed = 0
    for (const seed of seeds(5, 900)) {
      const result = blame({...NOISE, bloat: {callsPerHour: 2, kept: false, mb: [30, 80]}, seed})
      if (result.suspects.some(suspect => suspect.route === BLOAT_ROUTE.template)) blamed++
    }

    console.log(`      bloat freed: route blamed ${blamed}/5`)
    expect(blamed).to.equal(0)
  })
})
