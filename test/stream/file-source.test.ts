import {expect} from 'chai'
import {
  chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {gzipSync} from 'node:zlib'

import type {LogEvent} from '../../src/core/events.js'

import {SeededRandom} from '../../src/core/blame/seeded-random.js'
import {EVENT_NEEDLES, LogParser} from '../../src/core/parse/index.js'
import {UserError} from '../../src/errors.js'
import {readLogFiles, type ReadLogOptions, type ReadLogTotals} from '../../src/stream/file-source.js'
import {LineScanner} from '../../src/stream/line-scanner.js'
import {searchKeys} from '../../src/stream/search-keys.js'

const INSTANCE = 'heroku.2808254.d97d0ea7-cf3d-411b-b453-d2943a50b456'
const memoryMessage = (dyno: string, rss: number): string =>
  `source=${dyno} dyno=${INSTANCE} sample#memory_total=${rss + 1}.00MB sample#memory_rss=${rss}.00MB sample#memory_cache=1.00MB `
  + 'sample#memory_swap=0.00MB sample#memory_pgpgin=176221pages sample#memory_pgpgout=50442pages sample#memory_quota=512.00MB'
const syslogFrame = (time: string, dyno: string, message: string): string => {
  const frame = `<134>1 ${time} host heroku ${dyno} - ${message}`
  return `${Buffer.byteLength(frame)} ${frame}`
}

/** Every shape the parser knows, mixed, with router and app lines (one posing as a platform line) between. */
const MIXED = [
  '2026-11-20T10:00:00.000000+00:00 app[api]: Release v42 created by user someone@example.com',
  '2026-11-20T10:12:00.100000+00:00 heroku[router]: at=info method=GET path="/" host=myapp.herokuapp.com dyno=web.1 connect=1ms service=20ms status=200 bytes=512 protocol=https',
  `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: ${memoryMessage('web.1', 300)}`,
  `2026-11-20T10:12:00.200000+00:00 app[web.1]: search q="${memoryMessage('web.1', 9999)} Error R14 (Memory quota exceeded)"`,
  `2026-11-20T10:12:00.300000+00:00 heroku[web.1]: source=web.1 dyno=${INSTANCE} sample#load_avg_1m=2.46 sample#load_avg_5m=1.06 sample#load_avg_15m=0.99`,
  '2026-11-20T10:12:20.000000+00:00 heroku[worker.1]: Process running mem=1013M(197.9%)',
  '2026-11-20T10:12:20.000000+00:00 heroku[worker.1]: Error R14 (Memory quota exceeded)',
  '2026-11-20T10:13:00.000000+00:00 heroku[web.1]: Restarting',
  '2026-11-20T10:13:01.000000+00:00 heroku[web.1]: State changed from up to starting',
  // A drain body: two octet-counted frames on one line.
  syslogFrame('2026-11-20T10:14:00.000000+00:00', 'web.2', memoryMessage('web.2', 310))
  + syslogFrame('2026-11-20T10:14:00.500000+00:00', 'web.3', memoryMessage('web.3', 320)),
  ['700', '2026-11-20 10:15:00', '2026-11-20T10:15:01Z', '42', 'myapp', '10.0.0.1', 'Local3', 'Info', 'heroku/web.4', 'Error R15 (Memory quota vastly exceeded)'].join('\t'),
  'Nov 20 10:16:00 myapp heroku/web.4: Error R14 (Memory quota exceeded)',
  '2026-11-20T10:17:00.000000+00:00 app[web.2]: Completed 200 OK in 35ms',
]
const MIXED_TEXT = MIXED.join('\n') + '\n'

/** The `heroku logs` time of the i-th sample, 20 s apart from 10:00. */
const stamp = (i: number): string => new Date(Date.UTC(2026, 10, 20, 10) + (i * 20_000)).toISOString().replace('Z', '000+00:00')

/** What the parser makes of each line, read one by one: what the prefilter must not change. */
function reference(text: string): LogEvent[] {
  const parser = new LogParser({defaultYear: 2026})
  const events: LogEvent[] = []
  for (const line of text.split('\n')) parser.parseAll(line, event => events.push(event))
  events.push(...parser.flush())
  return events
}

/** Where a file is read and searched: every readLogFiles test runs both ways. */
const THREADS = [
  {name: 'on this thread', workerMinBytes: Number.POSITIVE_INFINITY},
  {name: 'by a worker thread', workerMinBytes: 0},
]

function scanned(text: string, needles: readonly string[], chunkSize: number): string[] {
  const lines: string[] = []
  const scanner = new LineScanner({
    chunkSize, countLines: false, maxLineBytes: 1_048_576, needles, onLine: (bytes, start, end) => lines.push(bytes.toString('utf8', start, end)),
  })
  scanner.write(Buffer.from(text))
  scanner.finish()
  return lines
}

/** The lines of `text` holding a needle: exactly what a LineScanner must hand on, in order. */
const needleLines = (text: string, needles: readonly string[]): string[] => text.split('\n').filter(line => needles.some(needle => line.includes(needle)))
const keysOf = (needles: readonly string[], sample: string): string[] => searchKeys(needles, Buffer.from(sample)).map(key => String(key.bytes))
const MEMORY_NEEDLES = EVENT_NEEDLES.filter(needle => !needle.includes('load_'))

/** The lines found are those expected: how many are missing and how many are extra, then the lines themselves. */
function expectLines(found: string[], expected: string[], what: string): void {
  const wanted = new Set(expected)
  const got = new Set(found)
  expect({extra: found.filter(line => !wanted.has(line)).length, missing: expected.filter(line => !got.has(line)).length}, what).to.deep.equal({extra: 0, missing: 0})
  expect(found, what).to.deep.equal(expected)
}

/** Reads `text` into a scanner as scanFile does, `chunkSize` bytes a read: every read ends at a multiple of chunkSize. */
function scanInReads(text: string, needles: readonly string[], chunkSize: number): {lines: string[]; scanner: LineScanner} {
  const lines: string[] = []
  const scanner = new LineScanner({
    chunkSize, countLines: false, maxLineBytes: 1_048_576, needles, onLine: (bytes, start, end) => lines.push(bytes.toString('utf8', start, end)),
  })
  const bytes = Buffer.from(text)
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    const at = scanner.room()
    scanner.commit(bytes.copy(scanner.buffer, at, offset, Math.min(offset + chunkSize, bytes.length)))
  }

  scanner.finish()
  return {lines, scanner}
}

