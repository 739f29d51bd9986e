import {expect} from 'chai'

import type {LogEvent} from '../../src/core/events.js'

import {processTypeOf} from '../../src/core/events.js'
import {EVENT_NEEDLES, LogParser} from '../../src/core/parse-line.js'

const INSTANCE = 'heroku.2808254.d97d0ea7-cf3d-411b-b453-d2943a50b456'
const TS = '2026-11-20T10:12:00.123456+00:00'
const TIME = Date.parse('2026-11-20T10:12:00.123Z')
const MEMORY_MESSAGE = [
  `source=web.1 dyno=${INSTANCE}`,
  'sample#memory_total=491.32MB',
  'sample#memory_rss=491.20MB',
  'sample#memory_cache=0.12MB',
  'sample#memory_swap=0.00MB',
  'sample#memory_pgpgin=176221pages',
  'sample#memory_pgpgout=50442pages',
  'sample#memory_quota=512.00MB',
].join(' ')
const LOAD_MESSAGE = `source=web.1 dyno=${INSTANCE} sample#load_avg_1m=2.46 sample#load_avg_5m=1.06 sample#load_avg_15m=0.99`
const LEGACY_SOURCE = 'heroku.772639.web.1.50578a75-9052-4f2c-9a0e-7ae4b0d3e4a1'

/** Every platform message kind, in `heroku logs` shape, with the event it must give. */
const EVENT_LINES: Array<[string, LogEvent]> = [
  [`${TS} heroku[web.1]: ${MEMORY_MESSAGE}`, {
    cache: 0.12, dyno: 'web.1', instance: INSTANCE, kind: 'memory', pgpgin: 176_221, pgpgout: 50_442,
    quota: 512, rss: 491.2, swap: 0, time: TIME, total: 491.32, type: 'web',
  }],
  [`${TS} heroku[web.1]: ${LOAD_MESSAGE}`, {
    dyno: 'web.1', instance: INSTANCE, kind: 'load', load15m: 0.99, load1m: 2.46, load5m: 1.06, time: TIME, type: 'web',
  }],
  [`${TS} heroku[worker.1]: Error R14 (Memory quota exceeded)`, {
    code: 'R14', dyno: 'worker.1', kind: 'error', time: TIME, type: 'worker',
  }],
  [`${TS} heroku[worker.1]: Error R15 (Memory quota vastly exceeded)`, {
    code: 'R15', dyno: 'worker.1', kind: 'error', time: TIME, type: 'worker',
  }],
  [`${TS} heroku[worker.1]: Process running mem=1013M(197.9%)`, {
    dyno: 'worker.1', kind: 'reading', mem: 1013, percent: 197.9, time: TIME, type: 'worker',
  }],
  [`${TS} heroku[web.2]: Process running mem=1028MB(103.3%)`, {
    dyno: 'web.2', kind: 'reading', mem: 1028, percent: 103.3, time: TIME, type: 'web',
  }],
  [`${TS} heroku[web.1]: Restarting`, {
    action: 'restarting', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
  }],
  [`${TS} heroku[web.1]: Cycling`, {
    action: 'cycling', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
  }],
  [`${TS} heroku[web.1]: State changed from up to crashed`, {
    action: 'crashed', dyno: 'web.1', from: 'up', kind: 'dyno', time: TIME, to: 'crashed', type: 'web',
  }],
  [`${TS} heroku[web.1]: State changed from starting to up`, {
    action: 'state', dyno: 'web.1', from: 'starting', kind: 'dyno', time: TIME, to: 'up', type: 'web',
  }],
  [`${TS} heroku[web.1]: Stopping all processes with SIGTERM`, {
    action: 'stopping', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
  }],
  [`${TS} heroku[worker.1]: Stopping process with SIGKILL`, {
    action: 'sigkill', dyno: 'worker.1', kind: 'dyno', time: TIME, type: 'worker',
  }],
  [`${TS} heroku[web.1]: Stopping remaining processes with SIGKILL`, {
    action: 'sigkill', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
  }],
  [`${TS} heroku[worker.1]: Process exited with status 137`, {
    action: 'exited', dyno: 'worker.1', kind: 'dyno', status: 137, time: TIME, type: 'worker',
  }],
  [`${TS} heroku[web.1]: Process exited with status 0`, {
    action: 'exited', dyno: 'web.1', kind: 'dyno', status: 0, time: TIME, type: 'web',
  }],
  [`${TS} heroku[web.1]: Starting process with command \`bundle exec puma -C config/puma.rb\``, {
    action: 'starting', command: 'bundle exec puma -C config/puma.rb', dyno: 'web.1', kind: 'dyno', time: TIME, type: 'web',
  }],
  [`${TS} heroku[run.1234]: Starting process with command \`bash\` by user someone@example.com`, {
    action: 'starting', command: 'bash', dyno: 'run.1234', kind: 'dyno', time: TIME, type: 'run',
  }],
  [`${TS} app[api]: Release v42 created by user someone@example.com`, {
    action: 'release', description: 'Release v42 created', kind: 'release', time: TIME, version: 42,
  }],
  [`${TS} app[api]: Deploy f0426ba9 by user someone@example.com`, {
    action: 'deploy', description: 'Deploy f0426ba9', kind: 'release', time: TIME,
  }],
  [`${TS} app[api]: Set FOO, BAR config vars by user someone@example.com`, {
    action: 'config', description: 'Set FOO, BAR config vars', kind: 'release', time: TIME,
  }],
  [`${TS} app[api]: Remove FOO config vars by user someone@example.com`, {
    action: 'config', description: 'Remove FOO config vars', kind: 'release', time: TIME,
  }],
  [`${TS} app[api]: Rollback to v12 by user someone@example.com`, {
    action: 'rollback', description: 'Rollback to v12', kind: 'release', time: TIME, version: 12,
  }],
  [`${TS} app[api]: Scaled to web@2:Standard-1X by user someone@example.com`, {
    action: 'scale', description: 'Scaled to web@2:Standard-1X', kind: 'release', time: TIME,
  }],
  // 2012 logs name the release log `heroku[api]`.
  [`${TS} heroku[api]: Release v3 created by user someone@example.com`, {
    action: 'release', description: 'Release v3 created', kind: 'release', time: TIME, version: 3,
  }],
]

