import {expect} from 'chai'

import {SeededRandom} from '../../../src/core/blame/seeded-random.js'
import {
  median, OrderStatistics, pairwiseSlopes, upperMedian, windowMedian,
} from '../../../src/core/report/robust-stats.js'

const ascending = (values: Iterable<number>) => [...values].sort((a, b) => a - b)

/** Every array of `length` values drawn from 0..symbols-1, as digits of a counter. */
function allArrays(length: number, symbols: number): number[][] {
  return Array.from({length: symbols ** length}, (_, code) => Array.from({length}, (_, i) => Math.floor(code / (symbols ** i)) % symbols))
}

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

  it('answers every rank of every array of up to 6 values over 3 symbols, ranks asked upward, downward and from the middle out', () => {
    // Exhaustive over small cases: all-equal stretches, a pivot that is the smallest of its
    // stretch (the split of values equal to it), ranks just past an equal run, one-value stretches.
    for (let length = 1; length <= 6; length++) {
      const up = Array.from({length}, (_, k) => k)
      const middleOut = [...up].sort((a, b) => Math.abs(a - ((length - 1) / 2)) - Math.abs(b - ((length - 1) / 2)))
      for (const array of allArrays(length, 3)) {
        const sorted = ascending(array)
        for (const order of [up, [...up].reverse(), middleOut]) {
          const statistics = new OrderStatistics(Float64Array.from(array))
          const answers = order.map(k => statistics.at(k))
          expect(answers, `[${array}] asked ${order}`).to.deep.equal(order.map(k => sorted[k]))
        }
      }
    }
  })

  it('answers all ranks of one array in a random order, each search running between the cuts left by the ones before', () => {
    const random = new SeededRandom(11)
    for (const distinct of [3, 40, 1_000_000]) {
      const n = 500
      const values = Float64Array.from({length: n}, () => random.below(distinct))
      const sorted = ascending(values)
      const statistics = new OrderStatistics(values)
      const ranks = Array.from({length: n}, (_, k) => k)
      for (let i = n - 1; i > 0; i--) {
        const j = random.below(i + 1);
        [ranks[i], ranks[j]] = [ranks[j], ranks[i]]
      }

      for (const k of ranks) expect(statistics.at(k), `${distinct} distinct, k ${k}`).to.equal(sorted[k])
    }
  })

  it('gives a Theil–Sen fit\'s ranks (median pair, then two bounds) of real pairwise slopes, including a series with long flat runs', () => {
    const random = new SeededRandom(3)
    for (let round = 0; round < 40; round++) {
      const n = 20 + random.below(200)
      const xs = Array.from({length: n}, (_, i) => i + (random.below(3) / 4))
      // Every other round quantised to whole MiB: many slopes exactly 0 and other repeats.
      const ys = xs.map(x => 300 + (0.1 * x) + (round % 2 === 0 ? random.below(8) : random.next() * 8))
      const slopes = pairwiseSlopes(xs, ys)
      const sorted = ascending(slopes)
      const count = slopes.length
      const statistics = new OrderStatistics(slopes)
      const reach = random.below(count)
      for (const k of [Math.floor((count - 1) / 2), Math.floor(count / 2), Math.floor((count - reach) / 2), Math.min(count - 1, Math.ceil((count + reach) / 2))]) {
        expect(statistics.at(k), `round ${round}, ${count} slopes, k ${k}`).to.equal(sorted[k])
      }
    }
  })

  it('ends when NaN is among the values (its rank is undefined, but the search must not loop)', () => {
    for (const array of [[Number.NaN], [Number.NaN, Number.NaN, Number.NaN], [2, Number.NaN, 1], [Number.NaN, 1, 1, 1, Number.NaN]]) {
      const statistics = new OrderStatistics(Float64Array.from(array))
      for (let k = 0; k < array.length; k++) statistics.at(k)
    }
  })
})

describe('median and upperMedian', () => {
  it('match the sorted array\'s middle values, with ties and both parities', () => {
    const random = new SeededRandom(5)
    for (let round = 0; round < 300; round++) {
      const n = 1 + random.below(60)
      const distinct = round % 2 === 0 ? 1 + random.below(4) : 1_000_000
      const values = Array.from({length: n}, () => random.below(distinct))
      const sorted = ascending(values)
      const middle = Math.floor(n / 2)
      expect(median(values), `[${values}]`).to.equal(n % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2)
      expect(upperMedian(values), `[${values}]`).to.equal(sorted[middle])
    }
  })
})

describe('windowMedian', () => {
  it('is the median of the slice, clipped to the array, for every window of every short array (ties, fractions)', () => {
    const random = new SeededRandom(11)
    for (let round = 0; round < 200; round++) {
      const n = random.below(9)
      const distinct = round % 2 === 0 ? 1 + random.below(3) : 1_000_000
      const values = Array.from({length: n}, () => random.below(distinct) / 7)
      for (let start = -4; start <= n + 1; start++) {
        for (let end = start - 1; end <= n + 4; end++) {
          const expected = median(values.slice(Math.max(0, start), Math.max(0, end)))
          const got = windowMedian(values, start, end)
          if (Number.isNaN(expected)) expect(got, `[${values}] ${start}..${end}`).to.be.NaN
          else expect(got, `[${values}] ${start}..${end}`).to.equal(expected)
        }
      }
    }
  })
})
