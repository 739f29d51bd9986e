import {expect} from 'chai'

import {SeededRandom} from '../../../src/core/blame/seeded-random.js'

const MODULUS = 2_147_483_647

/** Park-Miller as first written, with `%` on the double product: the sequence every seed must keep. */
function reference(seed: number): () => number {
  let state = (Math.abs(Math.trunc(seed)) % (MODULUS - 1)) + 1
  return () => {
    state = (state * 48_271) % MODULUS
    return (state - 1) / (MODULUS - 1)
  }
}

describe('SeededRandom', () => {
  it('draws the same sequence as Park-Miller with `%`, from every kind of seed (the largest state too)', () => {
    for (const seed of [1, 2, 7, 123_456_789, MODULUS - 2, -5]) {
      const random = new SeededRandom(seed)
      const expected = reference(seed)
      let mismatches = 0
      for (let draw = 0; draw < 200_000; draw++) if (random.next() !== expected()) mismatches++
      expect(mismatches, `seed ${seed}`).to.equal(0)
    }
  })
})
