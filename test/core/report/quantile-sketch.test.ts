import {expect} from 'chai'

import {QuantileSketch} from '../../../src/core/report/quantile-sketch.js'
import {median} from '../../../src/core/report/robust-stats.js'
import {Random} from '../../simulator/random.js'

describe('QuantileSketch', () => {
  it('gives p50 and p95 within 0.5% of the exact values, min/max/mean exactly', () => {
    const random = new Random(3)
    const sketch = new QuantileSketch()
    const values: number[] = []
    for (let i = 0; i < 50_000; i++) {
      // Mostly 200-400 MB, a long tail to 2 GB, some zeros (swap).
      const value = i % 50 === 0 ? 0 : (random.next() < 0.95 ? random.range(200, 400) : random.range(400, 2048))
      values.push(value)
      sketch.add(value)
    }

    const sorted = [...values].sort((a, b) => a - b)
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))]
      expect(sketch.quantile(q), `q=${q}`).to.be.closeTo(exact, exact * 0.006)
    }

    expect(sketch.quantile(0)).to.equal(0)
    expect(sketch.min).to.equal(0)
    expect(sketch.max).to.equal(sorted.at(-1))
    expect(sketch.mean).to.be.closeTo(values.reduce((sum, value) => sum + value, 0) / values.length, 1e-6)
    expect(sketch.bucketCount).to.be.below(400)
  })

  it('answers NaN when empty', () => {
    expect(sketch().quantile(0.5)).to.be.NaN
  })
})

describe('median', () => {
  it('matches sorting on random arrays with duplicates, odd and even lengths', () => {
    const random = new Random(5)
    for (let trial = 0; trial < 500; trial++) {
      const values = Array.from({length: random.int(1, 40)}, () => random.int(0, 9))
      const sorted = [...values].sort((a, b) => a - b)
      const middle = Math.floor(sorted.length / 2)
      const expected = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
      expect(median(values), values.join(',')).to.equal(expected)
    }
  })
})

function sketch(): QuantileSketch {
  return new QuantileSketch()
}

describe('QuantileSketch.merge', () => {
  it('gives the same quantiles as one sketch fed everything', () => {
    const random = new Random(9)
    const whole = new QuantileSketch()
    const parts = [new QuantileSketch(), new QuantileSketch(), new QuantileSketch()]
    for (let i = 0; i < 9000; i++) {
      const value = random.range(10, 4000) * (i % 3 === 0 ? 0.01 : 1)
      whole.add(value)
      parts[i % 3].add(value)
    }

    const merged = new QuantileSketch()
    for (const part of parts) merged.merge(part)
    for (const q of [0, 0.1, 0.5, 0.95, 1]) expect(merged.quantile(q)).to.equal(whole.quantile(q))
    expect(merged.size).to.equal(9000)
    expect(merged.mean).to.be.closeTo(whole.mean, 1e-9)
  })
})
