import {expect} from 'chai'

import {parseOne} from '../../fixtures/log-lines.js'

describe('parse/heroku-logs-shape', () => {
  const token = 'd.9173ea1f-6f14-4976-9cf0-7cd0dafdcdbc'
  const time = Date.parse('2013-01-01T01:01:01Z')

  it('reads lines stored with the drain token before the source, with or without the colon', () => {
    const restarting = {
      action: 'restarting', dyno: 'web.1', kind: 'dyno', time, type: 'web',
    }
    expect(parseOne(`2013-01-01T01:01:01.000000+00:00 ${token} heroku[web.1]: Restarting`)).to.deep.equal(restarting)
    expect(parseOne(`2013-01-01T01:01:01.000000+00:00 ${token} heroku[web.1] Restarting`)).to.deep.equal(restarting)
  })

  it('takes no other word before the source, and a colon-less source only after a drain token', () => {
    expect(parseOne(`2013-01-01T01:01:01.000000+00:00 x.${token} heroku[web.1]: Restarting`)).to.equal(undefined)
    expect(parseOne('2013-01-01T01:01:01.000000+00:00 heroku[web.1] Restarting')).to.equal(undefined)
  })

  it('never trusts the app behind a drain token', () => {
    expect(parseOne(`2013-01-01T01:01:01.000000+00:00 ${token} app[web.1] Restarting`)).to.equal(undefined)
    expect(parseOne(`2013-01-01T01:01:01.000000+00:00 ${token} app[web.1]: ${token} heroku[web.1]: Restarting`)).to.equal(undefined)
  })
})
