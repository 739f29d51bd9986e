import {SeededRandom} from '../../src/core/blame/seeded-random.js'

/** The core's seeded generator (Park-Miller) with what the simulator draws: its runs are reproducible for a given seed. */
export class Random extends SeededRandom {
  /** A fresh generator whose sequence depends on this one's, for an independent stream of values. */
  fork(): Random {
    return new Random(this.int(1, 2_147_483_646))
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
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
