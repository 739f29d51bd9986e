import {expect} from 'chai'

import {AlertMonitor} from '../../../src/core/alerts/alert-monitor.js'
import {sample, T0} from '../../fixtures/recorded-events.js'

const MINUTE = 60_000
const r15 = (time: number) => ({
  code: 'R15' as const, dyno: 'web.1', kind: 'error' as const, time, type: 'web',
})
const options = {blindAfterMs: 5 * MINUTE, overQuotaMs: 10 * MINUTE, rateLimitMs: 15 * MINUTE}

describe('AlertMonitor', () => {
  it('R15 triggers once per rate-limit window, keyed by app and dyno, and resolves when the dyno is back under its quota', () => {
    const monitor = new AlertMonitor(options)
    const first = monitor.onEvent('demo-app', r15(T0), T0)
    expect(first.map(alert => [alert.action, alert.kind, alert.dedupKey])).to.deep.equal([['trigger', 'r15', 'heroku-mem/demo-app/web.1']])
    // The platform logs R15 every 20 s while it lasts: one alert, not one per line.
    expect(monitor.onEvent('demo-app', r15(T0 + 20_000), T0 + 20_000)).to.deep.equal([])
    expect(monitor.onEvent('demo-app', sample('web.1', T0 + 40_000, 600), T0 + 40_000)).to.deep.equal([])
    const resolved = monitor.onEvent('demo-app', sample('web.1', T0 + 60_000, 300), T0 + 60_000)
    expect(resolved.map(alert => [alert.action, alert.kind, alert.dedupKey])).to.deep.equal([['resolve', 'r15', 'heroku-mem/demo-app/web.1']])
    // Again within the rate limit: no new trigger (and so no resolve either).
    expect(monitor.onEvent('demo-app', r15(T0 + 2 * MINUTE), T0 + 2 * MINUTE)).to.deep.equal([])
    expect(monitor.onEvent('demo-app', sample('web.1', T0 + 3 * MINUTE, 300), T0 + 3 * MINUTE)).to.deep.equal([])
    // After it: a trigger again.
    expect(monitor.onEvent('demo-app', r15(T0 + 16 * MINUTE), T0 + 16 * MINUTE)).to.have.length(1)
  })

  it('over quota triggers only once a dyno has stayed over for the set time (log clock), with the figures', () => {
    const monitor = new AlertMonitor(options)
    const alerts = []
    for (let minute = 0; minute <= 12; minute++) alerts.push(...monitor.onEvent('demo-app', sample('web.2', T0 + minute * MINUTE, 560), T0))
    expect(alerts).to.have.length(1)
    expect(alerts[0]).to.deep.include({
      action: 'trigger', dyno: 'web.2', kind: 'over-quota', time: T0 + 10 * MINUTE,
    })
    expect(alerts[0].details).to.deep.equal({
      over_for_s: 600, percent_of_quota: 109.4, quota_mb: 512, used_mb: 560,
    })
    // A dip under the quota restarts the count.
    const other = new AlertMonitor(options)
    const dips = [...Array.from({length: 8}, (_, i) => sample('web.1', T0 + i * MINUTE, 560)), sample('web.1', T0 + 8 * MINUTE, 500), ...Array.from({length: 8}, (_, i) => sample('web.1', T0 + (9 + i) * MINUTE, 560))]
    expect(dips.flatMap(event => other.onEvent('demo-app', event, T0))).to.deep.equal([])
  })

  it('the quota comes from the dyno size when the line carries none', () => {
    const monitor = new AlertMonitor({...options, sizes: new Map([['demo-app', {web: 'Standard-2X'}]])})
    const alerts = []
    for (let minute = 0; minute <= 11; minute++) alerts.push(...monitor.onEvent('demo-app', sample('web.1', T0 + minute * MINUTE, 700, {quota: undefined}), T0))
    expect(alerts).to.deep.equal([])
  })

  it('blind: an app silent for the set wall-clock time triggers once, the next event resolves it', () => {
    const monitor = new AlertMonitor(options)
    expect(monitor.tick(['demo-app'], T0)).to.deep.equal([])
    expect(monitor.tick(['demo-app'], T0 + 4 * MINUTE)).to.deep.equal([])
    const blind = monitor.tick(['demo-app'], T0 + 5 * MINUTE)
    expect(blind.map(alert => [alert.action, alert.kind, alert.dedupKey])).to.deep.equal([['trigger', 'blind', 'heroku-mem/demo-app/recorder']])
    expect(monitor.tick(['demo-app'], T0 + 6 * MINUTE)).to.deep.equal([])
    const back = monitor.onEvent('demo-app', sample('web.1', T0, 300), T0 + 7 * MINUTE)
    expect(back.map(alert => [alert.action, alert.kind])).to.deep.equal([['resolve', 'blind']])
  })
})
