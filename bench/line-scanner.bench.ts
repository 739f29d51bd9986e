/**
 * The needle search alone: `node --import tsx bench/line-scanner.bench.ts [FILE]` (default: the
 * largest log in .bench/, which `npm run bench` generates). Prints the keys searchKeys chooses on
 * the first chunk (mem:report's needles), the scanner's time over the file with them (lines found,
 * false hits) against reading alone, then each key's own pass over the file with the counts its
 * cost depends on: its first byte's occurrences (memchr stops) and its own (hits back in
 * JavaScript). Those figures are where search-keys.ts's cost constants come from.
 */
import {
  existsSync, openSync, readdirSync, readSync, statSync,
} from 'node:fs'
import {join} from 'node:path'

import {EVENT_NEEDLES} from '../src/core/parse/index.js'
import {LineScanner} from '../src/stream/line-scanner.js'
import {scanFile} from '../src/stream/scan-input.js'
import {searchKeys} from '../src/stream/search-keys.js'

const CHUNK = 128 * 1024
const NEEDLES = EVENT_NEEDLES.filter(needle => !needle.includes('load_'))

function defaultFile(): string | undefined {
  if (!existsSync('.bench')) return undefined
  const logs = readdirSync('.bench').filter(name => name.endsWith('.log')).map(name => join('.bench', name))
  return logs.sort((a, b) => statSync(b).size - statSync(a).size)[0]
}

/** Reads `file` in CHUNK reads, calling `onChunk` with each; milliseconds taken. */
function eachChunk(file: string, onChunk: (chunk: Buffer) => void): number {
  const started = performance.now()
  const buffer = Buffer.allocUnsafe(CHUNK)
  const fd = openSync(file, 'r')
  for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) onChunk(read === CHUNK ? buffer : buffer.subarray(0, read))
  return performance.now() - started
}

const overReading = (total: number, reading: number): string => (total - reading).toFixed(0).padStart(5)

const file = process.argv[2] ?? defaultFile()
if (file === undefined) {
  console.log('no log to read: pass one, or run `npm run bench` once to generate it')
} else {
  const sample = Buffer.alloc(CHUNK)
  const fd = openSync(file, 'r')
  const keys = searchKeys(NEEDLES, sample.subarray(0, readSync(fd, sample)))
  console.log(`${file}, ${(statSync(file).size / 1e6).toFixed(0)} MB; keys: ${keys.map(key => JSON.stringify(String(key.bytes))).join(' ')}`)
  // The faster of two: the first read may fill the page cache.
  const reading = Math.min(eachChunk(file, () => {}), eachChunk(file, () => {}))
  let found = 0
  const scanner = new LineScanner({
    chunkSize: CHUNK,
    countLines: false,
    maxLineBytes: 16 * 1024 * 1024,
    needles: NEEDLES,
    onLine() {
      found++
    },
  })
  const started = performance.now()
  await scanFile(file, scanner)
  const scanning = performance.now() - started
  console.log(`reading alone ${reading.toFixed(0)} ms; the scanner ${scanning.toFixed(0)} ms: ${found} lines, ${scanner.falseHits} false hits`)
  // Each key alone: its pass, and its first byte as a one-byte key (every occurrence back in JavaScript).
  console.log('  key        pass (ms over reading)   first byte: times, ms as a key   key: times')
  for (const key of keys) {
    let firstBytes = 0
    let hits = 0
    const firstMs = eachChunk(file, chunk => {
      for (let at = chunk.indexOf(key.bytes[0]); at !== -1; at = chunk.indexOf(key.bytes[0], at + 1)) firstBytes++
    })
    const keyMs = eachChunk(file, chunk => {
      for (let at = chunk.indexOf(key.bytes); at !== -1; at = chunk.indexOf(key.bytes, at + 1)) hits++
    })
    console.log(`  ${JSON.stringify(String(key.bytes)).padEnd(10)} ${overReading(keyMs, reading)}                    ${String(firstBytes).padStart(9)} ${overReading(firstMs, reading)}       ${hits}`)
  }
}
