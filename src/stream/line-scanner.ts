/**
 * Finds the lines of a byte stream that can hold an event, without JavaScript per line: each
 * chunk is searched for the parser's needles (through short search keys, search-keys.ts) with
 * `Buffer.indexOf` (C++), and `\n` is looked for only around hits, unless lines are to be counted.
 */
import {type SearchKey, searchKeys, startsAt} from './search-keys.js'

const NEWLINE = 10
/**
 * The keys are chosen again, on the chunk at hand, when their false hits (hits that were none of
 * their needles) since they were chosen exceed twice the sample's estimate plus one per this many
 * bytes (~20 ms a GB): the input's first chunk was not like the rest. At most MAX_REPLANS times
 * an input, so that an input whose chunks all differ does not pay a plan (a few ms) for each.
 */
const FALSE_HIT_SLACK_BYTES = 4096
const MAX_REPLANS = 4

export interface LineScannerOptions {
  chunkSize: number
  countLines: boolean
  maxLineBytes: number
  needles: readonly string[]
  /** One line that holds a needle, `bytes[start, end)`, without its `\n`; the bytes are only valid during the call. */
  onLine(bytes: Buffer, start: number, end: number): void
}

/**
 * Finds the lines holding a needle in a byte stream, with the newline search done only around
 * hits. Owns one buffer: bytes of an unfinished line stay at its start, new bytes go after them.
 */
export class LineScanner {
  buffer: Buffer
  bytes = 0
  readonly chunkSize: number
  private readonly countLines: boolean
  /** Bytes at the start of `buffer` not scanned yet: the unfinished last line. */
  filled = 0
  /** Hits of a key that were none of its needles: each cost a round trip to JavaScript. */
  falseHits = 0
  lines = 0
  overlongLines = 0
  /** What the keys were chosen on: false hits expected a byte, and `bytes` and `falseHits` then. */
  private readonly chosen = {
    at: 0, falseHits: 0, falseHitsPerByte: 0, times: 0,
  }
  private keys: SearchKey[] | undefined
  private readonly maxLineBytes: number
  private readonly needles: readonly string[]
  private readonly next: number[] = []
  private readonly onLine: (bytes: Buffer, start: number, end: number) => void
  /** Inside a line longer than maxLineBytes: bytes are dropped up to its newline. */
  private skipping = false

  constructor(options: LineScannerOptions) {
    this.chunkSize = options.chunkSize
    this.countLines = options.countLines
    this.maxLineBytes = options.maxLineBytes
    this.needles = options.needles
    this.onLine = options.onLine
    this.buffer = Buffer.allocUnsafe(options.chunkSize * 2)
  }

  /** `length` new bytes were written at `filled` (where `room()` said). */
  commit(length: number): void {
    if (length <= 0) return
    this.bytes += length
    const end = this.filled + length
    const region = this.buffer.subarray(0, end)
    if (this.keys === undefined || this.keysMissed()) this.chooseKeys(region)
    let from = 0
    if (this.skipping) {
      const newline = region.indexOf(NEWLINE)
      if (newline === -1) {
        this.filled = 0
        return
      }

      this.skipping = false
      this.overlongLines++
      if (this.countLines) this.lines++
      from = newline + 1
    }

    const last = region.lastIndexOf(NEWLINE)
    if (last >= from) {
      this.scan(last + 1 === end ? region : this.buffer.subarray(0, last + 1), from)
      from = last + 1
    }

    this.filled = end - from
    if (this.filled > this.maxLineBytes) {
      this.skipping = true
      this.filled = 0
    } else if (from > 0 && this.filled > 0) {
      this.buffer.copyWithin(0, from, end)
    }
  }

  /** Chooses the keys on `sample`, the region at hand. */
  private chooseKeys(sample: Buffer): void {
    this.keys = searchKeys(this.needles, sample)
    const {chosen} = this
    chosen.at = this.bytes - sample.length
    chosen.falseHits = this.falseHits
    chosen.falseHitsPerByte = this.keys.reduce((sum, key) => sum + key.falseHits, 0) / Math.max(1, sample.length)
    chosen.times++
  }

