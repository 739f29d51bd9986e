import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {LogEvent, RouterRequest} from '../../../src/core/events.js'
import type {LineContext} from '../../../src/core/parse/header.js'

import {generateLog} from '../../../bench/generate-log.js'
import {LogParser} from '../../../src/core/parse/index.js'
import {LegacyGroups} from '../../../src/core/parse/legacy.js'
import {ByteLineState} from '../../../src/core/parse/memory-line-bytes.js'
import {routerLineBytes} from '../../../src/core/parse/router-line-bytes.js'
import {METRIC_NAMES} from '../../../src/core/parse/samples.js'
import {NoYearCalendar} from '../../../src/core/parse/time.js'
import {linesOf, mutatedLines} from '../../helpers/byte-lines.js'

const TS = '2026-11-20T10:12:03.456789+00:00'
const INFO = 'at=info method=GET path="/reports/42/export?x=1" host=acme.herokuapp.com request_id=3f1c2a9e-0b7d-4c1e-9f3a-5d6e7f8a9b0c '
  + 'fwd="203.0.113.7" dyno=web.3 connect=0ms service=2340ms status=200 bytes=880123 protocol=https'
const H12 = 'at=error code=H12 desc="Request timeout" method=POST path="/imports" host=acme.herokuapp.com request_id=7a8b fwd="203.0.113.7" '
  + 'dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https'
const USUAL = `${TS} heroku[router]: ${INFO}`
const FRAME = `<158>1 ${TS} host heroku router - ${INFO}`
const DRAIN = `${Buffer.byteLength(FRAME)} ${FRAME}`

interface Read {
  events: LogEvent[]
  requests: RouterRequest[]
}

/** Every event and router request of the lines through the string path (decoded as the file reader decodes them) and through the byte entry. */
function bothWays(bytes: Buffer): {fromBytes: Read; fromStrings: Read} {
  const fromStrings: Read = {events: [], requests: []}
  const fromBytes: Read = {events: [], requests: []}
  const strings = new LogParser({defaultYear: 2026, onRouterRequest: request => fromStrings.requests.push(request)})
  const byBytes = new LogParser({defaultYear: 2026, onRouterRequest: request => fromBytes.requests.push(request)})
  for (const [start, end] of linesOf(bytes)) {
    strings.parseAll(bytes.toString('utf8', start, end), event => fromStrings.events.push(event))
    byBytes.parseAllBytes(bytes, start, end, event => fromBytes.events.push(event))
  }

  return {fromBytes, fromStrings}
}

function expectSameRequests(bytes: Buffer, minimum: number): void {
  const {fromBytes, fromStrings} = bothWays(bytes)
  expect(fromBytes.requests).to.deep.equal(fromStrings.requests)
  expect(fromBytes.events).to.deep.equal(fromStrings.events)
  expect(fromStrings.requests.length).to.be.at.least(minimum)
}

function routerContext(found: RouterRequest[]): LineContext {
  return {
    calendar: new NoYearCalendar(2026),
    dyno: '',
    legacy: new LegacyGroups(),
    onLinesDropped: undefined,
    onRouterRequest: request => found.push(request),
    origin: 'platform',
    read: {end: 0},
    routerLines: true,
    time: 0,
    values: new Float64Array(METRIC_NAMES.length),
  }
}

