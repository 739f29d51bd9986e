import {expect} from 'chai'

import type {LogEvent} from '../../../src/core/events.js'

import {LogParser} from '../../../src/core/parse/index.js'
import {
  EVENT_LINES, frame, INSTANCE, MEMORY_MESSAGE, NOT_OURS, parseOne,
} from '../../fixtures/log-lines.js'

describe('parse/syslog-shape', () => {
  describe('syslog drain frames', () => {
    const header = '<134>1 2023-08-24T10:28:47.153192+00:00 host heroku web.1 - '
    const time = Date.parse('2023-08-24T10:28:47.153Z')

    it('reads a frame with and without its octet count', () => {
      const expected = {
        code: 'R14', dyno: 'web.1', kind: 'error', time, type: 'web',
      }
      expect(parseOne(frame(`${header}Error R14 (Memory quota exceeded)`))).to.deep.equal(expected)
      expect(parseOne(`${header}Error R14 (Memory quota exceeded)`)).to.deep.equal(expected)
      expect(parseOne(`335 ${header}Error R14 (Memory quota exceeded)`)).to.deep.equal(expected)
    })

    it('takes the dyno from the process id and reads samples', () => {
      const event = parseOne(frame(`<134>1 2023-08-24T10:28:47.153192+00:00 host heroku worker.2 - ${MEMORY_MESSAGE.replace('source=web.1 ', '')}`))
      expect(event).to.include({
        dyno: 'worker.2', instance: INSTANCE, kind: 'memory', rss: 491.2, time,
      })
    })

    it('accepts a nil structured-data field', () => {
      expect(parseOne(`${header}- Restarting`)).to.include({action: 'restarting'})
    })

    it('reads releases from app-name app, process id api only', () => {
      expect(parseOne('<134>1 2023-08-24T10:28:47+00:00 host app api - Deploy f0426ba9 by user a@b.c')).to.include({action: 'deploy', description: 'Deploy f0426ba9'})
      expect(parseOne('<134>1 2023-08-24T10:28:47+00:00 host app web.1 - Deploy f0426ba9 by user a@b.c')).to.equal(undefined)
    })

    it('parse reads the first frame of a body; parseAll reads every frame, by octet count', () => {
      const body = [
        frame(`${header}Error R14 (Memory quota exceeded)`),
        frame('<134>1 2023-08-24T10:28:48+00:00 host app web.1 - café ☕ 😀 says 99 <134>1 2023-08-24T10:28:48+00:00 host heroku web.1 - Error R15 (x)'),
        frame('<134>1 2023-08-24T10:28:49+00:00 host heroku web.1 - Restarting\n'),
        frame('<134>1 2023-08-24T10:28:50+00:00 host heroku router - at=info'),
        frame('<134>1 2023-08-24T10:28:51+00:00 host heroku web.1 - Cycling'),
      ].join('')
      expect(new LogParser().parse(body)).to.include({code: 'R14'})
      const events: LogEvent[] = []
      new LogParser().parseAll(body, event => events.push(event))
      expect(events.map(event => event.kind === 'dyno' ? event.action : event.kind)).to.deep.equal(['error', 'restarting', 'cycling'])
      expect(events[0]).to.include({code: 'R14'})
    })

    it('parseAll reads other shapes like parse', () => {
      const events: LogEvent[] = []
      const parser = new LogParser({defaultYear: 2026})
      for (const [line] of EVENT_LINES) parser.parseAll(line, event => events.push(event))
      parser.parseAll(NOT_OURS[0], event => events.push(event))
      expect(events).to.deep.equal(EVENT_LINES.map(([, event]) => event))
    })

    it('never reads an app frame\'s text as a frame, even when invalid bytes make its length in the string unknown', () => {
      // Each invalid byte (1 octet) decodes to U+FFFD (3 in UTF-8): k of them make a byte walk end 2k
      // characters early, exactly where the forged frame starts when 2k is its length.
      let forged = frame('<134>1 2023-08-24T10:28:48+00:00 host heroku web.1 - Error R15 (Memory quota vastly exceeded)')
      if (forged.length % 2 === 1) forged = ` ${forged}`
      const appFrame = Buffer.concat([
        Buffer.from('<134>1 2023-08-24T10:28:47+00:00 host app web.1 - '), Buffer.alloc(forged.length / 2, 0xFF), Buffer.from(forged),
      ])
      const body = Buffer.concat([Buffer.from(`${appFrame.length} `), appFrame, Buffer.from(frame(`${header}Cycling`))]).toString('utf8')
      const events: LogEvent[] = []
      new LogParser().parseAll(body, event => events.push(event))
      expect(events).to.deep.equal([])
      const plain: LogEvent[] = []
      new LogParser().parseAll(`${frame('<134>1 2023-08-24T10:28:47+00:00 host app web.1 - ok')}${forged}`, event => plain.push(event))
      expect(plain).to.have.length(1)
    })

    it('never reads a message past the end of its frame', () => {
      // Each octet count cuts its frame short of the text that would make it an event.
      const cuts: Array<[string, number]> = [
        ['Error R14 (Memory quota exceeded)', 8],
        ['Process running mem=1013M(197.9%)', 31],
        ['Restarting', 7],
        ['Process exited with status 137', 26],
        [`${MEMORY_MESSAGE}`, 20],
      ]
      for (const [message, kept] of cuts) {
        const line = `${header.length + kept} ${header}${message}`
        expect(parseOne(line), line).to.equal(undefined)
        expect(parseOne(`${header.length + message.length} ${header}${message}`), message).to.not.equal(undefined)
      }
    })

    it('stops at a frame whose count is garbage', () => {
      const events: LogEvent[] = []
      new LogParser().parseAll(`${frame(`${header}Cycling`)}x9 ${header}Restarting`, event => events.push(event))
      expect(events).to.have.length(1)
    })
  })

  describe('frames without a host field', () => {
    const stamp = '2021-06-14T08:02:41.208317+00:00'
    const time = Date.parse('2021-06-14T08:02:41.208Z')
    const r14 = {
      code: 'R14', dyno: 'web.1', kind: 'error', time, type: 'web',
    }

    it('reads `<45>1 TS heroku web.1 - - MSG` with and without its octet count', () => {
      const body = `<45>1 ${stamp} heroku web.1 - - Error R14 (Memory quota exceeded)`
      expect(parseOne(body)).to.deep.equal(r14)
      expect(parseOne(frame(body))).to.deep.equal(r14)
    })

    it('reads the frame after a collector\'s receive time, at the frame\'s own time', () => {
      expect(parseOne(`14 Jun 2021 16:02:41.731204 <45>1 ${stamp} heroku web.1 - - Error R14 (Memory quota exceeded)`)).to.deep.equal(r14)
      expect(parseOne(`4 Jun 2021 16:02:41 <45>1 ${stamp} heroku web.1 - - Error R14 (Memory quota exceeded)`)).to.deep.equal(r14)
      for (const prefix of ['14 Jux 2021 16:02:41.731204', '14 Jun 21 16:02:41', '14 Jun 2021 16:02:41.731204 x']) {
        expect(parseOne(`${prefix} <45>1 ${stamp} heroku web.1 - - Error R14 (Memory quota exceeded)`), prefix).to.equal(undefined)
      }
    })

    it('reads the frame after a receive time in ISO form (Logentries), with or without the frame\'s octet count', () => {
      const body = `<45>1 ${stamp} heroku web.1 - - Error R14 (Memory quota exceeded)`
      for (const received of ['2021-06-14 08:03:12.564', '2021-06-14 08:03:12', '2021-06-14T08:03:12.564Z']) {
        expect(parseOne(`${received} ${body}`), received).to.deep.equal(r14)
        expect(parseOne(`${received} ${frame(body)}`), received).to.deep.equal(r14)
      }

      const sample = `<45>1 ${stamp} heroku web.1 - - ${MEMORY_MESSAGE}`
      expect(parseOne(`2021-06-14 08:03:12.564 ${frame(sample)}`)).to.include({kind: 'memory', rss: 491.2, time})
      for (const received of ['2021-06-14 08:03:1x.564', '2021-13-14 08:03:12.564', '2021-06-14 08:03:12.564 x']) {
        expect(parseOne(`${received} ${body}`), received).to.equal(undefined)
      }

      expect(parseOne(`2021-06-14 08:03:12.564 ${frame(`<45>1 ${stamp} app web.1 - - Error R14 (Memory quota exceeded)`)}`)).to.equal(undefined)
    })

    it('reads a frame stored without `<PRI>VERSION`, its stamp\'s date and clock apart by a space or a `T`', () => {
      for (const stored of ['2021-06-14 08:02:41.208317+00:00', stamp, '2021-06-14 08:02:41.208317Z']) {
        expect(parseOne(`${stored} heroku web.1 - - Error R14 (Memory quota exceeded)`), stored).to.deep.equal(r14)
        expect(parseOne(`${stored} host heroku web.1 - Error R14 (Memory quota exceeded)`), stored).to.deep.equal(r14)
      }

      expect(parseOne(`2021-06-14 08:02:41.208317+00:00 heroku web.1 - - ${MEMORY_MESSAGE}`)).to.include({kind: 'memory', rss: 491.2, time})
      for (const line of [
        '2021-06-14 08:02:41.208317+00:00 app web.1 - - Error R14 (Memory quota exceeded)',
        '2021-06-14 08:02:41.208317+00:00 heroku web.1 x - Error R14 (Memory quota exceeded)',
        '2021-06-14 08:02:41.208317+00:00 heroku router - - at=info Error R14 (Memory quota exceeded)',
        '2021-06-14 08:02:4x.208317+00:00 heroku web.1 - - Error R14 (Memory quota exceeded)',
      ]) expect(parseOne(line), line).to.equal(undefined)
    })

    it('reads the 2012 drain layout, the drain token as MSGID', () => {
      expect(parseOne('<40>1 2012-10-02T19:21:07+00:00 heroku web.2 d.3f5e0c8a-7d21-4b9e-9a0c-2b6f1e4d8c11 - State changed from up to crashed')).to.deep.equal({
        action: 'crashed', dyno: 'web.2', from: 'up', kind: 'dyno', time: Date.parse('2012-10-02T19:21:07Z'), to: 'crashed', type: 'web',
      })
    })

    it('needs a nil MSGID or a drain token where the host field would be read otherwise', () => {
      expect(parseOne(`<45>1 ${stamp} heroku web.1 x - Error R14 (Memory quota exceeded)`)).to.equal(undefined)
      expect(parseOne(`<45>1 ${stamp} heroku web.1 -x - Error R14 (Memory quota exceeded)`)).to.equal(undefined)
    })

    it('never trusts the app\'s frames, nor the router\'s', () => {
      for (const body of [
        `<45>1 ${stamp} app web.1 - - Error R14 (Memory quota exceeded)`,
        `<40>1 ${stamp} app web.2 d.3f5e0c8a - Error R14 (Memory quota exceeded)`,
        `<45>1 ${stamp} heroku router - - at=info Error R14 (Memory quota exceeded)`,
        `<45>1 ${stamp} host app web.1 - heroku web.1 - - Error R14 (Memory quota exceeded)`,
      ]) {
        expect(parseOne(body), body).to.equal(undefined)
        expect(parseOne(frame(body)), body).to.equal(undefined)
      }
    })

    it('parseAll gives every frame of a body, glued, spaced or on separate lines; parse the first', () => {
      const frames = [
        frame(`<45>1 ${stamp} heroku web.1 - - Error R14 (Memory quota exceeded)`),
        frame(`<45>1 ${stamp} app web.1 - - Error R15 (Memory quota vastly exceeded)`),
        frame(`<45>1 ${stamp} heroku web.1 - - Process running mem=1013M(197.9%)`),
        frame('<40>1 2012-10-02T19:21:07+00:00 heroku web.2 d.3f5e0c8a - Restarting'),
      ]
      for (const separator of ['', ' ', '\n', '\r\n']) {
        const body = frames.join(separator)
        const events: LogEvent[] = []
        new LogParser().parseAll(body, event => events.push(event))
        expect(events.map(event => event.kind), JSON.stringify(separator)).to.deep.equal(['error', 'reading', 'dyno'])
        expect(new LogParser().parse(body)).to.deep.equal(r14)
      }
    })
  })
})