/** App output that imitates the platform, and other lines that are never events. */
const NOT_OURS = [
  `${TS} app[web.1]: ${MEMORY_MESSAGE.replace('491.20MB', '9999MB')}`,
  `${TS} app[web.1]: ${LOAD_MESSAGE}`,
  `${TS} app[web.1]: Error R14 (Memory quota exceeded)`,
  `${TS} app[web.1]: Error R15 (Memory quota vastly exceeded)`,
  `${TS} app[worker.1]: Process running mem=1013M(197.9%)`,
  `${TS} app[web.1]: Restarting`,
  `${TS} app[web.1]: State changed from up to crashed`,
  `${TS} app[web.1]: Stopping process with SIGKILL`,
  `${TS} app[web.1]: ${TS} heroku[web.1]: Error R14 (Memory quota exceeded)`,
  `${TS} app[web.1]: 2026-11-20T10:12:00+00:00 heroku[web.1]: ${MEMORY_MESSAGE}`,
  `${TS} app[web.1]: heroku[web.1]: Error R15 (Memory quota vastly exceeded)`,
  `${TS} app[web.1]: Release v42 created by user someone@example.com`,
  `${TS} app[api]: Error R14 (Memory quota exceeded)`,
  `${TS} app[api]: ${MEMORY_MESSAGE}`,
  `${TS} app[api]: Build started by user someone@example.com`,
  `${TS} app[api]: Restarting`,
  `${TS} heroku[router]: at=info method=GET path="/" host=x.herokuapp.com request_id=1 fwd="1.2.3.4" dyno=web.1 connect=0ms service=3ms status=200 bytes=100 protocol=https`,
  `${TS} heroku[router]: at=error code=H12 desc="Request timeout" Error R14 sample#memory_rss=1MB`,
  `${TS} herokux[web.1]: Error R14 (Memory quota exceeded)`,
  `${TS} xheroku[web.1]: Error R14 (Memory quota exceeded)`,
  `${TS} heroku[web 1]: Error R14 (Memory quota exceeded)`,
  `${TS} heroku[]: Error R14 (Memory quota exceeded)`,
  `${TS} heroku[web.1] Error R14 (Memory quota exceeded)`,
  'heroku[web.1]: Error R14 (Memory quota exceeded)',
  `${TS} heroku[web.1]: Error R14x`,
  `${TS} heroku[web.1]: Error R16 (Something)`,
  `${TS} heroku[web.1]: error R14 (Memory quota exceeded)`,
  `${TS} heroku[web.1]: Restarting now`,
  `${TS} heroku[web.1]: Idling`,
  `${TS} heroku[web.1]: State changed from up`,
  `${TS} heroku[web.1]: State changed from up to CRASHED!`,
  `${TS} heroku[web.1]: Stopping for lunch`,
  `${TS} heroku[web.1]: Process exited with status abc`,
  `${TS} heroku[web.1]: Process exited with status 13700`,
  `${TS} heroku[web.1]: Process running mem=lots`,
  `${TS} heroku[web.1]: Process running mem=1013M`,
  `${TS} heroku[web.1]: Process running mem=1013M(abc%)`,
  `${TS} heroku[web.1]: source=web.1 dyno=${INSTANCE} sample#memory_total=9MB`,
  `${TS} heroku[web.1]: source=web.1 dyno=${INSTANCE}`,
  `${TS} heroku[web.1]: `,
  '',
  '\r',
  'garbage',
  '2026-99-20T10:12:00+00:00 heroku[web.1]: Restarting',
  '2026-02-30T10:12:00+00:00 heroku[web.1]: Restarting',
  '2026-11-20T25:12:00+00:00 heroku[web.1]: Restarting',
  '2026-11-20T10:12:00+99:00 heroku[web.1]: Restarting',
  '2026-11-20T10:12:00.+00:00 heroku[web.1]: Restarting',
  '2026-11-20T10:12:00+00:00junk heroku[web.1]: Restarting',
  '1969-12-31T23:59:59Z heroku[web.1]: Restarting',
  '<134>1 2023-08-24T10:28:47.153192+00:00 host app web.1 - Error R14 (Memory quota exceeded)',
  `<134>1 2023-08-24T10:28:47.153192+00:00 host app web.1 - ${MEMORY_MESSAGE}`,
  '<134>1 2023-08-24T10:28:47.153192+00:00 host app web.1 - <134>1 2023-08-24T10:28:47+00:00 host heroku web.1 - Error R14 (Memory quota exceeded)',
  '<134>1 2023-08-24T10:28:47.153192+00:00 host heroku router - at=info method=GET path="/"',
  '<134>1 2023-08-24T10:28:47.153192+00:00 host app api - Error R14 (Memory quota exceeded)',
  '1\t2016-08-11 17:45:57\t2016-08-11T17:45:57\t5\tmyapp\t1.2.3.4\tLocal3\tInfo\tapp/web.1\tError R14 (Memory quota exceeded)',
  `1\t2016-08-11 17:45:57\t2016-08-11T17:45:57\t5\tmyapp\t1.2.3.4\tLocal3\tInfo\tapp/web.1\t${MEMORY_MESSAGE}`,
  '1\t2016-08-11 17:45:57\t2016-08-11T17:45:57\t5\tmyapp\t1.2.3.4\tLocal3\tInfo\tapp/web.1\theroku/web.1\tError R14 (Memory quota exceeded)',
  '1\t2016-08-11 17:45:57\t2016-08-11T17:45:57\t5\tmyapp\t1.2.3.4\tLocal3\tInfo\theroku/router\tat=info Error R14',
  'Nov 21 14:14:58 myapp app/web.1: Error R14 (Memory quota exceeded)',
  'Nov 21 14:14:58 myapp app/web.1: heroku/web.1: Error R14 (Memory quota exceeded)',
  'Nov 21 14:14:58 myapp heroku/router: at=info method=GET path="/"',
  'Nov 31 14:14:58 myapp heroku/web.1: Error R14 (Memory quota exceeded)',
  'Xyz 21 14:14:58 myapp heroku/web.1: Error R14 (Memory quota exceeded)',
]

