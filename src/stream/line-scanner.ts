/**
 * Finds the lines of a byte stream that can hold an event, without JavaScript per line: each
 * chunk is searched for the parser's needles (through short search keys) with `Buffer.indexOf`
 * (C++), and `\n` is looked for only around hits, unless lines are to be counted.
 */
const NEWLINE = 10

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
  lines = 0
  overlongLines = 0
  private keys: Buffer[] | undefined
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
    this.keys ??= searchKeys(this.needles, region)
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
    for (let k = 0; k < keys.length; k++) next[k] = region.indexOf(keys[k], from)
    for (;;) {
      let hit = -1
      for (let k = 0; k < keys.length; k++) {
        const at = next[k]
        if (at !== -1 && (hit === -1 || at < hit)) hit = at
      }

      if (hit === -1) break
      const lineStart = hit === 0 ? 0 : region.lastIndexOf(NEWLINE, hit - 1) + 1
      const newline = region.indexOf(NEWLINE, hit)
      const lineEnd = newline === -1 ? end : newline
      this.onLine(region, lineStart, lineEnd)
      const resume = lineEnd + 1
      // An index loop: `entries()` destructuring allocates, and this runs once per hit.
      // eslint-disable-next-line unicorn/no-for-loop
      for (let k = 0; k < keys.length; k++) {
        if (next[k] !== -1 && next[k] < resume) next[k] = resume >= end ? -1 : region.indexOf(keys[k], resume)
      }
    }

    if (this.countLines) {
      let newline = from - 1
      while ((newline = region.indexOf(NEWLINE, newline + 1)) !== -1) this.lines++
    }
  }
}

const MIN_KEY = 4
/**
 * Held by both memory needles (`sample#memory_`, `measure=memory_`): one pass for both instead of
 * two (0.1 s less a GB, `ure=mem` alone costs 0.14 s), when the sample shows it nowhere else.
 */
const SHARED_KEY = 'y_'
/** Occurrences of the shared key in the sample outside the needles' that still let it pay. */
const SHARED_KEY_SLACK = 8
/** Node's Buffer.indexOf runs memchr on the first byte for patterns shorter than 8 bytes. */
const MAX_KEY = 7

/**
 * What to search for: for each needle, the window of up to 7 of its bytes that starts with the
 * byte rarest in `sample` (the input's first chunk). Shorter than 8 bytes, Node searches with
 * memchr on the first byte, so a rare first byte scans at memory speed, whereas a plain search
 * for all 18 needles costs a slow pass each. A key is a substring of its needle, so every line
 * holding a needle still holds a kept key.
 */
export function searchKeys(needles: readonly string[], sample: Uint8Array): Buffer[] {
  const counts = new Uint32Array(256)
  for (const byte of sample) counts[byte]++
  const keyOf = needles.map(needle => {
    let best = 0
    for (let start = 1; start <= needle.length - MIN_KEY; start++) {
      if (counts[needle.charCodeAt(start)] < counts[needle.charCodeAt(best)]) best = start
    }

    return needle.slice(best, best + MAX_KEY)
  })
  if (sharedKeyPays(needles, sample)) {
    for (const [index, needle] of needles.entries()) if (needle.includes(SHARED_KEY)) keyOf[index] = SHARED_KEY
  }

  // A key is dropped when every needle it stands for holds another key still kept: their lines
  // are found anyway, and each key costs a pass over every chunk (`Process exited` holds the key
  // of `Process running mem=`; a key holding another key goes too).
  const keys = new Set(keyOf)
  for (const key of keyOf) {
    const redundant = needles.every((needle, index) => keyOf[index] !== key
      || [...keys].some(other => other !== key && needle.includes(other)))
    if (redundant) keys.delete(key)
  }

  return [...keys].map(key => Buffer.from(key, 'latin1'))
}

/**
 * Whether the 2-byte shared key finds (nearly) only the lines its needles are on: a key this
 * short found in other lines (`body_size`, `retry_count`) would hand each one to the parser, at
 * ~1 µs a line; the sample (the input's first chunk) decides, as it does for the other keys.
 */
function sharedKeyPays(needles: readonly string[], sample: Uint8Array): boolean {
  const bytes = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength)
  const occurrences = (text: string): number => {
    let count = 0
    for (let at = bytes.indexOf(text); at !== -1; at = bytes.indexOf(text, at + text.length)) count++
    return count
  }

  const sharers = needles.filter(needle => needle.includes(SHARED_KEY))
  const held = sharers.reduce((sum, needle) => sum + occurrences(needle), 0)
  return sharers.length > 1 && held > 0 && occurrences(SHARED_KEY) <= held + SHARED_KEY_SLACK
}
