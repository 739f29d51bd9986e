import {expect} from 'chai'

import type {LinesDropped} from '../../../src/core/events.js'

import {LogParser} from '../../../src/core/parse/index.js'
import {
  EVENT_LINES, parseOne, TIME, TS,
} from '../../fixtures/log-lines.js'

/** What a parser asked for L10 lines hands its `onLinesDropped`; no line is a LogEvent. */
function drops(lines: string[]): LinesDropped[] {
  const found: LinesDropped[] = []
  const parser = new LogParser({onLinesDropped: drop => found.push(drop)})
  for (const line of lines) expect(parser.parse(line), line).to.equal(undefined)
  return found
}

describe('parse/messages', () => {
  describe('heroku logs shape: every message kind', () => {
    for (const [line, expected] of EVENT_LINES) {
      it(line.slice(TS.length + 1, TS.length + 60), () => {
        expect(parseOne(line)).to.deep.equal(expected)
      })
    }

    it(String.raw`tolerates a trailing \r and trailing spaces`, () => {
      for (const [line, expected] of EVENT_LINES) {
        expect(parseOne(`${line}\r`)).to.deep.equal(expected)
        expect(parseOne(`${line}  `)).to.deep.equal(expected)
      }
    })
  })

  describe('older and rarer wordings', () => {
    it('reads `Starting process with command:` with its colon', () => {
      expect(parseOne(`${TS} heroku[web.1]: Starting process with command: \`bundle exec rails server -p 22020\``)).to.deep.equal({
        action: 'starting', command: 'bundle exec rails server -p 22020', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
      })
      expect(parseOne(`${TS} heroku[web.1]: Starting process with commandos`)).to.equal(undefined)
    })

    it('reads `Process exited` with no status (old logs) as an exit without status', () => {
      expect(parseOne(`${TS} heroku[web.1]: Process exited`)).to.deep.equal({
        action: 'exited', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
      })
      for (const message of ['Process exited with', 'Process exited with status ', 'Process exited early']) {
        expect(parseOne(`${TS} heroku[web.1]: ${message}`), message).to.equal(undefined)
      }
    })

    it('reads `State changed from up to complete` (one-off and scheduler dynos)', () => {
      expect(parseOne(`${TS} heroku[scheduler.4242]: State changed from up to complete`)).to.deep.equal({
        action: 'state', dyno: 'scheduler.4242', from: 'up', kind: 'dyno', time: TIME, to: 'complete', type: 'scheduler',
      })
    })

    it('reads `Scaled to` with several process types', () => {
      expect(parseOne(`${TS} app[api]: Scaled to web@2:Standard-2X worker@4:Performance-M by user someone@example.com`)).to.deep.equal({
        action: 'scale', description: 'Scaled to web@2:Standard-2X worker@4:Performance-M', kind: 'release', time: TIME,
      })
      expect(parseOne(`${TS} app[api]: Scaled to web@2:Standard-2X and more by user someone@example.com`)).to.equal(undefined)
    })
  })

  describe('Error L10 (Logplex dropped lines)', () => {
    const L10 = '2025-10-22T14:25:27.747804+00:00 heroku[logplex]: Error L10 (output buffer overflow): drain \'d.efe51fd5-0000-4153-b094-f5e9f7df3058\' dropped 12 messages since 2025-10-22T14:24:27.798935+00:00.'
    const OLD_L10 = '2013-04-17T19:04:46+00:00 d.1234-drain-identifier-567 heroku[logplex]: Error L10 (output buffer overflow): 500 messages dropped since 2013-04-17T19:04:46+00:00.'

    it('reaches onLinesDropped in both known wordings, never as a LogEvent', () => {
      expect(drops([L10, OLD_L10])).to.deep.equal([
        {
          count: 12, kind: 'dropped', since: Date.parse('2025-10-22T14:24:27.798Z'), time: Date.parse('2025-10-22T14:25:27.747Z'),
        },
        {
          count: 500, kind: 'dropped', since: Date.parse('2013-04-17T19:04:46Z'), time: Date.parse('2013-04-17T19:04:46Z'),
        },
      ])
    })

    it('keeps the drop when the details are missing', () => {
      expect(drops(['2025-10-22T14:25:27.747804+00:00 heroku[logplex]: Error L10 (output buffer overflow)'])).to.deep.equal([
        {kind: 'dropped', time: Date.parse('2025-10-22T14:25:27.747Z')},
      ])
    })

    it('is nothing without onLinesDropped, and from the app', () => {
      expect(parseOne(L10)).to.equal(undefined)
      expect(drops([L10.replace('heroku[logplex]', 'app[web.1]'), L10.replace('Error L10', 'Error L100')])).to.deep.equal([])
      expect(drops([`${TS} heroku[web.1]: Error R16 (Detached)`, `${TS} heroku[web.1]: Error H10`])).to.deep.equal([])
    })
  })
})
