/**
 * What LineScanner searches each chunk for: a few short keys, each a substring of every needle
 * it stands for, so that a line holding a needle always holds a key. Each key costs one
 * `Buffer.indexOf` pass over every chunk; one key may stand for several needles (`R` for
 * `Error R14`, `Error R15`, `Restarting`, `Release v` and `Rollback to v`), and the scanner checks
 * each hit against the key's needles. The keys are chosen by their cost estimated on the input's
 * first chunk.
 */

/** A key and the needles it stands for: a hit at `at` is a needle only where one starts at `at - offset`. */
export interface SearchKey {
  /** The key: under 8 bytes, so Node's Buffer.indexOf runs memchr on its first byte. */
  readonly bytes: Buffer
  /** Its hits in the sample that were none of its needles. */
  readonly falseHits: number
  /** Each needle holding the key, and where the key first starts in it. */
  readonly needles: readonly Buffer[]
  readonly offsets: readonly number[]
  /** What Buffer.indexOf is given: a one-byte key as its byte value, a call half the cost of a Buffer's. */
  readonly pattern: Buffer | number
}

// What a key costs, measured on the 1 GB log (bench/line-scanner.bench.ts): a pass runs at
// memchr speed where its first byte is absent (~6 ms a GB); each occurrence of its first byte
// stops memchr and C++ compares the rest (~13 ns: `g var`, stopping at every `g`, costs 50 ms a
// GB); each occurrence of the whole key comes back to JavaScript, is checked against the key's
// needles and searched on from (~90 ns), or ~45 ns for a one-byte key, searched by its value.
const PASS_NS_PER_BYTE = 0.006
const STOP_NS = 13
const HIT_NS = 90
const BYTE_HIT_NS = 45
/** Node's Buffer.indexOf runs memchr on the first byte for patterns shorter than 8 bytes. */
const MAX_KEY = 7
/**
 * Keys shorter than this need a sample of SHORT_KEY_SAMPLE bytes or more: their hits are
 * estimated on the sample, and a small one cannot tell `St` here (3 needles, 0.2 M false hits a
 * GB) from `St` in a Rails log (`Started GET` on every request).
 */
const MIN_KEY = 4
const SHORT_KEY_SAMPLE = 32 * 1024

interface Candidate {
  readonly text: string
  /** Indexes of the needles holding it. */
  readonly covers: readonly number[]
  /** A floor under its cost that needs no search of the sample: the pass and its first byte's count. */
  readonly floor: number
}

/**
 * Keys for `needles` (ASCII, no `\n`), chosen on `sample` (the input's first chunk): every needle
 * starts with its own cheapest key, then a key standing for several needles replaces theirs
 * wherever it costs less than the keys it makes redundant. A bad estimate costs only speed:
 * every needle keeps a key it holds, and the scanner checks every hit.
 */
export function searchKeys(needles: readonly string[], sample: Uint8Array): SearchKey[] {
  const bytes = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength)
  const counts = new Uint32Array(256)
  // An index loop: for-of over a Buffer took 3.3 ms on a first chunk (cold code), this 1.4 ms.
  for (let index = 0; index < bytes.length; index++) counts[bytes[index]]++
  const pass = PASS_NS_PER_BYTE * bytes.length
  const needleBytes = needles.map(needle => Buffer.from(needle, 'latin1'))
  const estimates = new Map<Candidate, Hits>()
  const hitsOf = (key: Candidate): Hits => {
    let hits = estimates.get(key)
    if (hits === undefined) estimates.set(key, hits = hitsIn(bytes, key, needleBytes))
    return hits
  }

  // A one-byte key's hits are in its floor: memchr hands back every occurrence of it.
  const costOf = (key: Candidate): number => key.floor + (key.text.length > 1 ? HIT_NS * hitsOf(key).all : 0)

  const candidates = candidatesOf(needles, bytes.length >= SHORT_KEY_SAMPLE ? 1 : MIN_KEY).map(([text, covers]) => ({
    covers, floor: pass + ((text.length > 1 ? STOP_NS : BYTE_HIT_NS) * counts[text.charCodeAt(0)]), text,
  })).sort((a, b) => a.floor - b.floor)
  const singles = needles.map((_, index) => cheapest(candidates.filter(key => key.covers.includes(index)), costOf))
  // A key dearer than a key of its own for each of its needles is never worth its pass.
  const useful = candidates.filter(key => key.floor < key.covers.reduce((sum, index) => sum + costOf(singles[index]), 0))
  return improved(withoutRedundant([...new Set(singles)], costOf), useful, costOf).map(key => ({
    bytes: Buffer.from(key.text, 'latin1'),
    falseHits: hitsOf(key).false,
    needles: key.covers.map(index => needleBytes[index]),
    offsets: key.covers.map(index => needles[index].indexOf(key.text)),
    pattern: key.text.length === 1 ? key.text.charCodeAt(0) : Buffer.from(key.text, 'latin1'),
  }))
}

