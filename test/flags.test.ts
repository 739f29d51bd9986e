import {expect} from 'chai'

import {UserError} from '../src/errors.js'
import {dynoFilter, parseDuration} from '../src/flags.js'

describe('parseDuration', () => {
  it('reads units and compound durations', () => {
    expect(parseDuration('30s')).to.equal(30_000)
    expect(parseDuration('10m')).to.equal(600_000)
    expect(parseDuration('1h30m')).to.equal(5_400_000)
    expect(parseDuration('2d')).to.equal(172_800_000)
    expect(parseDuration('500ms')).to.equal(500)
    expect(parseDuration('45')).to.equal(45_000)
    expect(parseDuration(' 1.5H ')).to.equal(5_400_000)
  })

  for (const bad of ['', 'abc', '10x', 'm10', '0s', '0', '0.0', '10m junk', '-5m']) {
    it(`rejects ${JSON.stringify(bad)} with a one-line usage error`, () => {
      expect(() => parseDuration(bad)).to.throw(UserError, /Invalid duration/).with.property('exitCode', 2)
    })
  }
})

describe('dynoFilter', () => {
  it('prefers a dyno name over a process type', () => {
    expect(dynoFilter({'dyno-name': 'web.1', 'process-type': 'worker'})).to.deep.equal({dyno: 'web.1'})
    expect(dynoFilter({'process-type': 'worker'})).to.deep.equal({type: 'worker'})
    expect(dynoFilter({})).to.deep.equal({})
  })
})
