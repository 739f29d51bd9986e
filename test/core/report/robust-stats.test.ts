import {expect} from 'chai'

import {SeededRandom} from '../../../src/core/blame/seeded-random.js'
import {OrderStatistics} from '../../../src/core/report/robust-stats.js'

describe('OrderStatistics', () => {
  it('gives the sorted array\'s value for every rank asked, in any order, with ties and repeats', () => {
    const random = new SeededRandom(7)
    for (let round = 0; round < 300; round++) {
      const n = 1 + random.below(400)
      // Few distinct values in some rounds (ties, as slopes of a quantised series have), many in others.
      const distinct = round % 3 === 0 ? 1 + random.below(5) : 1_000_000
      const values = Float64Array.from({length: n}, () => random.below(distinct) - (distinct / 2))
      const sorted = [...values].sort((a, b) => a - b)
      const statistics = new OrderStatistics(values)
      for (let ask = 0; ask < 6; ask++) {
        const k = random.below(n)
        expect(statistics.at(k), `round ${round}, n ${n}, k ${k}`).to.equal(sorted[k])
      }

      expect([...values].sort((a, b) => a - b)).to.deep.equal(sorted)
    }
  })
})
