import {expect} from 'chai'

import type {RouterRequest} from '../../../src/core/events.js'

import {LogParser} from '../../../src/core/parse/index.js'

const TS = '2026-11-20T10:12:03.456789+00:00'
const TIME = Date.parse('2026-11-20T10:12:03.456Z')
const INFO = 'at=info method=GET path="/reports/42/export?x=1" host=acme.herokuapp.com request_id=3f1c2a9e-0b7d-4c1e-9f3a-5d6e7f8a9b0c '
  + 'fwd="203.0.113.7" dyno=web.3 connect=0ms service=2340ms status=200 bytes=880123 protocol=https'
const H12 = 'at=error code=H12 desc="Request timeout" method=POST path="/imports" host=acme.herokuapp.com request_id=7a8b fwd="203.0.113.7" '
  + 'dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https'

function requests(lines: string[]): RouterRequest[] {
  const found: RouterRequest[] = []
  const parser = new LogParser({defaultYear: 2026, onRouterRequest: request => found.push(request)})
  for (const line of lines) expect(parser.parse(line), line).to.equal(undefined)
  return found
}

describe('parse/router-lines', () => {
  it('reads a request, asked for', () => {
    expect(requests([`${TS} heroku[router]: ${INFO}`])).to.deep.equal([{
      bytes: 880_123, dyno: 'web.3', kind: 'router', method: 'GET', path: '/reports/42/export?x=1', serviceMs: 2340, status: 200, time: TIME, type: 'web',
    }])
  })

  it('reads at=error lines with their code', () => {
    expect(requests([`${TS} heroku[router]: ${H12}`])).to.deep.equal([{
      bytes: 0, code: 'H12', dyno: 'web.1', kind: 'router', method: 'POST', path: '/imports', serviceMs: 30_000, status: 503, time: TIME, type: 'web',
    }])
  })

  it('reads router lines in the syslog and Papertrail shapes, and 2013\'s unquoted paths', () => {
    const found = requests([
      `<158>1 ${TS} host heroku router - ${INFO}`,
      `Nov 20 10:12:03 acme heroku/router: ${INFO}`,
      '2013-08-22T16:39:22.208103+00:00 heroku[router]: at=info method=GET path=/favicon.ico host=example.com fwd="205.159.94.63" dyno=web.3 connect=1ms service=20ms status=200 bytes=894',
    ])
    expect(found.map(request => [request.path, request.serviceMs])).to.deep.equal([['/reports/42/export?x=1', 2340], ['/reports/42/export?x=1', 2340], ['/favicon.ico', 20]])
  })

  it('skips requests no dyno served (H10: empty service=)', () => {
    expect(requests([`${TS} heroku[router]: at=error code=H10 desc="App crashed" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`])).to.deep.equal([])
  })

  it('never takes a field from inside a quoted value the client chose', () => {
    const forged = 'at=info method=GET path="/x dyno=web.9 service=1ms status=200" host=h dyno=web.3 connect=0ms service=2340ms status=500 bytes=1'
    const [request] = requests([`${TS} heroku[router]: ${forged}`])
    expect(request).to.include({
      dyno: 'web.3', path: '/x dyno=web.9 service=1ms status=200', serviceMs: 2340, status: 500,
    })
  })

  it('unless asked, rejects router lines by their header, before their time is read', () => {
    // A no-year router line read in full would move the calendar to December: January would then be next year's.
    const parser = new LogParser({defaultYear: 2025})
    expect(parser.parse(`Dec 31 23:59:59 acme heroku/router: ${INFO}`)).to.equal(undefined)
    expect(parser.parse('Jan  2 00:00:01 acme heroku/web.1: Restarting')?.time).to.equal(Date.parse('2025-01-02T00:00:01Z'))
  })

  it('gives nothing unless asked, and nothing from the app', () => {
    expect(new LogParser().parse(`${TS} heroku[router]: ${INFO}`)).to.equal(undefined)
    expect(requests([`${TS} app[web.1]: ${INFO}`, `${TS} app[router]: ${INFO}`, `<158>1 ${TS} host app router - ${INFO}`])).to.deep.equal([])
  })
})