const COMPLETED = 'Completed 200 OK in 95ms (Views: 6.5ms | ActiveRecord: 24.2ms | Allocations: '

/** Lines like a busy app's log (router, Rails, memory samples) that hold no needle, the i-th of a sequence. */
function fillerLine(i: number, rails = false): string {
  const time = stamp(i)
  switch (i % (rails ? 5 : 4)) {
  case 0: {
    return `${time} heroku[router]: at=info method=GET path="/items/${i}" host=shop.herokuapp.com request_id=0fbef6df-${i} fwd="203.0.80.44" dyno=web.${i % 9} `
      + 'connect=0ms service=42ms status=200 bytes=35982 protocol=https'
  }

  case 1: {
    return `${time} heroku[web.${i % 9}]: ${memoryMessage(`web.${i % 9}`, 200 + (i % 300))}`
  }

  case 2: {
    return rails
      ? `${time} app[web.${i % 9}]: I, [${time} #5]  INFO -- : Started GET "/items/${i}" for 203.0.113.9 at 2026-11-20 10:00:00 +0000`
      : `${time} app[web.${i % 9}]: I, [${time} #5]  INFO -- : ${COMPLETED}${i})`
  }

  case 3: {
    return rails
      ? `${time} app[web.${i % 9}]: I, [${time} #5]  INFO -- : Processing by ItemsController#show as HTML`
      : `${time} app[worker.1]: job ${i} done in 12ms`
  }

  default: {
    return `${time} app[web.${i % 9}]: I, [${time} #5]  INFO -- : ${COMPLETED}${i})`
  }
  }
}

/** 2000 lines of digits (a sample with no letter), then fillerLine's. */
const digitsThenFiller = (i: number): string => (i < 2000 ? `${i}`.padStart(40, '0') : fillerLine(i))