  /** Whether the keys' false hits ran far past the estimate they were chosen on (a bad estimate costs speed, never lines). */
  private keysMissed(): boolean {
    const {chosen} = this
    const since = this.bytes - chosen.at
    return chosen.times <= MAX_REPLANS
      && this.falseHits - chosen.falseHits > (since / FALSE_HIT_SLACK_BYTES) + (2 * chosen.falseHitsPerByte * since)
  }

  /** Forgets the unfinished last line (input cut short: the line is incomplete, its values maybe too). */
  dropUnfinished(): void {
    this.filled = 0
  }

  /** The last line, when the input does not end with a newline. */
  finish(): void {
    if (this.filled > 0 && !this.skipping) {
      this.scan(this.buffer.subarray(0, this.filled), 0)
      this.lines++
    }

    if (this.skipping) this.overlongLines++
    this.filled = 0
    this.skipping = false
  }

  /** Where the next read writes `chunkSize` bytes; grows the buffer for a long unfinished line. */
  room(): number {
    if (this.buffer.length - this.filled < this.chunkSize) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.filled + this.chunkSize))
      this.buffer.copy(grown, 0, 0, this.filled)
      this.buffer = grown
    }

    return this.filled
  }

  /** A chunk from a stream: copied in, in pieces when it is larger than the room left. */
  write(chunk: Buffer): void {
    let offset = 0
    while (offset < chunk.length) {
      const at = this.room()
      const length = Math.min(chunk.length - offset, this.buffer.length - at)
      chunk.copy(this.buffer, at, offset, offset + length)
      offset += length
      this.commit(length)
    }
  }

  /** Lines of `region` from `from` (a line start) to its end; hands those holding a needle to onLine. */
  private scan(region: Buffer, from: number): void {
    const keys = this.keys!
    const {next} = this
    const end = region.length
    for (let k = 0; k < keys.length; k++) next[k] = region.indexOf(keys[k].pattern, from)
    for (;;) {
      let hit = -1
      let key = -1
      for (let k = 0; k < keys.length; k++) {
        const at = next[k]
        if (at !== -1 && (hit === -1 || at < hit)) {
          hit = at
          key = k
        }
      }

      if (hit === -1) break
      if (!holdsNeedle(region, hit, keys[key])) {
        // Not one of the key's needles: its search goes on after this byte.
        this.falseHits++
        next[key] = hit + 1 >= end ? -1 : region.indexOf(keys[key].pattern, hit + 1)
        continue
      }

      const lineStart = hit === 0 ? 0 : region.lastIndexOf(NEWLINE, hit - 1) + 1
      const newline = region.indexOf(NEWLINE, hit)
      const lineEnd = newline === -1 ? end : newline
      this.onLine(region, lineStart, lineEnd)
      const resume = lineEnd + 1
      // An index loop: `entries()` destructuring allocates, and this runs once per hit.
      // eslint-disable-next-line unicorn/no-for-loop
      for (let k = 0; k < keys.length; k++) {
        if (next[k] !== -1 && next[k] < resume) next[k] = resume >= end ? -1 : region.indexOf(keys[k].pattern, resume)
      }
    }

    if (this.countLines) {
      let newline = from - 1
      while ((newline = region.indexOf(NEWLINE, newline + 1)) !== -1) this.lines++
    }
  }
}

/**
 * Whether a needle of `key` lies at its hit `at` in `region`. Needles hold no `\n`, so one that
 * matches lies within the hit's line, even where bytes before the scanned lines are compared.
 */
function holdsNeedle(region: Buffer, at: number, key: SearchKey): boolean {
  const {needles, offsets} = key
  // An index loop over two arrays: this runs once per hit.
  // eslint-disable-next-line unicorn/no-for-loop
  for (let n = 0; n < needles.length; n++) {
    if (startsAt(region, at - offsets[n], needles[n])) return true
  }

  return false
}
