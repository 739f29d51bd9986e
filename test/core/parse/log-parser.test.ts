import {expect} from 'chai'

import type {LinesDropped, LogEvent, RouterRequest} from '../../../src/core/events.js'

import {processTypeOf} from '../../../src/core/events.js'
import {EVENT_NEEDLES, LogParser} from '../../../src/core/parse/index.js'
import {
  EVENT_LINES, frame, LEGACY_SOURCE, NOT_OURS, TS,
} from '../../fixtures/log-lines.js'

/** Every number anywhere in the value, for the "never NaN/Infinity" checks. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(inner => numbersIn(inner))
  return []
}

function expectWellFormed(event: LogEvent, line: string): void {
  for (const value of numbersIn(event)) expect(Number.isFinite(value), `non-finite number from ${JSON.stringify(line)}`).to.equal(true)
  if ('dyno' in event) expect(event.type).to.equal(processTypeOf(event.dyno))
  expect(EVENT_NEEDLES.some(needle => line.includes(needle)), `no needle in ${JSON.stringify(line)}`).to.equal(true)
}

describe('parse/log-parser', () => {
  describe('app output posing as the platform', () => {
    for (const line of NOT_OURS) {
      it(`ignores ${JSON.stringify(line.slice(0, 90))}`, () => {
        const extras: unknown[] = []
        const parser = new LogParser({defaultYear: 2026, onLinesDropped: drop => extras.push(drop)})
        const events: LogEvent[] = []
        expect(parser.parse(line)).to.equal(undefined)
        parser.parseAll(line, event => events.push(event))
        expect(events).to.deep.equal([])
        expect(parser.flush()).to.deep.equal([])
        expect(extras).to.deep.equal([])
        // Asked for router lines, a parser takes only the router's own (the first router line of NOT_OURS).
        const requests: RouterRequest[] = []
        new LogParser({defaultYear: 2026, onRouterRequest: request => requests.push(request)}).parseAll(line, event => events.push(event))
        expect(events).to.deep.equal([])
        expect(requests.length).to.equal(line.startsWith(`${TS} heroku[router]: at=info`) ? 1 : 0)
      })
    }
  })

  describe('lines indented by a Markdown copy (an issue\'s or a README\'s code block)', () => {
    for (const indent of ['  ', '          ', '\t', ' \t ']) {
      it(`reads every message kind after ${JSON.stringify(indent)}, as without it`, () => {
        for (const [line, event] of EVENT_LINES) expect(new LogParser({defaultYear: 2026}).parse(indent + line), line).to.deep.equal(event)
      })
    }

    it('splits an indented drain body into its frames', () => {
      const events: LogEvent[] = []
      new LogParser().parseAll(`    ${frame(`<45>1 ${TS} heroku web.1 - - Restarting`)}${frame(`<45>1 ${TS} heroku web.1 - - Error R14 (Memory quota exceeded)`)}`, event => events.push(event))
      expect(events.map(event => event.kind)).to.deep.equal(['dyno', 'error'])
    })

    it('still trusts only the platform\'s header', () => {
      for (const line of NOT_OURS) expect(new LogParser({defaultYear: 2026}).parse(`  ${line}`), line).to.equal(undefined)
    })
  })

  describe('fuzz: never throws, never NaN or Infinity', () => {
    // Park-Miller with a fixed seed: failures are reproducible.
    let seed = 20_261_120
    const random = (): number => {
      seed = (seed * 48_271) % 2_147_483_647
      return seed / 2_147_483_647
    }

    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
    const ALPHABET = [
      ...'0123456789 .:-+TZ<>[]/=#\t\r\n`()%abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_',
      '\u0000',
      'é',
      '☕',
      '😀',
      '\uD800',
      'sample#memory_rss=',
      'heroku[web.1]: ',
      'app[api]: ',
      ' measure=memory_',
      'val=',
      'MB',
      'GB',
      'units=',
      'Error R14',
      'Process running mem=',
      '2026-11-20T10:12:00Z ',
      '<134>1 ',
      'heroku/',
      'Nov 21 ',
      'heroku[router]: ',
      'service=3ms ',
      'status=200 ',
      '"',
      'Error L10 ',
      ' dropped 5 messages since ',
    ]
    const CORPUS = [...EVENT_LINES.map(([line]) => line),
      ...NOT_OURS,
      '335 <134>1 2023-08-24T10:28:47.153192+00:00 host heroku web.1 - Restarting',
      '7\t2013-03-01 10:00:00\t2013-03-01T10:00:01\t5\tmyapp\t1.2.3.4\tLocal3\tInfo\theroku/web.1\tsource=x measure=memory_rss val=5 units=MB',
      `2013-03-01T10:00:00+00:00 heroku[web.1]: source=${LEGACY_SOURCE} measure=memory_total val=509.01 units=MB`,
      'Dec 21 14:14:58 myapp heroku/web.4: Process running mem=1013M(197.9%)']

    const mutate = (line: string): string => {
      let text = line
      const edits = 1 + Math.floor(random() * 4)
      for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(random() * (text.length + 1))
        switch (Math.floor(random() * 6)) {
        case 0: {
          text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5))
          break
        }

        case 1: {
          text = text.slice(0, at) + pick(ALPHABET) + text.slice(at)
          break
        }

        case 2: {
          text = text.slice(0, at) + pick(ALPHABET) + text.slice(at + 1)
          break
        }

        case 3: {
          text = text.slice(0, at)
          break
        }

        case 4: {
          text = text.slice(0, at) + pick(CORPUS) + text.slice(at)
          break
        }

        default: {
          text = text.slice(0, at) + '9'.repeat(Math.floor(random() * 30)) + text.slice(at)
        }
        }
      }

      return text
    }

    const randomLine = (): string => {
      let text = ''
      const length = Math.floor(random() * 40)
      for (let index = 0; index < length; index++) text += pick(ALPHABET)
      return text
    }

    it('on 30,000 random and mutated lines', () => {
      const extras: Array<LinesDropped | RouterRequest> = []
      const parser = new LogParser({defaultYear: 2026, onLinesDropped: drop => extras.push(drop), onRouterRequest: request => extras.push(request)})
      let events = 0
      for (let round = 0; round < 30_000; round++) {
        const line = round % 3 === 0 ? randomLine() : mutate(pick(CORPUS))
        const found: LogEvent[] = []
        try {
          const event = parser.parse(line)
          if (event) found.push(event)
          parser.parseAll(line, event => found.push(event))
        } catch (error) {
          throw new Error(`threw on ${JSON.stringify(line)}: ${error}`)
        }

        for (const event of found) expectWellFormed(event, line)
        events += found.length
      }

      for (const event of parser.flush()) expectWellFormed(event, 'measure=memory_')
      for (const extra of extras) {
        for (const value of numbersIn(extra)) expect(Number.isFinite(value), JSON.stringify(extra)).to.equal(true)
      }

      expect(extras.filter(extra => extra.kind === 'router').length).to.be.greaterThan(30)
      // The mutations must leave many lines valid, or this test checks little.
      expect(events).to.be.greaterThan(1000)
    })
  })
})
