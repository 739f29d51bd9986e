import {expect} from 'chai'
import {
  mkdtempSync, readdirSync, readFileSync, rmSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {LogEvent} from '../../../src/core/events.js'
import type {LineContext} from '../../../src/core/parse/header.js'

import {generateLog} from '../../../bench/generate-log.js'
import {LogParser} from '../../../src/core/parse/index.js'
import {LegacyGroups} from '../../../src/core/parse/legacy.js'
import {ByteLineState, usualMemoryLineBytes} from '../../../src/core/parse/memory-line-bytes.js'
import {METRIC_NAMES} from '../../../src/core/parse/samples.js'
import {NoYearCalendar} from '../../../src/core/parse/time.js'
import {
  EVENT_LINES, INSTANCE, MEMORY_MESSAGE, NOT_OURS, TIME,
} from '../../fixtures/log-lines.js'
import {linesOf, mutatedLines} from '../../helpers/byte-lines.js'

const LOGS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'logs')
const USUAL = `2026-11-20T10:12:00.123456+00:00 heroku[web.1]: ${MEMORY_MESSAGE}`
/** The same sample as a drain's syslog frame, its octet count first. */
const FRAME = `<45>1 2026-11-20T10:12:00.123456+00:00 host heroku web.1 - ${MEMORY_MESSAGE}`
const DRAIN = `${Buffer.byteLength(FRAME)} ${FRAME}`

/** Every event of the lines through the string path (decoded as the file reader decoded them) and through the byte entry, one parser each. */
function bothWays(bytes: Buffer): {fromBytes: LogEvent[]; fromStrings: LogEvent[]} {
  const strings = new LogParser({defaultYear: 2026})
  const fromStrings: LogEvent[] = []
  const byBytes = new LogParser({defaultYear: 2026})
  const fromBytes: LogEvent[] = []
  for (const [start, end] of linesOf(bytes)) {
    strings.parseAll(bytes.toString('utf8', start, end), event => fromStrings.push(event))
    byBytes.parseAllBytes(bytes, start, end, event => fromBytes.push(event))
  }

  fromStrings.push(...strings.flush())
  fromBytes.push(...byBytes.flush())
  return {fromBytes, fromStrings}
}

function expectSameEvents(bytes: Buffer, minimum: number): void {
  const {fromBytes, fromStrings} = bothWays(bytes)
  expect(fromBytes).to.deep.equal(fromStrings)
  expect(fromStrings.length).to.be.at.least(minimum)
}

function freshContext(): LineContext {
  return {
    calendar: new NoYearCalendar(2026),
    dyno: '',
    legacy: new LegacyGroups(),
    onLinesDropped: undefined,
    onRouterRequest: undefined,
    origin: 'platform',
    read: {end: 0},
    routerLines: false,
    time: 0,
    values: new Float64Array(METRIC_NAMES.length),
  }
}

