import {expect} from 'chai'

import type {Decision} from '../../src/core/watchdog/decision.js'

import {describeDecision} from '../../src/render/watchdog-output.js'

const over: Decision = {
  action: 'restart', dyno: 'web.1', limit: 461, need: 1, over: 1, reason: 'over', threshold: '90%', time: 0, type: 'web',
}

describe('watchdog decisions in words', () => {
  it('counts readings in the singular for one (--for 1) and the plural past it', () => {
    expect(describeDecision(over)).to.equal('over 90% (461MB) for 1 reading')
    expect(describeDecision({...over, over: 3})).to.equal('over 90% (461MB) for 3 readings')
    expect(describeDecision({...over, action: 'watch', need: 2})).to.equal('over 90% (461MB), 1 of 2 readings')
    expect(describeDecision({...over, action: 'hold', reason: 'dry-run'})).to.equal('dry run: would restart (over 90% (461MB) for 1 reading)')
    expect(describeDecision({...over, reason: 'r14'})).to.equal('R14 (memory quota exceeded) for 1 reading')
  })
})