/** `needle` with one byte changed (never to a `\n`): no needle any more, though it may still hold the needle's key. */
function nearMiss(needle: string, random: SeededRandom): string {
  const at = random.below(needle.length)
  const changed = needle.charCodeAt(at) === 0x7A ? 'y' : 'z'
  return needle.slice(0, at) + changed + needle.slice(at + 1)
}

/**
 * A log of `filler` lines (the sample, the first chunks, has `sampleLines` of them) with, after the
 * sample, in a `share` of the lines: lines holding needles, lines holding a needle with one byte
 * changed (often outside its key: only the check against the needle tells), near misses right
 * before and after the real needle on one line, a needle cut short at the line's end; and needles
 * lying across every multiple of `chunkSize` from the second on (the reads' ends).
 */
function mixedLog(options: {chunkSize: number; filler: (i: number) => string; lines: number; needles: readonly string[]; sampleLines: number; seed: number; share: number}): string {
  const {chunkSize, filler, needles} = options
  const random = new SeededRandom(options.seed)
  const pick = (): string => needles[random.below(needles.length)]
  let text = ''
  let boundary = chunkSize * 2
  for (let i = 0; i < options.lines; i++) {
    let line = filler(i)
    if (i >= options.sampleLines) {
      const needle = pick()
      const roll = random.next() / options.share
      if (roll < 0.3) line = `${stamp(i)} heroku[web.1]: ${needle} from up to down`
      else if (roll < 0.7) line = `${stamp(i)} heroku[web.1]: ${nearMiss(needle, random)} from up to down`
      else if (roll < 0.9) line = `${stamp(i)} heroku[web.1]: ${nearMiss(needle, random)}${needle} and ${nearMiss(needle, random)}`
      else if (roll < 1) line = `${stamp(i)} heroku[web.1]: ${needle.slice(0, -1)}`
    }

    if (text.length + line.length + 60 > boundary && text.length < boundary - 40) {
      // A needle across the read's end: its first 3 bytes in one read, the rest in the next.
      const needle = pick()
      text += `${'p'.repeat(boundary - 3 - text.length - 1)} ${needle} across\n`
      boundary += chunkSize
    }

    text += line + '\n'
    while (text.length > boundary) boundary += chunkSize
  }

  return text
}

async function readOn(workerMinBytes: number, paths: string[], options: Partial<ReadLogOptions>): Promise<{events: LogEvent[]; totals: ReadLogTotals}> {
  const events: LogEvent[] = []
  const totals = await readLogFiles(paths, event => events.push(event), {defaultYear: 2026, workerMinBytes, ...options})
  expect(totals.workerScans, 'inputs read by a worker').to.equal(workerScansOf(workerMinBytes, paths))
  return {events, totals}
}

/** A worker only for plain files (stdin and gzip stay on this thread), and only when the test's thread says so. */
const workerScansOf = (workerMinBytes: number, paths: string[]): number => (workerMinBytes === 0 ? paths.filter(path => path !== '-' && !isGzipFile(path)).length : 0)
const isGzipFile = (path: string): boolean => {
  const head = readFileSync(path).subarray(0, 2)
  return head[0] === 0x1F && head[1] === 0x8B
}

