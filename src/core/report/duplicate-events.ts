import type {LogEvent} from '../events.js'

const HOUR_MS = 3_600_000
/**
 * Event keys remembered at most (about 50 bytes each: ~50 MB). A 300 MB saved log holds ~140k
 * events, so a million covers several GB of logs; past it the oldest hours are forgotten and
 * their repeats would count again.
 */
const MAX_KEYS = 1_000_000

/**
 * Notices an event seen before: the same saved log passed twice, or drain archives that
 * overlap, would otherwise count every sample and R14 in the overlap twice. An event is the
 * same when everything the report uses from it is: time (to the microsecond, as logged), dyno,
 * instance and values. Keys are 53-bit hashes kept per hour of event time, so a repeat is looked
 * up in the hour it belongs to, however much later it arrives.
 */
export class DuplicateEvents {
  /** Repeats seen (and dropped). */
  count = 0
  private readonly hours = new Map<number, KeySet>()
  private keys = 0
  /** The hour of the previous event and its keys: the next event is nearly always in the same hour. */
  private lastHour = Number.NaN
  private lastKeys: KeySet | undefined

  constructor(private readonly maxKeys = MAX_KEYS) {}

  /** True when this exact event was seen before; remembers it otherwise. */
  isRepeat(event: LogEvent): boolean {
    const key = keyOf(event)
    const hour = Math.floor(event.time / HOUR_MS)
    let seen = hour === this.lastHour ? this.lastKeys : this.hours.get(hour)
    if (seen === undefined) {
      // An hour holds about as many events as the one before: sized for them, it is not grown (and
      // rehashed) nine times over as it fills (40 ms of reading a 1 GB log).
      seen = new KeySet(this.lastKeys?.size ?? 0)
      this.hours.set(hour, seen)
    }

    this.lastHour = hour
    this.lastKeys = seen

    if (!seen.add(key)) {
      this.count++
      return true
    }

    if (++this.keys > this.maxKeys) this.forgetOldestHour()
    return false
  }

  private forgetOldestHour(): void {
    let oldest = Number.POSITIVE_INFINITY
    for (const hour of this.hours.keys()) if (hour < oldest) oldest = hour
    this.keys -= this.hours.get(oldest)!.size
    this.hours.delete(oldest)
    if (oldest === this.lastHour) this.lastHour = Number.NaN
  }
}

/**
 * Slots of an hour's first table: a month of stored history is 720 hours of a few hundred points
 * each, and 32 KB an hour (this was 4096 slots) took 23 MB of a 150 MB report.
 */
const MIN_SLOTS = 256

/**
 * A set of 53-bit integer keys in one Float64Array (open addressing, linear probing): a JS Set
 * of such numbers allocates a heap number per key, which measured 5% of reading a 300 MB log.
 */
class KeySet {
  size = 0
  private table: Float64Array

  /** Room for `expected` keys without growing. */
  constructor(expected: number) {
    let slots = MIN_SLOTS
    while (slots < expected * 2.5) slots *= 2
    this.table = new Float64Array(slots)
  }

  /** Adds the key; false when it was there already. */
  add(key: number): boolean {
    // 0 marks an empty slot.
    const stored = key === 0 ? 1 : key
    const mask = this.table.length - 1
    // eslint-disable-next-line no-bitwise -- a slot index from the key's high word (a float modulo measured slow)
    let slot = (stored / 0x20_00_00) & mask
    while (this.table[slot] !== 0) {
      if (this.table[slot] === stored) return false
      // eslint-disable-next-line no-bitwise
      slot = (slot + 1) & mask
    }

    this.table[slot] = stored
    if (++this.size * 2 > this.table.length) this.grow()
    return true
  }

  private grow(): void {
    const old = this.table
    this.table = new Float64Array(old.length * 2)
    this.size = 0
    // An index loop: iterating a typed array measured several times slower here.
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.add(old[i])
  }
}

/**
 * An event's 53-bit key. Samples, readings and R14/R15 (nearly every event) are hashed from the
 * dyno name and their numbers without building a string (JSON.stringify measured 10% of reading
 * a 300 MB log). A sample's instance id is left out: two instances of a dyno never log the same
 * microsecond with the same page counters.
 */
function keyOf(event: LogEvent): number {
  if (event.kind !== 'memory' && event.kind !== 'reading' && event.kind !== 'error') return HASH.text(JSON.stringify(event))
  HASH.reset()
  const {dyno} = event
  for (let i = 0; i < dyno.length; i++) HASH.char(dyno.charCodeAt(i))
  HASH.char(event.kind.charCodeAt(0))
  HASH.number(event.time)
  switch (event.kind) {
  case 'memory': {
    HASH.number(event.rss)
    HASH.number(event.swap)
    HASH.number(event.cache)
    HASH.number(event.total)
    HASH.number(event.quota ?? -1)
    HASH.number(event.pgpgin ?? -1)
    HASH.number(event.pgpgout ?? -1)
    break
  }

  case 'reading': {
    HASH.number(event.mem)
    HASH.number(event.percent ?? -1)
    break
  }

  default: {
    HASH.char(event.code.charCodeAt(2))
  }
  }

  return HASH.key()
}

/* eslint-disable no-bitwise -- hashing is bit arithmetic */
/**
 * Two 32-bit FNV-1a-style words, cross-mixed, read as one 53-bit integer (collisions among an
 * hour's keys: ~1e-6 at 100k). An object's fields, not module variables: those cost a check on
 * every access, which measured several times slower.
 */
class Hasher {
  private a = 0
  private b = 0
  private readonly bits = new Float64Array(1)
  private readonly words = new Uint32Array(this.bits.buffer)

  char(code: number): void {
    this.a = Math.imul(this.a ^ code, 0x01_00_01_93)
    this.b = Math.imul(this.b ^ code, 0x05_BD_1E_35) ^ (this.b >>> 15)
  }

  key(): number {
    return ((this.a >>> 0) * 0x20_00_00) + ((this.b >>> 0) & 0x1F_FF_FF)
  }

  /** The number's 64 bits, as two words. */
  number(value: number): void {
    this.bits[0] = value
    this.a = Math.imul(this.a ^ this.words[0], 0x01_00_01_93) ^ (this.b >>> 13)
    this.b = Math.imul(this.b ^ this.words[1], 0x05_BD_1E_35) ^ (this.a >>> 17)
  }

  reset(): void {
    this.a = 0x81_1C_9D_C5
    this.b = 0x05_0C_5D_1F
  }

  text(text: string): number {
    this.reset()
    for (let i = 0; i < text.length; i++) this.char(text.charCodeAt(i))
    return this.key()
  }
}
/* eslint-enable no-bitwise */

const HASH = new Hasher()
