/**
 * One measured way of reading a log file, in its own process so that its peak RSS is its own.
 * `node --import tsx bench/measure.ts MODE FILE` prints one JSON line:
 * {mode, wallMs, cpuMs, maxRssMb, result}. Wall and CPU time cover the reading only, not startup.
 */
import {createReadStream, openSync, readSync} from 'node:fs'
import {createRequire} from 'node:module'
import {createInterface} from 'node:readline'

import {EVENT_NEEDLES, LogParser} from '../src/core/parse/index.js'
import {readLogFiles} from '../src/stream/file-source.js'
import {LineScanner} from '../src/stream/line-scanner.js'

type Mode = 'prefilter' | 'read-bytes' | 'read-log-files' | 'read-log-files-all' | 'read-log-files-one-thread' | 'readline' | 'readline-logfmt' | 'readline-parse'

const logfmt = createRequire(import.meta.url)('logfmt') as {parse(line: string): Record<string, unknown>}

async function eachLine(file: string, onLine: (line: string) => void): Promise<void> {
  const lines = createInterface({crlfDelay: Infinity, input: createReadStream(file)})
  for await (const line of lines) onLine(line)
}

const measures: Record<Mode, (file: string) => Promise<unknown>> = {
  /** readLogFiles' byte work alone: the needle search and each found line's bounds, no decoding or parsing. */
  async prefilter(file) {
    let found = 0
    const scanner = new LineScanner({
      chunkSize: 128 * 1024,
      countLines: false,
      maxLineBytes: 16 * 1024 * 1024,
      needles: EVENT_NEEDLES.filter(needle => !needle.includes('load_')),
      onLine() {
        found++
      },
    })
    const fd = openSync(file, 'r')
    for (;;) {
      const at = scanner.room()
      const read = readSync(fd, scanner.buffer, at, scanner.chunkSize, null)
      if (read <= 0) break
      scanner.commit(read)
    }

    scanner.finish()
    return {found}
  },

  /** The floor: read the file in 128 KiB chunks and do nothing. */
  async 'read-bytes'(file) {
    const buffer = Buffer.allocUnsafe(128 * 1024)
    const fd = openSync(file, 'r')
    let bytes = 0
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) bytes += read
    return {bytes}
  },

  /** What mem:report needs: memory samples and platform events, load-average lines skipped. */
  async 'read-log-files'(file) {
    const kinds: Record<string, number> = {}
    const totals = await readLogFiles([file], event => {
      kinds[event.kind] = (kinds[event.kind] ?? 0) + 1
    }, {defaultYear: 2026, loadSamples: false})
    return {kinds, totals}
  },

  /** The same, read and searched on the parsing thread (no worker): what a file under 16 MiB gets. */
  async 'read-log-files-one-thread'(file) {
    const kinds: Record<string, number> = {}
    const totals = await readLogFiles([file], event => {
      kinds[event.kind] = (kinds[event.kind] ?? 0) + 1
    }, {defaultYear: 2026, loadSamples: false, workerMinBytes: Number.POSITIVE_INFINITY})
    return {kinds, totals}
  },

  /** Every event kind, load samples included, and every line counted. */
  async 'read-log-files-all'(file) {
    const kinds: Record<string, number> = {}
    const totals = await readLogFiles([file], event => {
      kinds[event.kind] = (kinds[event.kind] ?? 0) + 1
    }, {countLines: true, defaultYear: 2026})
    return {kinds, totals}
  },

  async readline(file) {
    let lines = 0
    await eachLine(file, () => lines++)
    return {lines}
  },

  /** The obvious way with the npm `logfmt` package: every line split into lines and parsed. */
  async 'readline-logfmt'(file) {
    let samples = 0
    await eachLine(file, line => {
      if (logfmt.parse(line)['sample#memory_total'] !== undefined) samples++
    })
    return {samples}
  },

  /** The same parser on every line, without the byte-level prefilter. */
  async 'readline-parse'(file) {
    const parser = new LogParser({defaultYear: 2026})
    let events = 0
    await eachLine(file, line => parser.parseAll(line, () => events++))
    return {events}
  },
}

const [mode, file] = process.argv.slice(2) as [Mode, string]
if (!measures[mode] || !file) {
  console.error(`usage: measure.ts ${Object.keys(measures).join('|')} FILE`)
  process.exit(2)
}

const cpuBefore = process.cpuUsage()
const start = performance.now()
const result = await measures[mode](file)
const wallMs = performance.now() - start
const cpu = process.cpuUsage(cpuBefore)
console.log(JSON.stringify({
  cpuMs: (cpu.user + cpu.system) / 1000,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  mode,
  result,
  wallMs,
}))
