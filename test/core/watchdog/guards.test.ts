import {expect} from 'chai'

import type {DynoTrack} from '../../../src/core/watchdog/dyno-track.js'
import type {GuardView} from '../../../src/core/watchdog/guards.js'

import {addRestart, newTrack} from '../../../src/core/watchdog/dyno-track.js'
import {
  cooldownGuard, dryRunGuard, dynoListGuard, failedRestartGuard, firstHold, hourlyCapGuard, isStaleReading, maxParallelGuard, oneOffGuard, RESTART_GUARDS,
} from '../../../src/core/watchdog/guards.js'
import {LogClock} from '../../../src/core/watchdog/log-clock.js'
import {loopBreakerGuard, noteCrossing} from '../../../src/core/watchdog/loop-breaker.js'
import {POLICY_DEFAULTS} from '../../../src/core/watchdog/options.js'
import {parsePersistedPolicy} from '../../../src/core/watchdog/persisted-state.js'
import {parseThresholds} from '../../../src/core/watchdog/threshold.js'

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
const MIN = 60_000
const options = {...POLICY_DEFAULTS, thresholds: parseThresholds(['90%'])}

function view(track: DynoTrack, extra: Partial<GuardView> = {}): GuardView {
  return {
    now: T0, options, restartingOfType: () => [], track, watchdogRestarts: [], ...extra,
  }
}

function listed(name = 'web.1'): DynoTrack {
  const track = newTrack(name, name.split('.')[0])
  track.listed = true
  return track
}

describe('restart guards, each alone', () => {
  it('one-off: never a run, release or scheduler dyno', () => {
    expect(oneOffGuard.check(view(listed('run.1')))).to.deep.equal({reason: 'one-off'})
    expect(oneOffGuard.check(view(listed('web.1')))).to.equal(undefined)
  })

  it('dyno list: only listed dynos', () => {
    expect(dynoListGuard.check(view(newTrack('web.9', 'web')))).to.deep.equal({reason: 'not-in-dyno-list'})
    expect(dynoListGuard.check(view(listed()))).to.equal(undefined)
  })

  it('cooldown: any restart, whatever its cause, for --cooldown', () => {
    const track = listed()
    addRestart(track.restarts, T0 - (5 * MIN), 'boot')
    expect(cooldownGuard.check(view(track))).to.deep.equal({reason: 'cooldown', until: T0 + (5 * MIN)})
    expect(cooldownGuard.check(view(track, {now: T0 + (5 * MIN)}))).to.equal(undefined)
  })

  it('hourly cap: the watchdog\'s restarts of the last hour, all dynos', () => {
    const full = Array.from({length: options.maxPerHour}, (_, index) => T0 - ((50 - index) * MIN))
    expect(hourlyCapGuard.check(view(listed(), {watchdogRestarts: full}))).to.deep.equal({reason: 'hourly-cap', until: full[0] + (60 * MIN)})
    expect(hourlyCapGuard.check(view(listed(), {watchdogRestarts: full.slice(1)}))).to.equal(undefined)
  })

  it('max parallel: other dynos of the type holding a slot', () => {
    expect(maxParallelGuard.check(view(listed(), {restartingOfType: () => ['web.2']}))).to.deep.equal({reason: 'max-parallel', waitingFor: ['web.2']})
    expect(maxParallelGuard.check(view(listed('worker.1'), {restartingOfType: type => (type === 'web' ? ['web.2'] : [])}))).to.equal(undefined)
  })

  it('failed: no new attempt before the hold ends; dry run: never', () => {
    const track = listed()
    track.holdUntil = T0 + MIN
    expect(failedRestartGuard.check(view(track))).to.deep.equal({reason: 'failed', until: T0 + MIN})
    expect(dryRunGuard.check(view(listed(), {options: {...options, dryRun: true}}))).to.deep.equal({reason: 'dry-run'})
  })

  it('the first guard in order is the one reported', () => {
    const track = listed('run.1')
    track.broken = true
    expect(firstHold(RESTART_GUARDS, view(track))).to.deep.equal({reason: 'one-off'})
  })
})