describe('file-source', () => {
  for (const thread of THREADS) describe(`readLogFiles, files read ${thread.name}`, () => {
    let dir: string
    // eslint-disable-next-line unicorn/consistent-function-scoping -- it reads this describe's thread
    const read = (paths: string[], options: Partial<ReadLogOptions> = {}) => readOn(thread.workerMinBytes, paths, options)
    const file = (name: string, content: Buffer | string): string => {
      const path = join(dir, name)
      writeFileSync(path, content)
      return path
    }

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'file-source-'))
    })

    after(() => {
      rmSync(dir, {force: true, recursive: true})
    })

    it('yields the events of every shape, as the parser does line by line, and nothing from app lines', async () => {
      const expected = reference(MIXED_TEXT)
      expect(expected.map(event => event.kind)).to.deep.equal([
        'release', 'memory', 'load', 'reading', 'error', 'dyno', 'dyno', 'memory', 'memory', 'error', 'error',
      ])
      const mixed = file('mixed.log', MIXED_TEXT)
      const {events, totals} = await read([mixed])
      expect(events).to.deep.equal(expected)
      expect(events.filter(event => event.kind === 'memory').map(event => event.rss)).to.deep.equal([300, 310, 320])
      expect(totals).to.deep.equal({
        bytes: Buffer.byteLength(MIXED_TEXT), events: expected.length, overlongLines: 0, warnings: [], workerScans: workerScansOf(thread.workerMinBytes, [mixed]),
      })
    })

    it('finds the same events whatever the chunk size, lines split anywhere across chunks', async () => {
      const expected = reference(MIXED_TEXT)
      const path = file('chunks.log', MIXED_TEXT)
      for (const chunkSize of [1, 2, 3, 7, 16, 61, 100, 333, 4096]) {
        const {events} = await read([path], {chunkSize})
        expect(events, `chunkSize ${chunkSize}`).to.deep.equal(expected)
      }
    })

    it('reads gzip by its magic bytes, not its name, and Papertrail .tsv.gz archives', async () => {
      const archive = [
        ['1', '2016-08-11 17:45:57', '2016-08-11T17:45:57', '9', 'myapp', '10.0.0.1', 'Local3', 'Info', 'heroku/web.1', memoryMessage('web.1', 400)].join('\t'),
        ['2', '2016-08-11 17:45:58', '2016-08-11T17:45:58', '9', 'myapp', '10.0.0.1', 'Local3', 'Info', 'heroku/router', 'at=info method=GET path="/"'].join('\t'),
        ['3', '2016-08-11 17:46:17', '2016-08-11T17:46:17', '9', 'myapp', '10.0.0.1', 'Local3', 'Info', 'app/web.1', memoryMessage('web.1', 9999)].join('\t'),
      ].join('\n') + '\n'
      const {events} = await read([file('archive.tsv.gz', gzipSync(archive))])
      expect(events).to.have.length(1)
      expect(events[0]).to.include({
        dyno: 'web.1', kind: 'memory', rss: 400, time: Date.UTC(2016, 7, 11, 17, 45, 57),
      })

      const disguised = await read([file('plain-name.log', gzipSync(MIXED_TEXT))], {chunkSize: 64})
      expect(disguised.events).to.deep.equal(reference(MIXED_TEXT))
      expect(disguised.totals.bytes).to.equal(Buffer.byteLength(MIXED_TEXT))
    })

    it('reads `-` from stdin, plain or gzipped, in order with files', async () => {
      const plain = await read(['-'], {stdin: Readable.from([Buffer.from(MIXED_TEXT.slice(0, 500)), Buffer.from(MIXED_TEXT.slice(500))])})
      expect(plain.events).to.deep.equal(reference(MIXED_TEXT))

      const zipped = gzipSync(MIXED_TEXT)
      const gzipped = await read(['-'], {stdin: Readable.from([zipped.subarray(0, 1), zipped.subarray(1, 30), zipped.subarray(30)])})
      expect(gzipped.events).to.deep.equal(reference(MIXED_TEXT))

      const first = file('first.log', `2026-11-20T09:00:00.000000+00:00 heroku[web.9]: ${memoryMessage('web.9', 100)}\n`)
      const both = await read([first, '-'], {stdin: Readable.from([MIXED_TEXT])})
      expect(both.events[0]).to.include({dyno: 'web.9'})
      expect(both.events.slice(1)).to.deep.equal(reference(MIXED_TEXT))
    })

    it('reads UTF-16 (Windows PowerShell 5 redirects `heroku logs` so) and drops a UTF-8 byte order mark: files, gzip and stdin', async () => {
      const expected = reference(MIXED_TEXT)
      const utf16le = Buffer.concat([Buffer.of(0xFF, 0xFE), Buffer.from(MIXED_TEXT, 'utf16le')])
      const utf16be = Buffer.concat([Buffer.of(0xFE, 0xFF), Buffer.from(MIXED_TEXT, 'utf16le').swap16()])
      const utf8 = Buffer.concat([Buffer.of(0xEF, 0xBB, 0xBF), Buffer.from(MIXED_TEXT)])
      for (const [name, bytes] of Object.entries({utf16be, utf16le, utf8})) {
        // An odd chunk size splits characters (and the mark) across chunks.
        expect((await read([file(`${name}.log`, bytes)], {chunkSize: 37})).events, name).to.deep.equal(expected)
        expect((await read([file(`${name}.log.gz`, gzipSync(bytes))])).events, `${name} gzipped`).to.deep.equal(expected)
        const stdin = Readable.from([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2, 101), bytes.subarray(101)])
        expect((await read(['-'], {stdin})).events, `${name} from stdin`).to.deep.equal(expected)
      }

      // The first line is a platform line: a mark left in it would lose its event.
      const first = `2026-11-20T09:00:00.000000+00:00 heroku[web.9]: ${memoryMessage('web.9', 100)}\n`
      const marked = await read([file('marked.log', Buffer.concat([Buffer.of(0xEF, 0xBB, 0xBF), Buffer.from(first)]))])
      expect(marked.events).to.have.length(1)
    })

    it('refuses zip, bzip2, xz, zstd and 7-Zip input in one line that says what it is (files and stdin)', async () => {
      const archives = {
        '7z': [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], bz2: [0x42, 0x5A, 0x68, 0x39], xz: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], zip: [0x50, 0x4B, 0x03, 0x04], zst: [0x28, 0xB5, 0x2F, 0xFD],
      }
      const kinds = {
        '7z': 'a 7-Zip archive', bz2: 'bzip2 data', xz: 'xz data', zip: 'a zip archive', zst: 'zstd data',
      }
      for (const [extension, magic] of Object.entries(archives)) {
        const bytes = Buffer.concat([Buffer.from(magic), Buffer.from(MIXED_TEXT)])
        const path = file(`log.${extension}`, bytes)
        const fromFile = await read([path]).then(() => {}, (error: unknown) => error)
        expect(fromFile, extension).to.be.instanceOf(UserError)
        expect((fromFile as Error).message).to.equal(`Can't read ${path}: it is ${kinds[extension as keyof typeof kinds]}; decompress it first (plain text and .gz are read)`)
        const stdin = Readable.from([bytes.subarray(0, 1), bytes.subarray(1)])
        const fromStdin = await read(['-'], {stdin}).then(() => {}, (error: unknown) => error)
        expect((fromStdin as Error).message, `${extension} from stdin`).to.equal(`Can't read stdin: it is ${kinds[extension as keyof typeof kinds]}; decompress it first (plain text and .gz are read)`)
      }
    })

    it('reads a last line without a newline, and CRLF lines', async () => {
      const crlf = MIXED.join('\r\n')
      const {events} = await read([file('crlf.log', crlf)], {chunkSize: 50, countLines: true})
      expect(events).to.deep.equal(reference(MIXED_TEXT))
    })

    it('counts lines when asked, a last line without a newline included', async () => {
      const text = MIXED.join('\n')
      expect((await read([file('count.log', text)], {chunkSize: 37, countLines: true})).totals.lines).to.equal(MIXED.length)
      expect((await read([file('count2.log', text + '\n\n')], {countLines: true})).totals.lines).to.equal(MIXED.length + 1)
      expect((await read([file('count3.log', text)])).totals.lines).to.equal(undefined)
    })

    it('keeps events inside since/until, both inclusive, releases too', async () => {
      const path = file('window.log', MIXED_TEXT)
      const {events} = await read([path], {since: Date.UTC(2026, 10, 20, 10, 12, 20), until: Date.UTC(2026, 10, 20, 10, 14, 0, 0)})
      expect(events.map(event => event.time)).to.deep.equal([
        Date.UTC(2026, 10, 20, 10, 12, 20),
        Date.UTC(2026, 10, 20, 10, 12, 20),
        Date.UTC(2026, 10, 20, 10, 13, 0),
        Date.UTC(2026, 10, 20, 10, 13, 1),
        Date.UTC(2026, 10, 20, 10, 14, 0),
      ])
      const releases = await read([path], {until: Date.UTC(2026, 10, 20, 10, 1)})
      expect(releases.events.map(event => event.kind)).to.deep.equal(['release'])
      expect(releases.totals.events).to.equal(1)
    })

    it('emits no load samples when they are not wanted, and every other event', async () => {
      const {events} = await read([file('noload.log', MIXED_TEXT)], {loadSamples: false})
      expect(events).to.deep.equal(reference(MIXED_TEXT).filter(event => event.kind !== 'load'))
      // The needles it leaves out, by their text: the parser's list must still spell them so.
      expect(EVENT_NEEDLES.filter(needle => needle.includes('load_'))).to.deep.equal(['sample#load_', 'measure=load_'])
    })

    it('holds a long line that fits, and skips (and counts) one longer than maxLineBytes', async () => {
      const long = `2026-11-20T10:00:00.000000+00:00 app[web.1]: ${'x'.repeat(300_000)}`
      const platformTail = `2026-11-20T10:00:01.000000+00:00 heroku[web.5]: ${memoryMessage('web.5', 250)}`
      const hugeFrameLine = Array.from({length: 2000}, (_, i) => syslogFrame(`2026-11-20T10:00:02.${String(i).padStart(6, '0')}+00:00`, 'web.6', memoryMessage('web.6', 200 + (i % 50)))).join('')
      const text = [long, platformTail, hugeFrameLine, long + ' Error R14 (Memory quota exceeded)', platformTail].join('\n')
      const path = file('long.log', text)
      const held = await read([path], {chunkSize: 4096, countLines: true})
      expect(held.events.filter(event => 'dyno' in event && event.dyno === 'web.5')).to.have.length(2)
      expect(held.events.filter(event => 'dyno' in event && event.dyno === 'web.6')).to.have.length(2000)
      expect(held.totals).to.include({lines: 5, overlongLines: 0})

      const skipped = await read([path], {chunkSize: 4096, countLines: true, maxLineBytes: 100_000})
      expect(skipped.events.map(event => ('dyno' in event ? event.dyno : ''))).to.deep.equal(['web.5', 'web.5'])
      expect(skipped.totals).to.include({lines: 5, overlongLines: 3})
    })

    it('reads a truncated .gz up to the cut, drops the cut line, and warns', async () => {
      const lines = Array.from({length: 3000}, (_, i) => `${stamp(i)} heroku[web.1]: ${memoryMessage('web.1', 100 + (i % 400))}`)
      const text = lines.join('\n') + '\n'
      const zipped = gzipSync(text)
      const whole = reference(text)
      // Cuts at many places, so some fall inside a line that would still parse, with a value cut short.
      for (let cut = Math.floor(zipped.length * 0.4); cut < zipped.length * 0.6; cut += 37) {
        const path = file('cut.log.gz', zipped.subarray(0, cut))
        const {events, totals} = await read([path])
        expect(totals.warnings).to.deep.equal([`${path} is truncated (the gzip data ends early): only the lines before the cut are read`])
        expect(events.length).to.be.within(100, whole.length - 100)
        // Every event read is one of the whole log's, in order: the cut line is not half-read.
        expect(events).to.deep.equal(whole.slice(0, events.length))
      }
    })

    it('says which file it cannot read, and why, in one line', async () => {
      const missing = join(dir, 'missing.log')
      const sub = join(dir, 'a-directory')
      mkdirSync(sub)
      // A gzip header, then a deflate block of the reserved type 3.
      const corrupt = file('corrupt.gz', Buffer.concat([gzipSync(MIXED_TEXT).subarray(0, 10), Buffer.alloc(64, 0xFF)]))
      const cases: Array<[string, string]> = [
        [missing, `Can't read ${missing}: no such file`],
        [sub, `Can't read ${sub}: it is a directory`],
        [corrupt, `Can't read ${corrupt}: the gzip data is corrupt`],
      ]
      if (process.getuid?.() !== 0) {
        const locked = file('locked.log', MIXED_TEXT)
        chmodSync(locked, 0o000)
        cases.push([locked, `Can't read ${locked}: permission denied`])
      }

      for (const [path, message] of cases) {
        const error = await read([path]).then(() => {}, (error_: unknown) => error_)
        expect(error, path).to.be.instanceOf(UserError)
        expect((error as UserError).message, (error as Error).message).to.satisfy((text: string) => text.startsWith(message) && !text.includes('\n'))
      }
    })
  })

  describe('LineScanner', () => {
    it('hands on only the lines holding a needle, each once, whole', () => {
      const text = 'alpha one\nbeta two two\ngamma\n\ndelta two\nomega one'
      for (const chunkSize of [1, 4, 64]) {
        expect(scanned(text, ['two', 'one'], chunkSize), `chunkSize ${chunkSize}`).to.deep.equal(['alpha one', 'beta two two', 'delta two', 'omega one'])
        expect(scanned(text, ['gamma'], chunkSize)).to.deep.equal(['gamma'])
        expect(scanned(text, ['zeta'], chunkSize)).to.deep.equal([])
      }
    })

    it('passes load-average lines over without their needles', () => {
      const needles = EVENT_NEEDLES.filter(needle => !needle.includes('load_'))
      const decoded = scanned(MIXED_TEXT, needles, 256)
      expect(decoded.some(line => line.includes('sample#load_avg_1m'))).to.equal(false)
      expect(decoded.filter(line => line.includes('sample#memory_rss'))).to.have.length(3)
    })
  })

  describe('searchKeys', () => {
    it('gives keys under 8 bytes, one of which every needle contains', () => {
      const samples = [Buffer.alloc(0), Buffer.from(MIXED_TEXT), Buffer.from('e'.repeat(1000) + 'R#_'), Buffer.from(MIXED_TEXT.repeat(40)), Buffer.from('0'.repeat(40_000))]
      for (const sample of samples) {
        const keys = searchKeys(EVENT_NEEDLES, sample).map(key => String(key.bytes))
        for (const key of keys) expect(key.length).to.be.within(1, 7)
        for (const needle of EVENT_NEEDLES) expect(keys.some(key => needle.includes(key)), needle).to.equal(true)
      }
    })

    it('starts a key at the byte rarest in the sample', () => {
      expect(keysOf(['State changed'], 'State cangd'.repeat(10))).to.deep.equal(['hanged'])
    })

    it('gives keys shorter than 4 bytes only on a sample of 32 KiB or more', () => {
      // Short keys (`St` for three needles) pay here, where the sample has no `S` but in the needles' lines.
      const small = MIXED_TEXT
      const large = MIXED_TEXT.repeat(Math.ceil(32_768 / MIXED_TEXT.length))
      expect(keysOf(MEMORY_NEEDLES, large).filter(key => key.length < 4)).to.not.be.empty
      for (const key of keysOf(MEMORY_NEEDLES, small)) expect(key.length >= 4 || MEMORY_NEEDLES.includes(key), key).to.equal(true)
    })

    it('searches both memory needles with one key, y_, only while other lines of the sample seldom hold it', () => {
      const memoryLine = `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: ${memoryMessage('web.1', 300)}\n`
      const routerLine = '2026-11-16T00:00:00.150000+00:00 heroku[router]: at=info method=GET path="/" host=shop-prod.herokuapp.com '
        + 'request_id=0fbef6df-a2c1-4884-a846-2bdaa8a88131 fwd="203.0.80.44" dyno=web.29 connect=0ms service=42ms status=200 bytes=35982 protocol=https\n'
      const appLine = '2026-11-20T10:12:00.200000+00:00 app[web.1]: job done retry_count=0 body_size=512\n'
      const memoryOnly = keysOf(EVENT_NEEDLES, (memoryLine + routerLine.repeat(4)).repeat(60))
      expect(memoryOnly.filter(key => 'sample#memory_'.includes(key) || 'measure=memory_'.includes(key))).to.deep.equal(['y_'])
      // An app line holding y_ twice after each memory line: each would come back to JavaScript for nothing.
      const withApp = keysOf(EVENT_NEEDLES, (memoryLine + routerLine.repeat(4) + appLine).repeat(60))
      expect(withApp).to.not.include('y_')
      for (const needle of EVENT_NEEDLES) expect(withApp.some(key => needle.includes(key)), needle).to.equal(true)
    })

    it('gives one key to several needles where its false hits cost less than the passes it saves', () => {
      const needles = ['State changed', 'Stopping ', 'Starting process']
      const filler = Array.from({length: 200}, (_, i) => fillerLine(i)).join('\n')
      const sample = (falseHits: number): string => filler + '\napp[web.1]: Stax'.repeat(falseHits)
      // Each `Stax` is a false hit of `St` and `Sta` (~90 ns); two passes saved are worth ~7 of them on a 40 KB sample.
      expect(keysOf(needles, sample(3))).to.deep.equal(['St'])
      const apart = keysOf(needles, sample(40))
      expect(apart, apart.join(' | ')).to.have.length(3)
    })

    it('keeps keys of 2 bytes or more held by `Started GET` and `Processing by` out when the sample holds them on every request', () => {
      // Such a key (`St`, `Process`) would come back to JavaScript at every request (~90 ns each). A
      // one-byte `S` may stay: memchr stops at every `S` for each key that starts with one anyway.
      const rails = Array.from({length: 600}, (_, i) => fillerLine(i, true)).join('\n')
      const keys = keysOf(MEMORY_NEEDLES, rails)
      for (const key of keys) expect(key.length > 1 && ('Started GET'.includes(key) || 'Processing by'.includes(key)), `${key} of ${keys.join(' | ')}`).to.equal(false)
    })
  })

  describe('LineScanner, one key for several needles', () => {
    const chunkSize = 32_768

    it('the sample asks for them: keys shorter than 4 bytes, for several needles each', () => {
      const sample = Array.from({length: 400}, (_, i) => fillerLine(i)).join('\n')
      const keys = searchKeys(MEMORY_NEEDLES, Buffer.from(sample))
      expect(keys.filter(key => key.needles.length > 1 && key.bytes.length < 4).map(key => String(key.bytes))).to.have.length.above(1)
    })

    for (const seed of [1, 2, 3]) it(`hands on exactly the lines holding a needle, near misses and needles across reads included (seed ${seed})`, () => {
      const text = mixedLog({
        chunkSize, filler: fillerLine, lines: 6000, needles: MEMORY_NEEDLES, sampleLines: 400, seed, share: 0.4,
      })
      const expected = needleLines(text, MEMORY_NEEDLES)
      expect(expected.filter(line => line.endsWith(' across'))).to.have.length.above(10)
      for (const size of [chunkSize, chunkSize + 13]) expectLines(scanInReads(text, MEMORY_NEEDLES, size).lines, expected, `chunk ${size}`)
      expectLines(scanned(text, MEMORY_NEEDLES, 4096), expected, 'a small sample')
    })

    it('hands on exactly the lines holding a needle when the sample shares no text with the rest, and chooses its keys again', () => {
      const text = mixedLog({
        chunkSize, filler: digitsThenFiller, lines: 12_000, needles: MEMORY_NEEDLES, sampleLines: 2000, seed: 4, share: 0.02,
      })
      const {lines, scanner} = scanInReads(text, MEMORY_NEEDLES, chunkSize)
      expectLines(lines, needleLines(text, MEMORY_NEEDLES), 'lines')
      // Keys chosen on digits alone (one byte each, for many needles) hit every ~20 bytes after them.
      expect(scanner.falseHits, 'false hits').to.be.below(text.length / 250)
    })

    it('hands on exactly the lines holding a needle in a Rails log, `Started GET` and `Processing by` in the sample', () => {
      const text = mixedLog({
        chunkSize, filler: i => fillerLine(i, true), lines: 8000, needles: MEMORY_NEEDLES, sampleLines: 600, seed: 5, share: 0.02,
      })
      const {lines, scanner} = scanInReads(text, MEMORY_NEEDLES, chunkSize)
      expectLines(lines, needleLines(text, MEMORY_NEEDLES), 'lines')
      expect(scanner.falseHits, 'false hits').to.be.below(text.length / 250)
    })
  })
})