describe('parse/memory-line-bytes', () => {
  it('reads the usual memory line from its bytes, not through the string path', () => {
    const bytes = Buffer.from(`xx${USUAL}\n`)
    const event = usualMemoryLineBytes(bytes, 2, bytes.length - 1, freshContext(), new ByteLineState())
    expect(event).to.deep.equal(EVENT_LINES[0][1])
  })

  it('reads a drain\'s frame of the usual sample from its bytes too, with or without its octet count', () => {
    for (const line of [DRAIN, FRAME, FRAME.replace(' host heroku web.1 - ', ' heroku web.1 - - ')]) {
      const bytes = Buffer.from(line)
      expect(usualMemoryLineBytes(bytes, 0, bytes.length, freshContext(), new ByteLineState()), line).to.deep.equal(EVENT_LINES[0][1])
    }
  })

  it('leaves every other line to the string path', () => {
    for (const line of [...EVENT_LINES.slice(1).map(([text]) => text), ...NOT_OURS, USUAL.replace('heroku[web.1]', 'heroku[api]')]) {
      const bytes = Buffer.from(line)
      expect(usualMemoryLineBytes(bytes, 0, bytes.length, freshContext(), new ByteLineState()), line).to.equal(undefined)
    }
  })

  it('keeps one string for a dyno and for its instance from line to line', () => {
    const bytes = Buffer.from(`${USUAL}\n${USUAL.replace('10:12:00', '10:12:20')}\n`)
    const events: LogEvent[] = []
    const parser = new LogParser()
    for (const [start, end] of linesOf(bytes)) parser.parseAllBytes(bytes, start, end, event => events.push(event))
    expect(events).to.have.length(2)
    expect(events[1].time - events[0].time).to.equal(20_000)
    expect(events.map(event => 'instance' in event && event.instance)).to.deep.equal([INSTANCE, INSTANCE])
  })

  it('reads lines from several buffers in turn (a reader\'s buffer grows or is replaced)', () => {
    const state = new ByteLineState()
    const context = freshContext()
    const second = USUAL.replace('10:12:00', '10:12:20')
    const lines: Array<[Buffer, number]> = [
      [Buffer.from(`${USUAL}\n`), 0],
      [Buffer.concat([Buffer.alloc(7, 32), Buffer.from(`${second}\n`)]).subarray(3), 4],
      [Buffer.from(`abc${USUAL}`), 3],
    ]
    const events = lines.map(([bytes, start]) => usualMemoryLineBytes(bytes, start, start + USUAL.length, context, state))
    expect(events.map(event => event && event.time - TIME)).to.deep.equal([0, 20_000, 0])
    expect(events.map(event => event?.instance)).to.deep.equal([INSTANCE, INSTANCE, INSTANCE])
  })

  describe('gives the events the string path gives', () => {
    for (const name of readdirSync(LOGS).filter(file => file.endsWith('.log'))) {
      it(`on test/fixtures/logs/${name}`, () => {
        expectSameEvents(readFileSync(join(LOGS, name)), 1)
      })
    }

    it('on the shared fixture lines (every message kind, app lines posing as the platform)', () => {
      expectSameEvents(Buffer.from([...EVENT_LINES.map(([line]) => line), ...NOT_OURS].join('\n')), EVENT_LINES.length - 1)
    })

    it('on the generated benchmark log (2 MB)', () => {
      const directory = mkdtempSync(join(tmpdir(), 'memory-line-bytes-'))
      try {
        const path = join(directory, 'generated.log')
        const stats = generateLog(path, 2_000_000)
        expectSameEvents(readFileSync(path), stats.memorySamples)
      } finally {
        rmSync(directory, {force: true, recursive: true})
      }
    })

    it('on near misses of the usual line: stamps, zones, numbers, units, sources, endings, bytes', () => {
      const near = [
        USUAL,
        `${USUAL}\r`,
        `${USUAL}  `,
        `\uFEFF${USUAL}`,
        USUAL.replace('.123456+00:00', 'Z'),
        USUAL.replace('.123456+00:00', '.5-08:00'),
        USUAL.replace('+00:00', '+0530'),
        USUAL.replace('.123456+00:00', ''),
        USUAL.replace('+00:00', '+24:00'),
        USUAL.replace('+00:00', '+00:60'),
        USUAL.replace('.123456', '.'),
        USUAL.replace('10:12:00', '10:12:60'),
        USUAL.replace('10:12:00', '10:12:61'),
        USUAL.replace('10:12:00', '24:12:00'),
        USUAL.replace('10:12:00', '10:60:00'),
        USUAL.replace('2026-11-20', '2024-02-29'),
        USUAL.replace('2026-11-20', '2026-02-29'),
        USUAL.replace('2026-11-20', '1969-12-31'),
        USUAL.replace('2026-11-20', '2026-13-01'),
        USUAL.replace('2026-11-20T', '2026-11-20 '),
        USUAL.replace('2026-11-20T', '2026-11-20x'),
        USUAL.replace('2026', '20a6'),
        USUAL.replace('+00:00 ', '+00:00x '),
        USUAL.replace('491.32MB', '491.MB'),
        USUAL.replace('491.32MB', '.32MB'),
        USUAL.replace('491.32MB', '.MB'),
        USUAL.replace('491.32MB', 'MB'),
        USUAL.replace('491.32MB', '1234567890123456MB'),
        USUAL.replace('491.32MB', '123456789012345MB'),
        USUAL.replace('491.32MB', '491.32GB'),
        USUAL.replace('176221pages', '176221'),
        USUAL.replace('176221pages', '176221page'),
        USUAL.replace('512.00MB', '512.00M'),
        USUAL.replace('512.00MB', '0MB'),
        USUAL.replace('sample#memory_cache', 'sample#memory_swop'),
        `${USUAL} sample#memory_extra=1MB`,
        USUAL.replace('source=web.1', 'source=web.2'),
        USUAL.replace('source=web.1', 'source='),
        USUAL.replace('source=web.1', 'source=-x'),
        USUAL.replace('source=web.1', 'source=wéb.1'),
        USUAL.replace(`dyno=${INSTANCE}`, 'dyno='),
        USUAL.replace(INSTANCE, `${INSTANCE}é`),
        USUAL.replace('heroku[web.1]: ', 'heroku[web.1] '),
        USUAL.replace('heroku[web.1]', 'heroku[router]'),
        USUAL.replace('heroku[web.1]', 'heroku[]'),
        USUAL.replace('heroku[web.1]', `heroku[${'w'.repeat(65)}]`),
        USUAL.replace('heroku[web.1]', `heroku[${'w'.repeat(64)}]`),
        USUAL.replace('heroku[web.1]', 'heroku[.web]'),
        USUAL.replace('heroku[web.1]', 'app[web.1]'),
        USUAL.replace('heroku[web.1]', 'd.0c9d2ad5-b7b4-44b6-8d4e-3d0e1cfc1e32 heroku[web.1]'),
        DRAIN,
        FRAME,
        `${DRAIN}\r`,
        `${DRAIN}  `,
        // A count short of the line: a second frame follows (the string path splits the body).
        `${DRAIN} ${DRAIN}`,
        `${Buffer.byteLength(FRAME) - 1} ${FRAME}`,
        `${Buffer.byteLength(FRAME) + 1} ${FRAME}`,
        `1234567890 ${FRAME}`,
        `${Buffer.byteLength(FRAME)}  ${FRAME}`,
        FRAME.replace('<45>1 ', '<45>12 '),
        FRAME.replace('<45>1 ', '<45>1234 '),
        FRAME.replace('<45>1 ', '<>1 '),
        FRAME.replace('<45>1 ', '<4567>1 '),
        FRAME.replace('<45>1 ', '<a>1 '),
        FRAME.replace(' host heroku ', ' heroku heroku '),
        FRAME.replace(' host heroku ', ' app heroku '),
        FRAME.replace(' host heroku ', ' host app '),
        FRAME.replace(' host heroku web.1 - ', ' heroku web.1 - - '),
        FRAME.replace(' host heroku web.1 - ', ' heroku web.1 d.0c9d2ad5-b7b4 - '),
        FRAME.replace(' host heroku web.1 - ', ' heroku web.1 x '),
        FRAME.replace(' host heroku web.1 - ', ' host heroku web.1 d.token '),
        FRAME.replace(' host heroku web.1 - ', ' host heroku web.1 - - '),
        FRAME.replace(' host heroku web.1 - ', ' host heroku web.1 -  '),
        FRAME.replace(' host heroku web.1 - ', ' host heroku api - '),
        FRAME.replace(' host heroku web.1 - ', ' host heroku router - '),
        FRAME.replace(' host heroku web.1 - ', ' host heroku .web - '),
        FRAME.replace(' host heroku web.1 - ', ` host heroku ${'w'.repeat(65)} - `),
        FRAME.replace(' host heroku web.1 - ', ' hóst heroku web.1 - '),
        FRAME.replace(' host heroku web.1 - ', ' host  heroku web.1 - '),
        FRAME.replace('2026-11-20T10:12:00.123456+00:00', '2026-11-20T10:12:00'),
        FRAME.replace('2026-11-20T10:12:00.123456+00:00', 'Nov 20 10:12:00'),
        `14 Jun 2026 10:12:00.731204 ${FRAME}`,
      ]
      const lines = near.map(line => Buffer.from(line))
      // Bytes that are not UTF-8: the string path sees U+FFFD there.
      lines.push(Buffer.concat([Buffer.from(USUAL.slice(0, 60)), Buffer.from([0xFF, 0xC3]), Buffer.from(USUAL.slice(60))]))
      expectSameEvents(Buffer.concat(lines.flatMap(line => [line, Buffer.from('\n')])), near.length / 2)
    })

    it('on 20,000 byte-level mutations of memory lines, read in one go (hour and name memory across lines)', () => {
      const variants = [USUAL,
        USUAL.replace('web.1', 'worker.2').replace('10:12', '11:59'),
        USUAL.replace('2026-11-20T10', '2026-12-31T23'),
        USUAL.replace(INSTANCE, 'heroku.1.aaaa').replace('+00:00', 'Z'),
        DRAIN,
        FRAME.replace(' host heroku web.1 - ', ' heroku web.2 - - ')]
      expectSameEvents(mutatedLines(variants, '0123456789 .:-+TZ[]=#_MBpagesdynoure\t\r<>hkapd', 20_000, 20_261_201), 5000)
    })
  })
})
