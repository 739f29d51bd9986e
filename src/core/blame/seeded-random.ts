const MODULUS = 2_147_483_647
const MULTIPLIER = 48_271
const TWO_TO_31 = 2_147_483_648

/**
 * A small seeded generator (Park-Miller) for the permutation test and the bootstrap: the same log
 * gives the same p-values and intervals on every run, and the core stays free of global state.
 */
export class SeededRandom {
  private state: number

  constructor(seed: number) {
    this.state = (Math.abs(Math.trunc(seed)) % (MODULUS - 1)) + 1
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Uniform in [0, 1). */
  next(): number {
    // 48271 x (2^31 - 1) stays below 2^53: exact in a double. Its remainder without `%`, which on
    // a double is a library call (most of the bootstrap's time on a long log): as 2^31 is 1
    // modulo 2^31 - 1, x = high 2^31 + low leaves high + low, less the modulus once if over it.
    const product = this.state * MULTIPLIER
    const high = Math.floor(product / TWO_TO_31)
    const folded = high + (product - (high * TWO_TO_31))
    this.state = folded >= MODULUS ? folded - MODULUS : folded
    return (this.state - 1) / (MODULUS - 1)
  }
}