describe('parse/router-line-bytes', () => {
  it('reads the usual router line, and a drain frame of one, from its bytes', () => {
    for (const line of [USUAL, DRAIN, `${TS} heroku[router]: ${H12}`]) {
      const bytes = Buffer.from(`xx${line}\n`)
      const found: RouterRequest[] = []
      expect(routerLineBytes(bytes, 2, bytes.length - 1, routerContext(found), new ByteLineState()), line).to.equal(true)
      expect(found).to.have.length(1)
    }
  })

  it('leaves other lines to the string path: the drain-token shape, a non-ASCII path, a router line of the app', () => {
    for (const line of [
      `${TS} d.3f5e0c8a-7d21-4b9e-9a0c-2b6f1e4d8c11 heroku[router]: ${INFO}`,
      USUAL.replace('/reports/42', '/r\u00E9ports/42'),
      `${TS} app[router]: ${INFO}`,
      `${TS} heroku[web.1]: ${INFO}`,
      `Nov 20 10:12:03 acme heroku/router: ${INFO}`,
    ]) {
      const bytes = Buffer.from(line)
      expect(routerLineBytes(bytes, 0, bytes.length, routerContext([]), new ByteLineState()), line).to.equal(false)
    }
  })

  it('reads each line\'s own header when a reader fills its buffer again with other lines at the same offsets', () => {
    const found: RouterRequest[] = []
    const parser = new LogParser({defaultYear: 2026, onRouterRequest: request => found.push(request)})
    const buffer = Buffer.alloc(1024, 32)
    // The app's frame holds `router` at the same offset as the platform's before it.
    for (const line of [FRAME, `<158>1 ${TS} hostxyz app router - ${INFO}`, USUAL, `${TS} app[router]: ${INFO}`]) {
      const length = buffer.write(line, 0)
      parser.parseAllBytes(buffer, 0, length, () => {})
    }

    expect(found).to.have.length(2)
  })

  describe('gives the requests the string path gives', () => {
    it('on the generated benchmark log (2 MB): router, memory and app lines read in one go', () => {
      const dir = mkdtempSync(join(tmpdir(), 'router-bytes-'))
      try {
        const path = join(dir, 'bench.log')
        generateLog(path, 2 * 1024 * 1024)
        expectSameRequests(readFileSync(path), 2000)
      } finally {
        rmSync(dir, {force: true, recursive: true})
      }
    })

    it('on near misses: quoting, repeated and missing keys, numbers, units, spacing, headers, bytes', () => {
      const near = [
        USUAL,
        DRAIN,
        FRAME,
        `${TS} heroku[router]: ${H12}`,
        USUAL.replace('path="/reports/42/export?x=1"', 'path=/favicon.ico'),
        USUAL.replace('path="/reports/42/export?x=1"', 'path="/x dyno=web.9 service=1ms status=200"'),
        USUAL.replace('path="/reports/42/export?x=1"', 'path="/no/closing/quote'),
        USUAL.replace('path="/reports/42/export?x=1"', 'path=""'),
        USUAL.replace('path="/reports/42/export?x=1"', 'path="/a=b"'),
        USUAL.replace('method=GET', 'method=GET method=POST'),
        USUAL.replace('method=GET', 'method=PROPFIND'),
        USUAL.replace('method=GET', 'method='),
        USUAL.replace('method=GET ', ''),
        USUAL.replace('status=200', 'status=200 status=500'),
        USUAL.replace('status=200', 'status=2.5'),
        USUAL.replace('status=200', 'status=200x'),
        USUAL.replace('status=200', 'status='),
        USUAL.replace('service=2340ms', 'service=2340'),
        USUAL.replace('service=2340ms', 'service=2.5ms'),
        USUAL.replace('service=2340ms', 'service=.5ms'),
        USUAL.replace('service=2340ms', 'service=ms'),
        USUAL.replace('service=2340ms', 'service=1234567890123456ms'),
        USUAL.replace('service=2340ms', 'service=12mss'),
        USUAL.replace('bytes=880123', 'bytes=88.5'),
        USUAL.replace('bytes=880123', 'bytes='),
        USUAL.replace('bytes=880123 ', ''),
        USUAL.replace('dyno=web.3', 'dyno='),
        USUAL.replace('dyno=web.3', 'dyno=web.3 dyno=web.4'),
        USUAL.replace('dyno=web.3', 'dyno=-web'),
        USUAL.replace('dyno=web.3', `dyno=${'w'.repeat(65)}`),
        USUAL.replace('dyno=web.3', `dyno=${'w'.repeat(64)}`),
        USUAL.replace('dyno=web.3', 'dyno=worker_high.12'),
        USUAL.replace('at=info', 'at=error code=H12 code=H13'),
        USUAL.replace(' host=', '   host='),
        USUAL.replace('at=info ', ''),
        `${USUAL}   `,
        `${USUAL}\r`,
        `${USUAL} trailing`,
        `${USUAL} x=`,
        `${USUAL} =`,
        USUAL.replace('heroku[router]: ', 'heroku[router]:  '),
        USUAL.replace('heroku[router]: ', 'heroku[router]: '.repeat(2)),
        USUAL.replace('+00:00', 'Z'),
        USUAL.replace('+00:00', '-07:00'),
        USUAL.replace('.456789', ''),
        USUAL.replace('2026-11-20T10', '2026-13-20T10'),
        `${TS} heroku[router]: `,
        `${TS} heroku[router]:`,
        `${TS} heroku[router]: x`,
        USUAL.replace('host=acme.herokuapp.com', 'host=ac\u00E9me.herokuapp.com'),
        USUAL.replace('fwd="203.0.113.7"', 'fwd="\u2603 203.0.113.7"'),
        USUAL.replace('code', 'c\u00F6de'),
      ]
      const lines = near.map(line => Buffer.from(line))
      // Bytes that are not UTF-8 (U+FFFD in the string path), in a value kept and in one skipped.
      lines.push(
        Buffer.concat([Buffer.from(USUAL.slice(0, 70)), Buffer.from([0xFF, 0xC3]), Buffer.from(USUAL.slice(70))]),
        Buffer.from(USUAL.replace('acme', '\u0000acme')),
        Buffer.concat([Buffer.from(USUAL.replace('203.0.113.7', '')), Buffer.from([0xE2, 0x98])]),
      )
      expectSameRequests(Buffer.concat(lines.flatMap(line => [line, Buffer.from('\n')])), near.length / 2)
    })

    it('on 20,000 byte-level mutations of router lines, read in one go', () => {
      const variants = [USUAL, DRAIN, FRAME, `${TS} heroku[router]: ${H12}`, USUAL.replace('10:12', '11:59').replace('web.3', 'worker.2')]
      expectSameRequests(mutatedLines(variants, '0123456789 .:-+TZ[]="msatuybodehpcGETPOS/?\t\r<>', 20_000, 20_261_202), 5000)
    })
  })
})
