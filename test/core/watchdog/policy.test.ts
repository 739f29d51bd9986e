import {expect} from 'chai'

import type {
  DynoEvent, LogEvent, MemoryError, MemorySample,
} from '../../../src/core/events.js'
import type {Decision, PolicyStep, RestartOutcome} from '../../../src/core/watchdog/decision.js'
import type {RestartPolicyOptions} from '../../../src/core/watchdog/options.js'

import {processTypeOf} from '../../../src/core/events.js'
import {RestartPolicy} from '../../../src/core/watchdog/policy.js'
import {parseThresholds} from '../../../src/core/watchdog/threshold.js'

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
const TICK = 20_000
const MIN = 60_000

function sample(dyno: string, time: number, used: number, instance = `${dyno}-a`): MemorySample {
  return {
    cache: 1, dyno, instance, kind: 'memory', quota: 512, rss: used, swap: 0, time, total: used + 1, type: processTypeOf(dyno),
  }
}

function r14(dyno: string, time: number): MemoryError {
  return {
    code: 'R14', dyno, kind: 'error', time, type: processTypeOf(dyno),
  }
}

/** A sample of web.1 without `memory_quota` (as in the Dev Center's example line). */
function withoutQuota(time: number, used: number): MemorySample {
  return {...sample('web.1', time, used), quota: undefined}
}

/** `Process running mem=...M(...%)` on a 512 MB dyno. */
function running(dyno: string, time: number, mem: number): LogEvent {
  return {
    dyno, kind: 'reading', mem, percent: (mem / 512) * 100, time, type: processTypeOf(dyno),
  }
}

function restarting(dyno: string, time: number): DynoEvent {
  return {
    action: 'restarting', dyno, kind: 'dyno', time, type: processTypeOf(dyno),
  }
}

function policyFor(options: Partial<RestartPolicyOptions> & {threshold?: string[]} = {}, dynos = ['web.1', 'web.2', 'web.3', 'worker.1']): RestartPolicy {
  const policy = new RestartPolicy({cooldownMs: 10 * MIN, thresholds: parseThresholds(options.threshold ?? ['90%']), ...options})
  policy.setDynos(dynos.map(name => ({
    name, size: 'Standard-1X', state: 'up', type: processTypeOf(name), updatedAt: T0 - (24 * 60 * MIN),
  })))
  return policy
}

/** Feeds events in order and gathers every step's output. */
function feed(policy: RestartPolicy, events: LogEvent[]): PolicyStep {
  const all: PolicyStep = {decisions: [], refreshDynos: false, restarts: []}
  for (const event of events) collect(all, policy.observe(event))
  return all
}

function collect(into: PolicyStep, step: PolicyStep): PolicyStep {
  into.decisions.push(...step.decisions)
  into.restarts.push(...step.restarts)
  into.refreshDynos ||= step.refreshDynos
  return into
}

/** A decided restart goes out (every send guard passes) and comes back with this outcome. */
function sent(policy: RestartPolicy, dyno: string, outcome: RestartOutcome, note?: string): PolicyStep {
  const {send, step} = policy.confirmSend(dyno)
  expect(send, `the restart of ${dyno} was dropped at send time: ${JSON.stringify(step.decisions)}`).to.equal(true)
  return collect(step, policy.restartOutcome(dyno, outcome, note))
}

function actions(decisions: Decision[]): string[] {
  return decisions.map(decision => `${decision.dyno} ${decision.action}:${decision.reason}`)
}

/** A dyno's samples, one a tick from `start`, with these used-MiB values. */
function series(dyno: string, start: number, values: number[], instance?: string): MemorySample[] {
  return values.map((value, index) => sample(dyno, start + (index * TICK), value, instance))
}

