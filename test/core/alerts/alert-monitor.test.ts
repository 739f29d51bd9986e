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
      over_for_s: 600, percent_of_quota: 109.4, quota_mb: 512, run: 'heroku mem:report -a demo-app -d web.2', used_mb: 560,
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

  it('blind: an app silent for the set wall-clock time while dynos run triggers once, the next event resolves it', () => {
    const monitor = new AlertMonitor(options)
    expect(monitor.silentApps(['demo-app'], T0)).to.deep.equal([])
    expect(monitor.silentApps(['demo-app'], T0 + 4 * MINUTE)).to.deep.equal([])
    expect(monitor.silentApps(['demo-app'], T0 + 5 * MINUTE)).to.deep.equal(['demo-app'])
    const blind = monitor.dynoCount('demo-app', 3, T0 + 5 * MINUTE)
    expect(blind.alerts.map(alert => [alert.action, alert.kind, alert.dedupKey])).to.deep.equal([['trigger', 'blind', 'heroku-mem/demo-app/recorder']])
    expect(blind.alerts[0].summary).to.match(/3 dynos running.*stream looks dead/)
    // Asked again only after another blindAfterMs; still blind: no second trigger.
    expect(monitor.silentApps(['demo-app'], T0 + 6 * MINUTE)).to.deep.equal([])
    expect(monitor.silentApps(['demo-app'], T0 + 10 * MINUTE)).to.deep.equal(['demo-app'])
    expect(monitor.dynoCount('demo-app', 3, T0 + 10 * MINUTE)).to.deep.equal({alerts: [], notes: []})
    const back = monitor.onEvent('demo-app', sample('web.1', T0, 300), T0 + 11 * MINUTE)
    expect(back.map(alert => [alert.action, alert.kind])).to.deep.equal([['resolve', 'blind']])
  })

  it('an app with no dyno running (scaled to zero, asleep) is silent, not blind: a note once, no alert', () => {
    const monitor = new AlertMonitor(options)
    monitor.silentApps(['idle-app'], T0)
    expect(monitor.silentApps(['idle-app'], T0 + 5 * MINUTE)).to.deep.equal(['idle-app'])
    const idle = monitor.dynoCount('idle-app', 0, T0 + 5 * MINUTE)
    expect(idle.alerts).to.deep.equal([])
    expect(idle.notes).to.have.length(1)
    expect(idle.notes[0]).to.match(/idle-app: .*no dyno is running.*no alert/)
    // Still none running later: nothing more is said.
    expect(monitor.dynoCount('idle-app', 0, T0 + 10 * MINUTE)).to.deep.equal({alerts: [], notes: []})
    // Dynos running again but still nothing read: now the stream is dead.
    expect(monitor.dynoCount('idle-app', 1, T0 + 15 * MINUTE).alerts.map(alert => alert.action)).to.deep.equal(['trigger'])
    // The dyno list not answering: blind is the safer guess (nothing says the app is idle).
    const unknown = new AlertMonitor(options)
    unknown.silentApps(['x'], T0)
    expect(unknown.dynoCount('x', undefined, T0 + 5 * MINUTE).alerts.map(alert => alert.kind)).to.deep.equal(['blind'])
  })

  it('a blind app scaled to zero meanwhile: the blind alert resolves, with the reason', () => {
    const monitor = new AlertMonitor(options)
    monitor.silentApps(['demo-app'], T0)
    monitor.dynoCount('demo-app', 2, T0 + 5 * MINUTE)
    const step = monitor.dynoCount('demo-app', 0, T0 + 10 * MINUTE)
    expect(step.alerts.map(alert => [alert.action, alert.kind])).to.deep.equal([['resolve', 'blind']])
    expect(step.alerts[0].summary).to.contain('no dyno is running')
  })

  it('watchdog decisions: each restart alerts with the reading and the threshold; the loop breaker once; both resolve under the quota', () => {
    const monitor = new AlertMonitor(options)
    monitor.onEvent('demo-app', {
      action: 'release', description: 'Deploy 1a2b', kind: 'release', time: T0, version: 42,
    }, T0)
    const decision = {
      action: 'restart' as const, dyno: 'web.2', limit: 460.8, need: 3, over: 3, quota: 512, reason: 'over' as const, threshold: '90%', time: T0, type: 'web', value: 470.25,
    }
    const restart = monitor.onDecision('demo-app', decision, T0)
    expect(restart).to.have.length(1)
    expect(restart[0]).to.deep.include({
      action: 'trigger', dedupKey: 'heroku-mem/demo-app/web.2', dyno: 'web.2', kind: 'restart',
    })
    expect(restart[0].details).to.deep.equal({
      limit_mb: 460.8, quota_mb: 512, readings_over: 3, release: 'v42', run: 'heroku mem:report -a demo-app -d web.2', threshold: '90%', value_mb: 470.3,
    })
    expect(restart[0].summary).to.equal('demo-app web.2: restarted by the watchdog at 470.3 MB (threshold 90% = 460.8 MB, 3 readings over)')
    // A second restart is a second alert: the watchdog's cooldown and hourly cap already bound them.
    expect(monitor.onDecision('demo-app', {...decision, time: T0 + 10 * MINUTE}, T0 + 10 * MINUTE)).to.have.length(1)
    const hold = {...decision, action: 'hold' as const, reason: 'loop-breaker' as const}
    expect(monitor.onDecision('demo-app', hold, T0).map(alert => alert.kind)).to.deep.equal(['loop-breaker'])
    // Held again at every reading: one alert.
    expect(monitor.onDecision('demo-app', hold, T0 + 20_000)).to.deep.equal([])
    expect(monitor.onDecision('demo-app', {...decision, action: 'hold', reason: 'cooldown'}, T0)).to.deep.equal([])
    const under = monitor.onEvent('demo-app', sample('web.2', T0 + 11 * MINUTE, 200), T0 + 11 * MINUTE)
    expect(under.map(alert => [alert.action, alert.kind]).sort()).to.deep.equal([['resolve', 'loop-breaker'], ['resolve', 'restart']])
  })

  it('prediction: a confident leak that reaches the quota within the hour is said once, with the rate and the time left; a steady dyno never', () => {
    const monitor = new AlertMonitor(options)
    const alerts = []
    // 250 MB rising 180 MB/h, a little noise: at the quota (512 MB) after ~87 min.
    for (let tick = 0; tick < 240; tick++) {
      const time = T0 + tick * 20_000
      alerts.push(
        ...monitor.onEvent('demo-app', sample('web.3', time, 250 + (180 * tick * 20_000 / 3_600_000) + (tick % 3)), time),
        ...monitor.onEvent('demo-app', sample('web.1', time, 300 + (tick % 5)), time),
      )
    }

    const predictions = alerts.filter(alert => alert.kind === 'prediction')
    expect(predictions, JSON.stringify(predictions)).to.have.length(1)
    const [prediction] = predictions
    expect(prediction).to.deep.include({action: 'trigger', dyno: 'web.3'})
    const {minutes_to_quota: minutes, rate_mb_per_hour: rate} = prediction.details as {minutes_to_quota: number; rate_mb_per_hour: number}
    expect(rate).to.be.within(170, 190)
    // Ground truth at the time it was said: (512 - level) / 180 MB/h.
    const level = 250 + (180 * (prediction.time - T0) / 3_600_000)
    expect(minutes).to.be.within(((512 - level) / 180 * 60) - 5, ((512 - level) / 180 * 60) + 5)
    expect(minutes).to.be.at.most(60)
    // Not before mem:report would call the leak medium confidence (after ~45 min of it; at 30 min it is 1 in 4).
    expect(prediction.time - T0).to.be.at.least(45 * MINUTE)
    expect(prediction.summary).to.match(/^demo-app web\.3: reaches its quota in ~\d+ min at 1[78]\d MB\/h \(\d+ of 512 MB now\)$/)
  })
})