function parseOne(line: string): LogEvent | undefined {
  return new LogParser({defaultYear: 2026}).parse(line)
}

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

/** An octet-counted syslog frame. */
function frame(body: string): string {
  return `${Buffer.byteLength(body)} ${body}`
}

/** One 2013 legacy metric line. */
function legacy(measure: string, value: string, at = '2013-03-01T10:00:00+00:00', source = LEGACY_SOURCE): string {
  return `${at} heroku[web.1]: source=${source} measure=${measure} val=${value}`
}

/** One Papertrail archive row. */
function tsv(program: string, message: string, generatedAt = '2016-08-11 17:45:57'): string {
  return `700594297938165774\t${generatedAt}\t2016-08-11T17:45:58\t42\tmyapp\t54.1.2.3\tLocal3\tInfo\t${program}\t${message}`
}

function memoryLine(message: string): string {
  return `${TS} heroku[web.1]: ${message}`
}

describe('LogParser', () => {
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

  describe('timestamps', () => {
    const cases: Array<[string, string]> = [
      ['2026-11-20T10:12:00.123456+00:00', '2026-11-20T10:12:00.123Z'],
      ['2026-11-20T10:12:00+00:00', '2026-11-20T10:12:00Z'],
      ['2026-11-20T10:12:00Z', '2026-11-20T10:12:00Z'],
      ['2026-11-20T10:12:00.5Z', '2026-11-20T10:12:00.500Z'],
      ['2026-11-20T10:12:00.98-05:00', '2026-11-20T15:12:00.980Z'],
      ['2026-11-20T01:12:00.123+05:30', '2026-11-19T19:42:00.123Z'],
      ['2026-11-20T01:12:00+0530', '2026-11-19T19:42:00Z'],
      ['2026-11-20T10:12:00', '2026-11-20T10:12:00Z'],
      ['2024-02-29T23:59:59.999999-00:00', '2024-02-29T23:59:59.999Z'],
    ]
    for (const [stamp, utc] of cases) {
      it(`${stamp} is ${utc}`, () => {
        expect(parseOne(`${stamp} heroku[web.1]: Restarting`)?.time).to.equal(Date.parse(utc))
      })
    }

    it('agrees with Date.parse on every kind of day from 1970 to 2400 (leap years, month ends)', () => {
      const parser = new LogParser()
      const end = Date.UTC(2400, 0, 1)
      for (let time = 0; time < end; time += (86_400_000 * 97) + 3_600_123) {
        const stamp = new Date(time).toISOString()
        expect(parser.parse(`${stamp} heroku[web.1]: Cycling`)?.time, stamp).to.equal(time)
        expect(parser.parse(`${stamp.replace('Z', '-07:30')} heroku[web.1]: Cycling`)?.time, stamp).to.equal(time + (7.5 * 3_600_000))
      }

      for (const stamp of ['2000-02-29T12:00:00Z', '2100-02-28T23:59:59Z', '2024-12-31T23:59:59.999Z', '2025-03-01T00:00:00Z']) {
        expect(parser.parse(`${stamp} heroku[web.1]: Cycling`)?.time, stamp).to.equal(Date.parse(stamp))
      }
    })

    it('drops lines whose time is not a real instant', () => {
      for (const stamp of ['2026-13-01T00:00:00Z', '2025-02-29T00:00:00Z', '2026-11-20T10:60:00Z', 'not-a-time-at-all-x', '2026-11-20T10:12:00+24:00']) {
        expect(parseOne(`${stamp} heroku[web.1]: Restarting`), stamp).to.equal(undefined)
      }
    })
  })

  describe('memory sample keys and values', () => {
    it('reads keys in any order', () => {
      const shuffled = MEMORY_MESSAGE.split(' ').reverse().join(' ')
      expect(parseOne(memoryLine(shuffled))).to.deep.equal(parseOne(memoryLine(MEMORY_MESSAGE)))
    })

    it('computes total from rss + swap + cache when total is missing or malformed', () => {
      for (const total of ['', ' sample#memory_total=abcMB', ' sample#memory_total=', ' sample#memory_total=12XB']) {
        const event = parseOne(memoryLine(`source=web.1 sample#memory_rss=400MB sample#memory_swap=20MB sample#memory_cache=1.5MB${total}`))
        expect(event).to.include({
          cache: 1.5, kind: 'memory', rss: 400, swap: 20, total: 421.5,
        })
      }
    })

    it('needs rss: no sample without a usable one', () => {
      for (const rss of ['', 'sample#memory_rss=abcMB', 'sample#memory_rss=', 'sample#memory_rss=-5MB', 'sample#memory_rss=1e5MB', 'sample#memory_rss=5XB']) {
        expect(parseOne(memoryLine(`source=web.1 sample#memory_total=400MB sample#memory_swap=0MB ${rss}`)), rss).to.equal(undefined)
      }
    })

    it('takes missing cache and swap as 0, and leaves out what the line lacks', () => {
      const event = parseOne(memoryLine('sample#memory_rss=300MB'))
      expect(event).to.deep.equal({
        cache: 0, dyno: 'web.1', kind: 'memory', rss: 300, swap: 0, time: TIME, total: 300, type: 'web',
      })
    })

    it('ignores extra and unknown keys, and words without =', () => {
      const event = parseOne(memoryLine(`source=web.1 foo=bar sample#memory_rss=300MB sample#memory_weird=1MB junk sample#memory_=2 =3 sample#=4 dyno=${INSTANCE}`))
      expect(event).to.deep.equal({
        cache: 0, dyno: 'web.1', instance: INSTANCE, kind: 'memory', rss: 300, swap: 0, time: TIME, total: 300, type: 'web',
      })
    })

    it('converts units to MiB ("MB" is MiB)', () => {
      const cases: Array<[string, number]> = [
        ['512MB', 512],
        ['512.50MB', 512.5],
        ['512', 512],
        ['512M', 512],
        ['512MiB', 512],
        ['1.5GB', 1536],
        ['2G', 2048],
        ['1GiB', 1024],
        ['2048kB', 2],
        ['2048KB', 2],
        ['1024KiB', 1],
        ['1048576B', 1],
        ['.5MB', 0.5],
      ]
      for (const [value, mib] of cases) {
        expect(parseOne(memoryLine(`sample#memory_rss=${value}`)), value).to.include({rss: mib})
      }
    })

    it('reads pgpg counters with or without `pages`, and drops malformed ones', () => {
      expect(parseOne(memoryLine('sample#memory_rss=1MB sample#memory_pgpgin=12pages sample#memory_pgpgout=7'))).to.include({pgpgin: 12, pgpgout: 7})
      const malformed = parseOne(memoryLine('sample#memory_rss=1MB sample#memory_pgpgin=12MB sample#memory_pgpgout=xpages'))
      expect(malformed).to.not.have.property('pgpgin')
      expect(malformed).to.not.have.property('pgpgout')
    })

    it('keeps a positive quota only', () => {
      expect(parseOne(memoryLine('sample#memory_rss=1MB sample#memory_quota=1GB'))).to.include({quota: 1024})
      expect(parseOne(memoryLine('sample#memory_rss=1MB sample#memory_quota=0.00MB'))).to.not.have.property('quota')
    })

    it('treats numbers with more digits than a double holds as malformed, never Infinity', () => {
      const huge = '9'.repeat(400)
      expect(parseOne(memoryLine(`sample#memory_rss=${huge}MB`))).to.equal(undefined)
      expect(parseOne(memoryLine('sample#memory_rss=1234567890123456MB'))).to.equal(undefined)
      const event = parseOne(memoryLine(`sample#memory_rss=999999999999999GB sample#memory_swap=999999999999999GB sample#memory_cache=${huge}MB`))
      expect(event).to.include({cache: 0, rss: 999_999_999_999_999 * 1024})
      expect(Number.isFinite((event as {total: number}).total)).to.equal(true)
    })

    it('takes the dyno from source=, else from the header; instance from dyno=', () => {
      expect(parseOne(`${TS} heroku[web.1]: source=web.2 sample#memory_rss=1MB`)).to.include({dyno: 'web.2', type: 'web'})
      expect(parseOne(`${TS} heroku[worker.3]: sample#memory_rss=1MB`)).to.include({dyno: 'worker.3', type: 'worker'})
      expect(parseOne(`${TS} heroku[worker.3]: source=bad^name sample#memory_rss=1MB`)).to.include({dyno: 'worker.3'})
      expect(parseOne(`${TS} heroku[web.1]: sample#memory_rss=1MB`)).to.not.have.property('instance')
    })

    it('reads Fir-style dyno names', () => {
      expect(parseOne(`${TS} heroku[web-5d8f7c9b4-x2x7q]: Error R14 (Memory quota exceeded)`)).to.include({dyno: 'web-5d8f7c9b4-x2x7q', type: 'web-5d8f7c9b4-x2x7q'})
    })
  })

  describe('load samples', () => {
    it('keeps the loads the line has', () => {
      expect(parseOne(memoryLine('source=web.1 sample#load_avg_1m=0.5 sample#load_avg_15m=abc'))).to.deep.equal({
        dyno: 'web.1', kind: 'load', load1m: 0.5, time: TIME, type: 'web',
      })
    })

    it('gives nothing when no load is usable', () => {
      expect(parseOne(memoryLine('source=web.1 sample#load_avg_1m=x sample#load_avg_5m= sample#load_avg_15m=1.0MB'))).to.equal(undefined)
    })
  })

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

  describe('2013 legacy metrics', () => {
    const SAMPLE = [
      legacy('load_avg_1m', '0.10'),
      legacy('load_avg_5m', '0.20'),
      legacy('load_avg_15m', '0.30'),
      legacy('memory_total', '509.01 units=MB'),
      legacy('memory_rss', '508.97 units=MB'),
      legacy('memory_cache', '0.04 units=MB'),
      legacy('memory_swap', '0.00 units=MB'),
      legacy('memory_pgpgin', '0 units=pages'),
      legacy('memory_pgpgout', '5 units=pages'),
    ]
    const time = Date.parse('2013-03-01T10:00:00Z')

    it('groups one sample’s lines into one load and one memory sample, emitted when complete', () => {
      const parser = new LogParser()
      const results = SAMPLE.map(line => parser.parse(line))
      expect(results.slice(0, 2)).to.deep.equal([undefined, undefined])
      expect(results[2]).to.deep.equal({
        dyno: 'web.1', instance: LEGACY_SOURCE, kind: 'load', load15m: 0.3, load1m: 0.1, load5m: 0.2, time, type: 'web',
      })
      expect(results.slice(3, 8).every(result => result === undefined)).to.equal(true)
      expect(results[8]).to.deep.equal({
        cache: 0.04, dyno: 'web.1', instance: LEGACY_SOURCE, kind: 'memory', pgpgin: 0, pgpgout: 5, rss: 508.97, swap: 0, time, total: 509.01, type: 'web',
      })
      expect(parser.flush()).to.deep.equal([])
    })

    it('emits a partial group when the next sample of the instance begins, the rest on flush', () => {
      const parser = new LogParser()
      const first = [legacy('memory_total', '100 units=MB'), legacy('memory_rss', '90 units=MB')]
      const later = '2013-03-01T10:00:20+00:00'
      const second = [legacy('memory_total', '200 units=MB', later), legacy('memory_rss', '1 units=GB', later)]
      const results = [...first, ...second].map(line => parser.parse(line))
      expect(results[0]).to.equal(undefined)
      expect(results[1]).to.equal(undefined)
      expect(results[2]).to.include({
        kind: 'memory', rss: 90, time, total: 100,
      })
      expect(results[3]).to.equal(undefined)
      expect(parser.flush()).to.deep.equal([{
        cache: 0, dyno: 'web.1', instance: LEGACY_SOURCE, kind: 'memory', rss: 1024, swap: 0, time: time + 20_000, total: 200, type: 'web',
      }])
      expect(parser.flush()).to.deep.equal([])
    })

    it('starts a new group when a metric repeats even within the same second', () => {
      const parser = new LogParser()
      expect(parser.parse(legacy('memory_rss', '1 units=MB'))).to.equal(undefined)
      expect(parser.parse(legacy('memory_rss', '2 units=MB'))).to.include({rss: 1})
      expect(parser.flush()).to.have.length(1)
    })

    it('starts a new group when the time moves on by a sample period, even without a repeat', () => {
      const parser = new LogParser()
      expect(parser.parse(legacy('memory_rss', '1 units=MB'))).to.equal(undefined)
      expect(parser.parse(legacy('memory_swap', '2 units=MB', '2013-03-01T10:00:09+00:00'))).to.equal(undefined)
      expect(parser.parse(legacy('memory_cache', '3 units=MB', '2013-03-01T10:00:20+00:00'))).to.include({rss: 1, swap: 2, time})
    })

    it('keeps instances apart and flushes oldest first, dropping groups without rss', () => {
      const parser = new LogParser()
      const other = 'heroku.772639.web.2.aaaa'
      parser.parse(legacy('memory_rss', '2 units=MB', '2013-03-01T10:00:05+00:00', other).replace('heroku[web.1]', 'heroku[web.2]'))
      parser.parse(legacy('memory_rss', '1 units=MB'))
      parser.parse(legacy('memory_swap', '1 units=MB', '2013-03-01T10:00:05+00:00', 'heroku.1.worker.1.x').replace('heroku[web.1]', 'heroku[worker.1]'))
      parser.parse(legacy('load_avg_1m', '0.5', '2013-03-01T10:00:01+00:00'))
      const flushed = parser.flush()
      expect(flushed.map(event => [event.kind, 'dyno' in event ? event.dyno : ''])).to.deep.equal([['memory', 'web.1'], ['load', 'web.1'], ['memory', 'web.2']])
    })

    it('reads legacy lines in the Papertrail and syslog shapes too', () => {
      const parser = new LogParser()
      for (const line of SAMPLE.slice(3, 8)) parser.parse(tsv('heroku/web.1', line.slice(line.indexOf('source=')), '2013-03-01 10:00:00'))
      expect(parser.parse(`<134>1 2013-03-01T10:00:00+00:00 host heroku web.1 - ${SAMPLE[8].slice(SAMPLE[8].indexOf('source='))}`)).to.include({
        dyno: 'web.1', kind: 'memory', pgpgout: 5, rss: 508.97, time,
      })
    })

    it('ignores malformed legacy lines', () => {
      const parser = new LogParser()
      for (const line of [legacy('memory_rss', 'abc units=MB'), legacy('memory_rss', '5 units=XB'), legacy('memory_bogus', '5'), legacy('memory_rss', '')]) {
        expect(parser.parse(line)).to.equal(undefined)
      }

      expect(parser.flush()).to.deep.equal([])
    })

    it('never trusts legacy lines from the app', () => {
      const parser = new LogParser()
      for (const line of SAMPLE) expect(parser.parse(line.replace('heroku[web.1]', 'app[web.1]'))).to.equal(undefined)
      expect(parser.flush()).to.deep.equal([])
    })
  })

  describe('Papertrail archive TSV', () => {
    const time = Date.parse('2016-08-11T17:45:57Z')

    it('reads platform lines, generated_at without zone as UTC', () => {
      expect(parseOne(tsv('heroku/web.1', MEMORY_MESSAGE))).to.include({
        dyno: 'web.1', kind: 'memory', rss: 491.2, time,
      })
      expect(parseOne(tsv('heroku/worker.2', 'Error R15 (Memory quota vastly exceeded)'))).to.deep.equal({
        code: 'R15', dyno: 'worker.2', kind: 'error', time, type: 'worker',
      })
      expect(parseOne(tsv('heroku/web.1', 'Restarting', '2016-08-11T17:45:57-02:00'))).to.include({time: time + (2 * 3_600_000)})
    })

    it('reads releases from app/api only', () => {
      expect(parseOne(tsv('app/api', 'Release v9 created by user a@b.c'))).to.deep.equal({
        action: 'release', description: 'Release v9 created', kind: 'release', time, version: 9,
      })
      expect(parseOne(tsv('app/web.1', 'Release v9 created by user a@b.c'))).to.equal(undefined)
    })

    it('keeps tabs inside the message', () => {
      expect(parseOne(tsv('app/api', 'Set A\tB config vars by user a@b.c'))).to.include({description: 'Set A\tB config vars'})
    })

    it('drops rows with too few columns or a bad time', () => {
      expect(parseOne('1\t2016-08-11 17:45:57\theroku/web.1\tRestarting')).to.equal(undefined)
      expect(parseOne(tsv('heroku/web.1', 'Restarting', '2016-08-11'))).to.equal(undefined)
    })
  })

  describe('Papertrail search output (no year)', () => {
    it('uses defaultYear', () => {
      expect(parseOne('Nov 21 14:14:58 myapp heroku/web.4: Error R14 (Memory quota exceeded)')).to.deep.equal({
        code: 'R14', dyno: 'web.4', kind: 'error', time: Date.parse('2026-11-21T14:14:58Z'), type: 'web',
      })
      expect(parseOne('Nov  1 04:14:58 myapp heroku/web.4: Cycling')).to.include({time: Date.parse('2026-11-01T04:14:58Z')})
      expect(parseOne('Nov 1 04:14:58 myapp heroku/web.4: Cycling')).to.include({time: Date.parse('2026-11-01T04:14:58Z')})
      expect(parseOne('Nov 21 14:14:58 myapp app/api: Rollback to v3 by user a@b.c')).to.include({action: 'rollback', version: 3})
    })

    it('rolls over to the next year when the month steps back from December', () => {
      const parser = new LogParser({defaultYear: 2025})
      const times = ['Dec 31 23:59:59', 'Nov 30 10:00:00', 'Dec 31 23:59:59', 'Jan  1 00:00:01', 'Feb  3 00:00:00']
      .map(stamp => parser.parse(`${stamp} myapp heroku/web.1: Restarting`)?.time)
      expect(times).to.deep.equal([
        Date.parse('2025-12-31T23:59:59Z'),
        Date.parse('2025-11-30T10:00:00Z'),
        Date.parse('2025-12-31T23:59:59Z'),
        Date.parse('2026-01-01T00:00:01Z'),
        Date.parse('2026-02-03T00:00:00Z'),
      ])
    })

    it('checks the day against the year (Feb 29)', () => {
      expect(new LogParser({defaultYear: 2024}).parse('Feb 29 10:00:00 myapp heroku/web.1: Cycling')).to.include({time: Date.parse('2024-02-29T10:00:00Z')})
      expect(new LogParser({defaultYear: 2026}).parse('Feb 29 10:00:00 myapp heroku/web.1: Cycling')).to.equal(undefined)
    })

    it('without defaultYear, takes the year of the last dated line, and skips lines before any', () => {
      const parser = new LogParser()
      expect(parser.parse('Nov 21 14:14:58 myapp heroku/web.4: Cycling')).to.equal(undefined)
      parser.parse('2019-05-01T00:00:00Z heroku[web.1]: Restarting')
      expect(parser.parse('Nov 21 14:14:58 myapp heroku/web.4: Cycling')).to.include({time: Date.parse('2019-11-21T14:14:58Z')})
      expect(new LogParser({defaultYear: Number.NaN}).parse('Nov 21 14:14:58 myapp heroku/web.4: Cycling')).to.equal(undefined)
    })
  })

  describe('app output posing as the platform', () => {
    for (const line of NOT_OURS) {
      it(`ignores ${JSON.stringify(line.slice(0, 90))}`, () => {
        const parser = new LogParser({defaultYear: 2026})
        const events: LogEvent[] = []
        expect(parser.parse(line)).to.equal(undefined)
        parser.parseAll(line, event => events.push(event))
        expect(events).to.deep.equal([])
        expect(parser.flush()).to.deep.equal([])
      })
    }
  })

  describe('EVENT_NEEDLES', () => {
    it('every line that yields an event holds a needle', () => {
      for (const [line] of EVENT_LINES) expect(EVENT_NEEDLES.some(needle => line.includes(needle)), line).to.equal(true)
    })

    it('name load samples, and only them, with `load_`', () => {
      const loadLines = EVENT_LINES.filter(([, event]) => event.kind === 'load').map(([line]) => line)
      const loadNeedles = EVENT_NEEDLES.filter(needle => needle.includes('load_'))
      const otherNeedles = EVENT_NEEDLES.filter(needle => !needle.includes('load_'))
      expect(loadNeedles).to.have.length(2)
      for (const [line, event] of EVENT_LINES) {
        if (event.kind !== 'load') expect(otherNeedles.some(needle => line.includes(needle)), line).to.equal(true)
      }

      for (const line of [...loadLines, legacy('load_avg_1m', '0.5')]) expect(loadNeedles.some(needle => line.includes(needle)), line).to.equal(true)
    })

    it('are ASCII, so they match raw UTF-8 bytes', () => {
      for (const needle of EVENT_NEEDLES) expect(Buffer.from(needle).length).to.equal(needle.length)
    })

    it('lines without a needle give nothing, even when otherwise well formed', () => {
      expect(parseOne(`${TS} heroku[web.1]: Idling`)).to.equal(undefined)
      expect(parseOne(`${TS} heroku[web.1]: sample#memory-rss=5MB`)).to.equal(undefined)
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
      const parser = new LogParser({defaultYear: 2026})
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
      // The mutations must leave many lines valid, or this test checks little.
      expect(events).to.be.greaterThan(1000)
    })
  })

  it('reads a memory line the same whether its keys come in the platform\'s order (fast path) or any other', () => {
    // Mostly the platform's own shape (so the fast path is taken often), with odd values mixed in.
    const numbers = ['221.57', '0', '31.5', '491.20', '123456789012345', '12.345', '007.10', '.5', '5.', '1234567890123456', '1e3', '', '1.2.3']
    const units = ['MB', 'MB', 'MB', 'MB', 'MB', 'MB', 'MB', 'MB', 'M', 'GB', 'kB', '', 'MBx', 'pages']
    const sources = ['web.1', 'worker.2', '', 'a=b', '-bad', 'run.1234']
    const keys = ['memory_total', 'memory_rss', 'memory_cache', 'memory_swap', 'memory_pgpgin', 'memory_pgpgout', 'memory_quota']
    let seed = 12_345
    const pick = <T>(items: T[]): T => {
      seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648
      return items[seed % items.length]
    }

    let memoryEvents = 0
    for (let i = 0; i < 5000; i++) {
      const parts = keys.map((key, index) => `sample#${key}=${pick(numbers)}${index === 4 || index === 5 ? pick(['pages', 'pages', '', 'MB']) : pick(units)}`)
      const head = `${TS} heroku[web.1]: source=${pick(sources)} dyno=${pick([INSTANCE, '', 'x=y'])} `
      const tail = pick(['', '', '', ' ', '\r', ' extra=1'])
      const inOrder = new LogParser().parse(head + parts.join(' ') + tail)
      // Rotating the keys takes the general scanner; the event must not change.
      const rotated = new LogParser().parse(head + [...parts.slice(3), ...parts.slice(0, 3)].join(' ') + tail)
      expect(rotated, head + parts.join(' ')).to.deep.equal(inOrder)
      if (inOrder?.kind === 'memory') memoryEvents++
    }

    expect(memoryEvents).to.be.greaterThan(500)
  })
})