describe('RestartPolicy', () => {
  it('restarts a dyno after --for consecutive readings over the limit, and never a steady one', () => {
    const policy = policyFor()
    const leaking = feed(policy, series('web.1', T0, [400, 470, 480]))
    expect(leaking.restarts).to.deep.equal(['web.1'])
    expect(actions(leaking.decisions)).to.deep.equal(['web.1 watch:over', 'web.1 restart:over'])
    const restart = leaking.decisions[1]
    expect(restart).to.include({
      limit: 460.8, need: 2, over: 2, quota: 512, threshold: '90%', time: T0 + (2 * TICK), value: 480,
    })
    const steady = feed(policy, series('web.2', T0 + (3 * TICK), [300, 310, 305, 300, 310]))
    expect(steady.restarts).to.deep.equal([])
    expect(steady.decisions).to.deep.equal([])
  })

  it('starts counting again when a reading falls back under the limit', () => {
    const policy = policyFor()
    const step = feed(policy, series('web.1', T0, [470, 450, 470, 450, 470]))
    expect(step.restarts).to.deep.equal([])
    expect(actions(step.decisions)).to.deep.equal([
      'web.1 watch:over', 'web.1 recovered:under', 'web.1 watch:over', 'web.1 recovered:under', 'web.1 watch:over',
    ])
  })

  it('makes no restart in a dry run, and says so once per breach', () => {
    const policy = policyFor({dryRun: true})
    const step = feed(policy, series('web.1', T0, [470, 470, 470, 470]))
    expect(step.restarts).to.deep.equal([])
    expect(actions(step.decisions)).to.deep.equal(['web.1 watch:over', 'web.1 hold:dry-run'])
    expect(policy.summary().held['dry-run']).to.deep.equal(['web.1'])
  })

  it('restarts only dynos in the app\'s dyno list, and asks for the list again when an unknown dyno crosses', () => {
    const policy = policyFor({}, ['web.1'])
    const step = feed(policy, series('web.9', T0, [470, 470, 470]))
    expect(step.restarts).to.deep.equal([])
    expect(step.refreshDynos).to.equal(true)
    expect(actions(step.decisions)).to.deep.equal(['web.9 watch:over', 'web.9 hold:not-in-dyno-list'])
    const refreshed = policy.setDynos([{name: 'web.1'}, {name: 'web.9'}])
    expect(refreshed.restarts).to.deep.equal(['web.9'])
  })

  it('ignores the old instance during preboot and sees the new one come up: no second restart', () => {
    const policy = policyFor()
    expect(feed(policy, series('web.1', T0, [470, 470], 'old')).restarts).to.deep.equal(['web.1'])
    sent(policy, 'web.1', 'restarted')
    const overlap = feed(policy, [
      restarting('web.1', T0 + (2 * TICK)),
      sample('web.1', T0 + (3 * TICK), 480, 'old'),
      sample('web.1', T0 + (3 * TICK) + 5000, 120, 'new'),
      sample('web.1', T0 + (4 * TICK), 490, 'old'),
      sample('web.1', T0 + (4 * TICK) + 5000, 125, 'new'),
      sample('web.1', T0 + (5 * TICK), 500, 'old'),
    ])
    expect(overlap.restarts).to.deep.equal([])
    expect(actions(overlap.decisions)).to.deep.equal(['web.1 up:new-instance'])
    expect(overlap.decisions[0]).to.include({by: 'watchdog', instance: 'new'})
  })

  it('holds a dyno in its cooldown after a restart, then restarts it and counts a relapse', () => {
    const policy = policyFor({loopLimit: 5})
    feed(policy, series('web.1', T0, [470, 470], 'a'))
    sent(policy, 'web.1', 'restarted')
    const early = feed(policy, series('web.1', T0 + (3 * TICK), [470, 470, 470], 'b'))
    expect(early.restarts).to.deep.equal([])
    expect(actions(early.decisions)).to.deep.equal(['web.1 up:new-instance', 'web.1 watch:over', 'web.1 hold:cooldown'])
    expect(early.decisions[2].until).to.equal(T0 + TICK + (10 * MIN))
    // Samples skipped meanwhile: a new row of readings starts.
    const later = feed(policy, series('web.1', T0 + TICK + (10 * MIN), [470, 470], 'b'))
    expect(later.restarts).to.deep.equal(['web.1'])
  })

  it('counts any restart for the cooldown: a platform restart line or the dyno list\'s updated_at', () => {
    const policy = policyFor()
    feed(policy, [restarting('web.1', T0)])
    expect(feed(policy, series('web.1', T0 + TICK, [470, 470], 'b')).restarts).to.deep.equal([])
    const fresh = policyFor()
    fresh.setDynos([{name: 'web.1', state: 'up', updatedAt: T0 - (2 * MIN)}])
    const step = feed(fresh, series('web.1', T0, [470, 470]))
    expect(step.restarts).to.deep.equal([])
    expect(step.decisions.at(-1)).to.include({action: 'hold', reason: 'cooldown', until: T0 + (8 * MIN)})
  })

  it('restarts dynos of one type one at a time, each after the previous one is up', () => {
    const policy = policyFor()
    const first = feed(policy, [
      ...series('web.1', T0, [470, 470], 'w1a'),
      ...series('web.2', T0 + 1000, [470, 470], 'w2a'),
      ...series('web.3', T0 + 2000, [470, 470], 'w3a'),
    ])
    expect(first.restarts).to.deep.equal(['web.1'])
    const holds = first.decisions.filter(decision => decision.action === 'hold')
    expect(actions(holds)).to.deep.equal(['web.2 hold:max-parallel', 'web.3 hold:max-parallel'])
    expect(holds[0].waitingFor).to.deep.equal(['web.1'])
    sent(policy, 'web.1', 'restarted')
    const stillWaiting = feed(policy, [sample('web.2', T0 + (2 * TICK), 480, 'w2a'), sample('web.3', T0 + (2 * TICK), 480, 'w3a')])
    expect(stillWaiting.restarts).to.deep.equal([])
    const second = feed(policy, [sample('web.1', T0 + (3 * TICK), 100, 'w1b')])
    expect(second.restarts).to.deep.equal(['web.2'])
    sent(policy, 'web.2', 'restarted')
    const third = feed(policy, [sample('web.2', T0 + (4 * TICK), 100, 'w2b')])
    expect(third.restarts).to.deep.equal(['web.3'])
  })

  it('lets --max-parallel dynos of a type restart together, and other types independently', () => {
    const policy = policyFor({maxParallel: 2})
    const step = feed(policy, [
      ...series('web.1', T0, [470, 470]),
      ...series('web.2', T0, [470, 470]),
      ...series('web.3', T0, [470, 470]),
      ...series('worker.1', T0, [470, 470]),
    ])
    expect(step.restarts).to.deep.equal(['web.1', 'web.2', 'worker.1'])
  })

  it('drops a queued dyno that recovers before its turn', () => {
    const policy = policyFor()
    feed(policy, [...series('web.1', T0, [470, 470], 'a'), ...series('web.2', T0, [470, 470], 'c')])
    sent(policy, 'web.1', 'restarted')
    feed(policy, [sample('web.2', T0 + (2 * TICK), 300, 'c')])
    expect(feed(policy, [sample('web.1', T0 + (3 * TICK), 100, 'b')]).restarts).to.deep.equal([])
  })

  it('stops restarting a dyno whose memory is over the limit from boot: the loop breaker', () => {
    const policy = policyFor({cooldownMs: 2 * MIN, loopLimit: 3})
    let time = T0
    let restarts = 0
    let last: Decision | undefined
    for (let boot = 0; boot < 8; boot++) {
      for (let index = 0; index < 12; index++) {
        const step = feed(policy, [sample('web.1', time, 480, `boot-${boot}`)])
        time += TICK
        restarts += step.restarts.length
        last = step.decisions.at(-1) ?? last
        if (step.restarts.length > 0) {
          sent(policy, 'web.1', 'restarted')
          break
        }
      }
    }

    // The first restart, then three relapses: restarted after the first two, not the third.
    expect(restarts).to.equal(3)
    expect(last).to.include({action: 'hold', reason: 'loop-breaker'})
    expect(policy.summary().broken).to.deep.equal(['web.1'])
  })

  it('caps the restarts of all dynos together per hour', () => {
    const policy = policyFor({maxPerHour: 2})
    const step = feed(policy, [
      ...series('web.1', T0, [470, 470]),
      ...series('worker.1', T0, [470, 470]),
    ])
    expect(step.restarts).to.deep.equal(['web.1', 'worker.1'])
    sent(policy, 'web.1', 'restarted')
    sent(policy, 'worker.1', 'restarted')
    feed(policy, [sample('web.1', T0 + (3 * TICK), 100, 'b'), sample('worker.1', T0 + (3 * TICK), 100, 'b')])
    const capped = feed(policy, series('web.2', T0 + (5 * MIN), [470, 470]))
    expect(capped.restarts).to.deep.equal([])
    expect(capped.decisions.at(-1)).to.include({action: 'hold', reason: 'hourly-cap', until: T0 + TICK + (60 * MIN)})
    // After an hour with no line at all, the first line of the jump waits for a second to agree with it; then a new row of two.
    expect(feed(policy, series('web.2', T0 + (62 * MIN), [470, 470, 470])).restarts).to.deep.equal(['web.2'])
  })

  it('acts on R14 only when asked, counting an R14 and its sample as one reading', () => {
    const quiet = policyFor({threshold: ['1GB']})
    expect(feed(quiet, [sample('web.1', T0, 530), r14('web.1', T0 + 100), sample('web.1', T0 + TICK, 530), r14('web.1', T0 + TICK + 100)]).restarts).to.deep.equal([])
    const onR14 = policyFor({onR14: true, threshold: ['1GB']})
    const one = feed(onR14, [sample('web.1', T0, 530), r14('web.1', T0 + 100)])
    expect(actions(one.decisions)).to.deep.equal(['web.1 watch:over'])
    const two = feed(onR14, [r14('web.1', T0 + TICK), sample('web.1', T0 + TICK + 100, 530)])
    expect(two.restarts).to.deep.equal(['web.1'])
    expect(two.decisions.at(-1)).to.include({action: 'restart', reason: 'r14'})
  })

  it('ignores R14 lines just after a restart, when the old instance may still be writing them', () => {
    const policy = policyFor({
      cooldownMs: 0, forSamples: 1, onR14: true, threshold: ['1GB'],
    })
    feed(policy, [restarting('web.1', T0), sample('web.1', T0 + TICK, 100, 'new')])
    expect(feed(policy, [r14('web.1', T0 + (2 * TICK)), r14('web.1', T0 + (3 * TICK))]).restarts).to.deep.equal([])
    expect(feed(policy, [r14('web.1', T0 + (6 * MIN))]).restarts).to.deep.equal(['web.1'])
  })

  it('skips a dyno that no longer exists and frees its slot for the next one', () => {
    const policy = policyFor()
    feed(policy, [...series('web.1', T0, [470, 470], 'a'), ...series('web.2', T0, [470, 470], 'c')])
    const gone = sent(policy, 'web.1', 'not-found')
    expect(actions(gone.decisions)).to.deep.equal(['web.1 skip:not-found', 'web.2 restart:over'])
    expect(gone.refreshDynos).to.equal(true)
    expect(gone.restarts).to.deep.equal(['web.2'])
  })

  it('does not retry a failed restart before a cooldown has passed', () => {
    const policy = policyFor({cooldownMs: 5 * MIN})
    feed(policy, series('web.1', T0, [470, 470]))
    const failed = sent(policy, 'web.1', 'failed', 'Heroku API error (503)')
    expect(failed.decisions[0]).to.include({action: 'skip', note: 'Heroku API error (503)', reason: 'failed'})
    expect(feed(policy, series('web.1', T0 + (2 * TICK), [470])).decisions.at(-1)).to.include({reason: 'failed'})
    expect(feed(policy, series('web.1', T0 + TICK + (5 * MIN), [470, 470])).restarts).to.deep.equal(['web.1'])
  })

  it('stops waiting for a restarted dyno that shows no new instance, and asks for the dyno list', () => {
    const policy = policyFor({upTimeoutMs: 5 * MIN})
    feed(policy, [...series('web.1', T0, [470, 470], 'a'), ...series('web.2', T0, [470, 470], 'c')])
    sent(policy, 'web.1', 'restarted')
    const step = feed(policy, series('worker.1', T0 + (6 * MIN), [100]))
    expect(actions(step.decisions)).to.deep.equal(['web.1 up:up-timeout', 'web.2 restart:over'])
    expect(step.refreshDynos).to.equal(true)
  })

  it('never restarts one-off dynos (a restart would stop them)', () => {
    const policy = policyFor({}, ['run.1234', 'scheduler.42'])
    const step = feed(policy, [...series('run.1234', T0, [470, 470]), ...series('scheduler.42', T0, [470, 470])])
    expect(step.restarts).to.deep.equal([])
    expect(policy.summary().held['one-off']).to.deep.equal(['run.1234', 'scheduler.42'])
  })

  it('watches only the process types a threshold names, each with its own limit', () => {
    const policy = policyFor({threshold: ['web=50%,worker=480MB']}, ['web.1', 'worker.1', 'clock.1'])
    const step = feed(policy, [
      ...series('web.1', T0, [300, 300]),
      ...series('worker.1', T0, [470, 470]),
      ...series('clock.1', T0, [510, 510]),
    ])
    expect(step.restarts).to.deep.equal(['web.1'])
    expect(step.decisions.at(-1)).to.include({limit: 256, threshold: '50%'})
    expect(feed(policy, series('worker.1', T0 + (2 * TICK), [490, 490])).restarts).to.deep.equal(['worker.1'])
  })

  it('counts a reading replayed after a reconnect once, and an old restart line as history', () => {
    const policy = policyFor({forSamples: 3})
    const first = series('web.1', T0, [470, 470], 'a')
    const step = feed(policy, [...first, ...first, ...first])
    expect(step.restarts).to.deep.equal([])
    expect(actions(step.decisions)).to.deep.equal(['web.1 watch:over', 'web.1 watch:over'])
    const fresh = policyFor({cooldownMs: 0})
    feed(fresh, [restarting('web.1', T0), sample('web.1', T0 + TICK, 100, 'b')])
    // The same restart line again (a replay): the new instance stays the one followed.
    feed(fresh, [restarting('web.1', T0)])
    expect(feed(fresh, series('web.1', T0 + (20 * TICK), [470, 470], 'b')).restarts).to.deep.equal(['web.1'])
  })

  describe('at send time: every guard again, on the newest readings', () => {
    it('drops a decided restart whose dyno fell back under its limit before it went out', () => {
      const policy = policyFor()
      expect(feed(policy, series('web.1', T0, [470, 470])).restarts).to.deep.equal(['web.1'])
      feed(policy, [sample('web.1', T0 + (2 * TICK), 300)])
      const {send, step} = policy.confirmSend('web.1')
      expect(send).to.equal(false)
      expect(actions(step.decisions)).to.deep.equal(['web.1 skip:under'])
    })

    it('drops it when the dyno restarted meanwhile (the dyno read shows it starting), and counts that restart', () => {
      const policy = policyFor()
      feed(policy, series('web.1', T0, [470, 470]))
      policy.dynoRead({name: 'web.1', state: 'starting', updatedAt: T0 + TICK + 500})
      const {send, step} = policy.confirmSend('web.1')
      expect(send).to.equal(false)
      expect(step.decisions[0]).to.include({action: 'skip', reason: 'restarted-meanwhile', until: T0 + TICK + 500 + (10 * MIN)})
      expect(policy.summary().restarted).to.deep.equal([])
    })

    it('counts a restart whose answer was lost, never asks for it again, and confirms it when the new instance shows', () => {
      const policy = policyFor({cooldownMs: MIN})
      feed(policy, series('web.1', T0, [470, 470]))
      const lost = sent(policy, 'web.1', 'unconfirmed', 'connection failed (ECONNRESET)')
      expect(actions(lost.decisions)).to.deep.equal(['web.1 sent:unconfirmed'])
      expect(policy.summary().restarted).to.deep.equal([{dyno: 'web.1', time: T0 + TICK, unconfirmed: true}])
      expect(feed(policy, series('web.1', T0 + (2 * TICK), [470, 470, 470])).restarts).to.deep.equal([])
      feed(policy, [sample('web.1', T0 + (5 * TICK), 200, 'web.1-b')])
      expect(policy.summary().restarted).to.deep.equal([{dyno: 'web.1', time: T0 + TICK}])
    })

    it('a rate-limited restart stays decided (its slot kept) and goes through the guards again', () => {
      const policy = policyFor()
      feed(policy, series('web.1', T0, [470, 470]))
      expect(policy.confirmSend('web.1').send).to.equal(true)
      policy.restartOutcome('web.1', 'rate-limited')
      expect(feed(policy, series('web.2', T0, [470, 470])).decisions.at(-1)).to.include({reason: 'max-parallel'})
      expect(policy.confirmSend('web.1').send).to.equal(true)
    })
  })

  it('names the up dynos of which the log gave no reading', () => {
    const policy = policyFor()
    policy.setDynos([{name: 'web.1', state: 'up', updatedAt: T0 - MIN}, {name: 'web.2', state: 'up', updatedAt: T0 - (10 * MIN)}, {name: 'worker.1', state: 'crashed'}])
    feed(policy, [sample('web.1', T0, 300)])
    expect(policy.unreadDynos(T0)).to.deep.equal(['web.2'])
  })

  it('names a listed dyno whose state the list does not give (or gives in words it does not know) as unread too', () => {
    const policy = new RestartPolicy({thresholds: parseThresholds(['90%'])})
    policy.setDynos([{name: 'web.1', updatedAt: T0 - (10 * MIN)}, {name: 'web.2', state: 'Up', updatedAt: T0 - (10 * MIN)}, {name: 'web.3', state: 'idle'}])
    expect(policy.unreadDynos(T0)).to.deep.equal(['web.1', 'web.2'])
  })

  it('readings minutes apart are not in a row: a silence starts the count again', () => {
    const policy = policyFor()
    expect(feed(policy, [sample('web.1', T0, 470)]).restarts).to.deep.equal([])
    const later = feed(policy, [sample('web.1', T0 + (5 * MIN), 470)])
    expect(actions(later.decisions)).to.deep.equal(['web.1 watch:over'])
    expect(feed(policy, [sample('web.1', T0 + (5 * MIN) + TICK, 470)]).restarts).to.deep.equal(['web.1'])
  })

  it('holds a dyno whose restart answered 404 for a cooldown, even when the dyno list shows it again', () => {
    const policy = policyFor({cooldownMs: 10 * MIN})
    feed(policy, series('web.1', T0, [470, 470]))
    sent(policy, 'web.1', 'not-found')
    const again = policy.setDynos(['web.1', 'web.2', 'web.3', 'worker.1'].map(name => ({name, state: 'up', updatedAt: T0 - (24 * 60 * MIN)})))
    expect(again.restarts).to.deep.equal([])
    expect(feed(policy, series('web.1', T0 + (2 * TICK), [470, 470])).restarts).to.deep.equal([])
    expect(feed(policy, series('web.1', T0 + TICK + (10 * MIN), [470, 470])).restarts).to.deep.equal(['web.1'])
  })

  it('never restarts on a share of a quota it does not know (no memory_quota, no known size): held, unless the threshold is in MB', () => {
    const unsized = (threshold: string) => {
      const policy = new RestartPolicy({cooldownMs: 10 * MIN, thresholds: parseThresholds([threshold])})
      policy.setDynos([{
        name: 'web.1', size: 'Performance-XXL-New', state: 'up', updatedAt: T0 - (24 * 60 * MIN),
      }])
      return policy
    }

    const percent = feed(unsized('90%'), [withoutQuota(T0, 600), withoutQuota(T0 + TICK, 600)])
    expect(percent.restarts).to.deep.equal([])
    expect(actions(percent.decisions).at(-1)).to.equal('web.1 hold:unknown-quota')
    expect(feed(unsized('550MB'), [withoutQuota(T0, 600), withoutQuota(T0 + TICK, 600)]).restarts).to.deep.equal(['web.1'])
    expect(feed(unsized('90%'), [sample('web.1', T0, 600), sample('web.1', T0 + TICK, 600)]).restarts, 'memory_quota on the samples').to.deep.equal(['web.1'])
  })

  it('judges the newest value again when the limit grew before the restart went out (the dyno read shows a bigger size)', () => {
    const policy = policyFor()
    expect(feed(policy, [withoutQuota(T0, 600), withoutQuota(T0 + TICK, 600)]).restarts).to.deep.equal(['web.1'])
    policy.dynoRead({
      name: 'web.1', size: 'Standard-2X', state: 'up', updatedAt: T0 - (24 * 60 * MIN),
    })
    const {send, step} = policy.confirmSend('web.1')
    expect(send).to.equal(false)
    expect(actions(step.decisions)).to.deep.equal(['web.1 skip:under'])
  })

  describe('Process running mem= (the platform\'s reading logged with R14/R15)', () => {
    it('counts as a reading over the limit when it is over, once with its sample, and restarts after --for in a row', () => {
      const policy = policyFor()
      const first = feed(policy, [sample('web.1', T0, 530), running('web.1', T0 + 900, 530)])
      expect(actions(first.decisions)).to.deep.equal(['web.1 watch:over'])
      // The sample of the next tick was lost: the Process running line alone is the reading.
      const second = feed(policy, [running('web.1', T0 + TICK + 900, 540)])
      expect(second.restarts).to.deep.equal(['web.1'])
      expect(second.decisions.at(-1)).to.include({action: 'restart', reason: 'over', value: 540})
    })

    it('never counts under a limit above it, for --metric rss, just after a restart, or apart from its row', () => {
      const high = policyFor({threshold: ['150%']})
      expect(feed(high, [running('web.1', T0, 600), running('web.1', T0 + TICK, 600)]).decisions).to.deep.equal([])
      const rss = policyFor({metric: 'rss'})
      expect(feed(rss, [running('web.1', T0, 600), running('web.1', T0 + TICK, 600)]).decisions).to.deep.equal([])
      const restarted = policyFor({cooldownMs: 0})
      feed(restarted, [restarting('web.1', T0), sample('web.1', T0 + TICK, 100, 'new')])
      expect(feed(restarted, [running('web.1', T0 + (2 * TICK), 600), running('web.1', T0 + (3 * TICK), 600)]).restarts).to.deep.equal([])
      const apart = policyFor()
      expect(feed(apart, [running('web.1', T0, 600), running('web.1', T0 + (10 * MIN), 600)]).restarts).to.deep.equal([])
    })
  })

  describe('--once: replayed history, then a decision on the latest readings', () => {
    it('decides on the latest readings and reports the dynos under the limit', () => {
      const policy = policyFor()
      for (const event of [...series('web.1', T0, [400, 470, 470]), ...series('web.2', T0, [300, 300, 300]), ...series('web.3', T0, [300, 300, 470])]) {
        expect(policy.observe(event, 'replay')).to.deep.equal({decisions: [], refreshDynos: false, restarts: []})
      }

      const step = policy.decideNow()
      expect(step.restarts).to.deep.equal(['web.1'])
      expect(actions(step.decisions)).to.deep.equal(['web.1 restart:over', 'web.2 ok:under', 'web.3 watch:over'])
    })

    it('keeps the cooldown of a restart an earlier run made, from the restart line in the history', () => {
      const policy = policyFor()
      const history = [
        ...series('web.1', T0, [470, 470], 'a'),
        restarting('web.1', T0 + (2 * TICK)),
        sample('web.1', T0 + (3 * TICK), 480, 'a'),
        ...series('web.1', T0 + (3 * TICK) + 5000, [470, 470, 470], 'b'),
      ]
      for (const event of history) policy.observe(event, 'replay')
      const step = policy.decideNow()
      expect(step.restarts).to.deep.equal([])
      expect(step.decisions[0]).to.include({action: 'hold', reason: 'cooldown'})
    })

    it('counts relapses only after the watchdog\'s own restarts, and keeps them across runs in the state file', () => {
      const history: LogEvent[] = []
      let time = T0
      for (let boot = 0; boot < 4; boot++) {
        history.push(restarting('web.1', time), ...series('web.1', time + 5000, [480, 480, 480], `boot-${boot}`))
        time += 3 * MIN
      }

      // Restart lines alone (deploys, someone's ps:restart) prove nothing about restarts helping.
      const fromHistory = policyFor({cooldownMs: MIN})
      for (const event of history) fromHistory.observe(event, 'replay')
      expect(fromHistory.decideNow().decisions[0].reason).to.not.equal('loop-breaker')
      expect(fromHistory.summary().broken).to.deep.equal([])

      const live = policyFor({cooldownMs: MIN, loopLimit: 3})
      time = T0
      for (let boot = 0; boot < 6 && live.summary().broken.length === 0; boot++) {
        const step = feed(live, series('web.1', time, [480, 480, 480], `live-${boot}`))
        if (step.restarts.length > 0) sent(live, 'web.1', 'restarted')
        time += 3 * MIN
      }

      expect(live.summary().broken).to.deep.equal(['web.1'])
      const fromState = policyFor({cooldownMs: MIN})
      fromState.restoreState(structuredClone(live.exportState()), time)
      for (const event of series('web.1', time + 5000, [480, 480], 'next-run')) fromState.observe(event, 'replay')
      const held = fromState.decideNow().decisions[0]
      expect(held).to.include({action: 'hold', reason: 'loop-breaker'})
      expect(held.relapseMinutes).to.have.length(3)
    })

    it('counts a dyno the list shows starting as restarting (max parallel)', () => {
      const policy = policyFor()
      policy.setDynos([{name: 'web.1', state: 'starting', updatedAt: T0}, {name: 'web.2', state: 'up', updatedAt: T0 - (60 * MIN)}])
      for (const event of series('web.2', T0, [470, 470])) policy.observe(event, 'replay')
      expect(policy.decideNow().decisions[0]).to.include({action: 'hold', reason: 'max-parallel'})
    })

    it('does not act on a dyno that stopped reporting while the others went on', () => {
      const policy = policyFor()
      for (const event of [...series('web.1', T0, [470, 470]), ...series('web.2', T0, Array.from({length: 30}, () => 300))]) policy.observe(event, 'replay')
      const step = policy.decideNow()
      expect(step.restarts).to.deep.equal([])
      expect(actions(step.decisions)).to.deep.equal(['web.1 skip:stale', 'web.2 ok:under'])
    })

    it('judges staleness per dyno: another dyno\'s clock running minutes ahead makes nothing stale', () => {
      const policy = policyFor()
      const events = [...series('web.1', T0, [470, 470, 470]), ...series('web.2', T0 + (5 * MIN), [300, 300, 300])]
      // Interleaved as the stream delivers them: one line of each a tick.
      for (const event of events.sort((a, b) => (a.time % (5 * MIN)) - (b.time % (5 * MIN)))) policy.observe(event, 'replay')
      expect(policy.decideNow().restarts).to.deep.equal(['web.1'])
    })
  })
})