/** The cheapest of `keys` (sorted by floor): searched in the sample only while a floor can still beat the best. */
function cheapest(keys: readonly Candidate[], costOf: (key: Candidate) => number): Candidate {
  let best = keys[0]
  for (const key of keys) {
    if (key.floor >= costOf(best)) break
    if (costOf(key) < costOf(best)) best = key
  }

  return best
}

/**
 * The keys, improved by adding one key at a time where the keys it makes redundant cost more
 * than it does (`St` for the keys of `State changed`, `Stopping ` and `Starting process`).
 */
function improved(start: Candidate[], candidates: readonly Candidate[], costOf: (key: Candidate) => number): Candidate[] {
  const total = (keys: readonly Candidate[]): number => keys.reduce((sum, key) => sum + costOf(key), 0)
  let keys = start
  for (let better = true; better;) {
    better = false
    for (const candidate of candidates) {
      if (keys.includes(candidate)) continue
      const replaced = keys.filter(key => key.covers.every(index => candidate.covers.includes(index)))
      if (candidate.floor >= total(replaced)) continue
      const next = withoutRedundant([...keys, candidate], costOf, candidate)
      if (total(next) < total(keys)) {
        keys = next
        better = true
      }
    }
  }

  return keys
}

/** The keys left when each key (but `pinned`) whose needles all hold other kept keys is dropped, the dearest first. */
function withoutRedundant(keys: readonly Candidate[], costOf: (key: Candidate) => number, pinned?: Candidate): Candidate[] {
  const kept = new Set(keys)
  for (const key of [...keys].sort((a, b) => costOf(b) - costOf(a))) {
    if (key === pinned) continue
    kept.delete(key)
    if (!key.covers.every(index => [...kept].some(other => other.covers.includes(index)))) kept.add(key)
  }

  return [...kept]
}

/**
 * Every substring of the needles from `minLength` to MAX_KEY bytes (a whole needle when shorter),
 * with the needles holding it; one is left out when it and the next byte of a needle are held by
 * the same needles: that longer key has the same first byte and no more hits.
 */
function candidatesOf(needles: readonly string[], minLength: number): Array<[string, number[]]> {
  const found = new Map<string, number[]>()
  const everyNeedle = [...needles.keys()]
  for (const needle of needles) {
    for (let start = 0; start < needle.length; start++) {
      const longest = Math.min(MAX_KEY, needle.length - start)
      let length = Math.min(minLength, needle.length)
      if (length > longest) continue
      // Each byte more is held by fewer (or the same) needles: narrow the cover as the key grows.
      let cover = everyNeedle.filter(index => needles[index].includes(needle.slice(start, start + length)))
      for (; length <= longest; length++) {
        const text = needle.slice(start, start + length)
        const longer = length < longest ? cover.filter(index => needles[index].includes(needle.slice(start, start + length + 1))) : []
        if (longer.length < cover.length) found.set(text, cover)
        cover = longer
      }
    }
  }

  return [...found]
}

interface Hits {
  all: number
  false: number
}

/** The hits a pass for `key` would hand back to JavaScript over `sample`: after a needle, the search resumes on the next line. */
function hitsIn(sample: Buffer, key: Candidate, needles: readonly Buffer[]): Hits {
  const text = Buffer.from(key.text, 'latin1')
  const held = key.covers.map(index => needles[index])
  const offsets = held.map(needle => needle.indexOf(text))
  const hits = {all: 0, false: 0}
  for (let at = sample.indexOf(text); at !== -1; hits.all++) {
    let resume = at
    if (held.some((needle, n) => startsAt(sample, at - offsets[n], needle))) resume = sample.indexOf(10, at)
    else hits.false++
    at = resume === -1 ? -1 : sample.indexOf(text, resume + 1)
  }

  return hits
}

/** Whether `needle` lies in `bytes` at `start` (`start` may be out of range). */
export function startsAt(bytes: Uint8Array, start: number, needle: Uint8Array): boolean {
  if (start < 0 || start + needle.length > bytes.length) return false
  for (let index = 0; index < needle.length; index++) if (bytes[start + index] !== needle[index]) return false
  return true
}