describe('loop breaker', () => {
  it('counts no relapse before the watchdog restarted the dyno, nor after a boot or a deploy', () => {
    const track = listed()
    addRestart(track.restarts, T0, 'boot')
    addRestart(track.restarts, T0 + MIN, 'platform')
    for (let crossing = 0; crossing < 5; crossing++) noteCrossing(track, T0 + (2 * MIN) + crossing, options)
    expect(track.relapses).to.equal(0)
    expect(loopBreakerGuard.check(view(track))).to.equal(undefined)
  })

  it('counts relapses after the watchdog\'s restarts and R15 crashes, and says how soon each came', () => {
    const track = listed()
    track.restartedByWatchdog = true
    for (let index = 0; index < 3; index++) {
      const at = T0 + (index * 10 * MIN)
      addRestart(track.restarts, at, index === 1 ? 'memory' : 'watchdog')
      noteCrossing(track, at + ((index + 2) * MIN), options)
    }

    expect(track.relapseGaps).to.deep.equal([2, 3, 4])
    expect(loopBreakerGuard.check(view(track))).to.deep.equal({reason: 'loop-breaker'})
  })
})

describe('staleness, judged per dyno', () => {
  it('by what the others logged since, not by timestamps', () => {
    const track = listed()
    track.lastReadingAt = T0
    expect(isStaleReading(track, 3, 1, T0 + (30 * MIN))).to.equal(false)
    expect(isStaleReading(track, 7, 1, T0)).to.equal(true)
    expect(isStaleReading(track, 0, 0, T0 + (3 * MIN))).to.equal(true)
  })
})

describe('LogClock', () => {
  it('is not dragged by one line far ahead; a second line agreeing with it moves it', () => {
    const clock = new LogClock()
    expect(clock.admit(T0)).to.equal(true)
    expect(clock.admit(T0 + (24 * 60 * MIN))).to.equal(false)
    expect(clock.admit(T0 + 20_000)).to.equal(true)
    expect(clock.now).to.equal(T0 + 20_000)
    expect(clock.admit(T0 + (60 * MIN))).to.equal(false)
    expect(clock.admit(T0 + (60 * MIN) + 20_000)).to.equal(true)
    expect(clock.now).to.equal(T0 + (60 * MIN) + 20_000)
  })

  it('steps back when several lines in a row say it was wrong', () => {
    const clock = new LogClock()
    clock.admit(T0 + (600 * MIN))
    for (let index = 0; index < 3; index++) clock.admit(T0 + (index * 20_000))
    expect(clock.now).to.equal(T0 + 40_000)
  })

  it('is not stepped back by one dyno\'s burst of lines behind it while other lines come on time', () => {
    const clock = new LogClock()
    clock.admit(T0 - 20_000)
    for (let tick = 0; tick < 5; tick++) {
      const onTime = T0 + (tick * 20_000)
      // A dyno 30 minutes behind logs a sample, Process running and R14 at once; another dyno is on time.
      for (const offset of [1, 900, 901, 950]) clock.admit(onTime - (30 * MIN) + offset)
      clock.admit(onTime + 5000)
      expect(clock.now).to.equal(onTime + 5000)
    }
  })
})

describe('the state file schema', () => {
  const good = {
    dynos: {
      'web.1': {
        broken: false, relapseGaps: [], relapses: 0, restartedByWatchdog: true, restarts: [{at: T0, cause: 'watchdog'}],
      },
    },
    watchdogRestarts: [T0],
  }

  it('takes a well-formed policy', () => {
    expect(parsePersistedPolicy(structuredClone(good))).to.deep.equal({policy: good})
  })

  it('names the first thing that is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /policy is not an object/],
      [{...good, watchdogRestarts: 'x'}, /watchdogRestarts/],
      [{...good, dynos: {'web.1': {...good.dynos['web.1'], restarts: 'often'}}}, /policy\.dynos\["web\.1"\]\.restarts/],
      [{...good, dynos: {'web.1': {...good.dynos['web.1'], restarts: [{at: T0, cause: 'magic'}]}}}, /restarts/],
      [{...good, dynos: {'web.1': {...good.dynos['web.1'], relapses: -1}}}, /relapses/],
      [{...good, dynos: {'../etc': good.dynos['web.1']}}, /not a dyno name/],
    ]
    for (const [value, problem] of cases) expect((parsePersistedPolicy(value) as {problem: string}).problem).to.match(problem)
  })
})
