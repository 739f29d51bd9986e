const MODULUS = 2_147_483_647
const MULTIPLIER = 48_271

/** A small seeded PRNG (Park-Miller): the simulator's runs are reproducible for a given seed. */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = (Math.abs(Math.trunc(seed)) % (MODULUS - 1)) + 1
  }

  /** A fresh generator whose sequence depends on this one's, for an independent stream of values. */
  fork(): Random {
    return new Random(this.int(1, MODULUS - 1))
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** Uniform in [0, 1). */
  next(): number {
    // 48271 x (2^31 - 1) stays below 2^53: exact in a double.
    this.state = (this.state * MULTIPLIER) % MODULUS
    return (this.state - 1) / (MODULUS - 1)
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (this.next() * (max - min))
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`
  }

  private hex(digits: number): string {
    return Array.from({length: digits}, () => this.int(0, 15).toString(16)).join('')
  }
}
