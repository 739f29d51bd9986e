/**
 * Does mem:blame name the right route? Many seeded apps from the traffic simulator, whose routes
 * have known memory costs, at realistic noise (diurnal load, a drifting route mix, requests in
 * flight at every sample, unrelated heap steps, a restart, lost router lines, L10 bursts).
 *
 * The thresholds are what the method reaches on these seeds, a little below, so that a change that
 * loses accuracy fails here. The aim (leak first in 9 of 10) is NOT met in general: over 20 seeds
 * (500-519) the leaking route was first in 14; these 10 seeds give 9. docs/blame.md has the figures.
 */
import {expect} from 'chai'

import {BlameAccumulator, buildBlame} from '../../../src/core/blame/blame.js'
import {BLOAT_ROUTE, simulateTraffic, type TrafficScenario} from '../../simulator/request-traffic.js'

const GUILTY = 'GET /reports/:id'
/** About 25 MB an hour on each dyno from this route alone: a leak that reaches the quota within a day. */
const LEAK_MB_PER_REQUEST = 0.1
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

describe('mem:blame accuracy on simulated apps', () => {
  it('ranks the leaking route first in at least 8 of 10 runs, near its true cost', () => {
    const ratios: number[] = []
    let first = 0
    for (const seed of seeds(10, 500)) {
      const result = blame({...NOISE, leak: {mbPerRequest: LEAK_MB_PER_REQUEST, route: GUILTY}, seed})
      const top = result.suspects[0]
      if (top?.route === GUILTY) {
        first++
        ratios.push(top.leak!.mbPer1000 / (LEAK_MB_PER_REQUEST * 1000))
      }
    }

    console.log(`      leak: guilty first ${first}/10; estimate / truth ${ratios.map(ratio => ratio.toFixed(2)).join(' ')}`)
    expect(first).to.be.at.least(8)
    for (const ratio of ratios) expect(ratio).to.be.within(0.4, 1.6)
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
