import {expect} from 'chai'

import type {Alert} from '../../src/core/alerts/alert-monitor.js'

import {AlertSender} from '../../src/notify/alert-sender.js'
import {parseTarget, WEBHOOK_SCHEMA} from '../../src/notify/alert-targets.js'
import {T0} from '../fixtures/recorded-events.js'
import {type HttpReceiver, startReceiver} from '../helpers/http-receiver.js'
import {until} from '../helpers/until.js'

const trigger: Alert = {
  action: 'trigger', app: 'demo-app', dedupKey: 'heroku-mem/demo-app/web.1', details: {code: 'R15'}, dyno: 'web.1', kind: 'r15', summary: 'demo-app web.1: R15', time: T0,
}
const resolve: Alert = {...trigger, action: 'resolve', summary: 'demo-app web.1: back under its quota'}

describe('AlertSender against a local HTTP receiver', () => {
  let receiver: HttpReceiver

  beforeEach(async () => {
    receiver = await startReceiver()
  })

  afterEach(() => receiver.close())

  it('Slack gets a text message', async () => {
    const sender = new AlertSender([parseTarget(`slack+${receiver.url}/services/T0/B0/secret`, 0)])
    sender.send(trigger)
    await sender.drain(5000)
    expect(receiver.posts).to.deep.equal([{body: {text: ':rotating_light: demo-app web.1: R15'}, path: '/services/T0/B0/secret'}])
  })

  it('PagerDuty gets an Events API v2 trigger, then a resolve with the same dedup key; the routing key travels in the body only', async () => {
    const sender = new AlertSender([parseTarget(`pagerduty+${receiver.url}/v2/enqueue?routing_key=R0UT1NG`, 0)])
    sender.send(trigger)
    sender.send(resolve)
    await sender.drain(5000)
    expect(receiver.posts.map(post => post.path)).to.deep.equal(['/v2/enqueue', '/v2/enqueue'])
    expect(receiver.posts[0].body).to.deep.equal({
      dedup_key: 'heroku-mem/demo-app/web.1',
      event_action: 'trigger',
      payload: {
        class: 'r15', component: 'web.1', custom_details: {code: 'R15'}, group: 'demo-app', severity: 'critical', source: 'heroku-mem demo-app', summary: 'demo-app web.1: R15', timestamp: new Date(T0).toISOString(),
      },
      routing_key: 'R0UT1NG',
    })
    expect(receiver.posts[1].body).to.deep.equal({dedup_key: 'heroku-mem/demo-app/web.1', event_action: 'resolve', routing_key: 'R0UT1NG'})
  })

  it('a generic webhook gets the documented JSON', async () => {
    const sender = new AlertSender([parseTarget(`${receiver.url}/hook`, 0)])
    sender.send(trigger)
    await sender.drain(5000)
    expect(receiver.posts[0].body).to.deep.equal({
      action: 'trigger', app: 'demo-app', dedup_key: 'heroku-mem/demo-app/web.1', details: {code: 'R15'}, dyno: 'web.1', kind: 'r15', schema: WEBHOOK_SCHEMA, severity: 'critical', summary: 'demo-app web.1: R15', time: new Date(T0).toISOString(),
    })
  })

  it('retries a failing target with backoff and delivers each alert once; send never waits', async () => {
    let calls = 0
    receiver.answer = () => (++calls <= 2 ? 503 : 200)
    const sender = new AlertSender([parseTarget(`${receiver.url}/hook`, 0)], {retryBaseMs: 20})
    sender.send(trigger)
    sender.send(resolve)
    // send only queues: nothing has been posted when it returns.
    expect(receiver.posts).to.have.length(0)
    await until(() => sender.delivered === 2, 'both alerts delivered')
    expect(receiver.posts.map(post => post.body.action)).to.deep.equal(['trigger', 'trigger', 'trigger', 'resolve'])
  })

  it('a target that keeps failing is reported by its label, never its URL', async () => {
    receiver.answer = () => 500
    const failures: string[] = []
    const sender = new AlertSender([parseTarget(`slack+${receiver.url}/services/T0/B0/secret-token`, 0)], {attempts: 2, onFailure: message => failures.push(message), retryBaseMs: 5})
    sender.send(trigger)
    await until(() => failures.length > 0, 'the failure report')
    expect(failures).to.deep.equal(['slack #1: could not deliver the r15 alert for demo-app web.1 after 2 tries (HTTP 500)'])
  })

  it('at exit a hanging webhook is given up when the drain time is up: the post in flight is closed, nothing is retried', async () => {
    receiver.answer = () => 'hang'
    const failures: string[] = []
    const sender = new AlertSender([parseTarget(`${receiver.url}/hook`, 0)], {onFailure: message => failures.push(message), retryBaseMs: 5})
    sender.send(trigger)
    sender.send(resolve)
    await until(() => receiver.posts.length === 1, 'the first post')
    const started = Date.now()
    await sender.drain(200)
    expect(Date.now() - started).to.be.below(1000)
    // The connection is closed at once, not left to the 10 s post timeout (which would keep the process alive).
    await until(() => receiver.abandoned === 1, 'the hanging post closed', 1000)
    expect(failures).to.deep.equal(['gave up on 2 alerts not yet delivered at exit'])
    await new Promise(resolve => {
      setTimeout(resolve, 100)
    })
    expect(receiver.posts).to.have.length(1)
  })

  it('a bad --notify value is a usage error that does not echo the URL', () => {
    expect(() => parseTarget('not a url secret', 0)).to.throw(/--notify #1 is not a URL/).with.property('exitCode', 2)
    expect(() => parseTarget('https://events.pagerduty.com/v2/enqueue', 1)).to.throw(/routing_key/)
  })
})
