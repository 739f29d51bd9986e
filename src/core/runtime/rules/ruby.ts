/**
 * Ruby (Puma, Unicorn, Sidekiq). Heroku's figures: MALLOC_ARENA_MAX=2 is set for Ruby apps
 * created since 2019 (older apps must set it; no effect under jemalloc); Puma guidance is
 * WEB_CONCURRENCY 2 and RAILS_MAX_THREADS 3.
 */
import type {Advice} from '../../report/report-schema.js'

import {checkAfter, concurrencyAdvice, type RuleContext} from './context.js'

const HEROKU_PUMA_WORKERS = 2
const HEROKU_RAILS_THREADS = 3
/** More threads than this per process multiply glibc arenas and per-thread buffers. */
const MANY_THREADS = 5

export function rubyAdvice(context: RuleContext): Advice[] {
  if (!context.strained) return []
  const advice: Advice[] = []
  const noun = context.process.server === 'unicorn' ? 'unicorn worker' : 'puma worker'
  const workers = concurrencyAdvice(context, noun)
  if (workers) advice.push(workers)
  if (context.process.server === 'puma' && context.workers?.source === 'not set' && context.runtime.configVars) {
    advice.push({
      current: 'not set',
      kind: 'runtime',
      setting: 'WEB_CONCURRENCY',
      source: 'not set',
      suggested: String(HEROKU_PUMA_WORKERS),
      text: `WEB_CONCURRENCY is not set: Rails 7.1's generated config/puma.rb then starts one worker per CPU the dyno reports, more than a ${context.quotaMb} MB dyno holds; `
        + `set WEB_CONCURRENCY=${HEROKU_PUMA_WORKERS} (Heroku's Puma guidance) and compare; ${checkAfter(context)}`,
    })
  }

  if (context.leaking) {
    advice.push({
      kind: 'runtime',
      text: 'a Puma worker killer (puma_worker_killer, rolling restarts) only hides a Ruby leak: use it as a stopgap while you find the leak with ObjectSpace.dump_all or heapy',
    })
  }

  const vars = context.runtime.configVars
  if (!vars) return advice
  const threads = Number.parseInt(vars.RAILS_MAX_THREADS ?? '', 10)
  if (threads > MANY_THREADS) {
    advice.push({
      current: vars.RAILS_MAX_THREADS,
      kind: 'runtime',
      setting: 'RAILS_MAX_THREADS',
      source: 'config var',
      suggested: String(HEROKU_RAILS_THREADS),
      text: `RAILS_MAX_THREADS=${vars.RAILS_MAX_THREADS}: each thread can hold its own malloc arena and buffers; Heroku's Puma guidance is ${HEROKU_RAILS_THREADS}; ${checkAfter(context)}`,
    })
  }

  const jemalloc = /jemalloc/i.test(vars.LD_PRELOAD ?? '') || /^(?:1|true|yes)$/i.test(vars.JEMALLOC_ENABLED ?? '')
  const arenas = Number.parseInt(vars.MALLOC_ARENA_MAX ?? '', 10)
  if (!jemalloc && !(arenas <= 2)) {
    advice.push({
      current: vars.MALLOC_ARENA_MAX ?? 'not set',
      kind: 'runtime',
      setting: 'MALLOC_ARENA_MAX',
      source: vars.MALLOC_ARENA_MAX === undefined ? 'not set' : 'config var',
      suggested: '2',
      text: `MALLOC_ARENA_MAX is ${vars.MALLOC_ARENA_MAX === undefined ? 'not set (Heroku sets 2 only for Ruby apps created since 2019)' : vars.MALLOC_ARENA_MAX}: `
        + 'glibc gives each thread its own arena, which fragments; `heroku config:set MALLOC_ARENA_MAX=2` (or jemalloc) usually lowers and flattens a threaded Ruby '
        + `process's memory; the saving depends on the threads, so no level is predicted; ${checkAfter(context)}`,
    })
  }

  return advice
}
