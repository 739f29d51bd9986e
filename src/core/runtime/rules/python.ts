/**
 * Python (gunicorn). Heroku's figures: WEB_CONCURRENCY = min(2 x cores + 1, RAM MB / 256), 2 on
 * Eco/Basic/1X, 4 on 2X, 5 on Performance-M; `--max-requests` with `--max-requests-jitter`
 * recycles leaky workers.
 */
import type {Advice} from '../../report/report-schema.js'

import {flagNumber} from '../settings.js'
import {
  checkAfter, concurrencyAdvice, mb, type RuleContext,
} from './context.js'

const MAX_REQUESTS = 1000
const MAX_REQUESTS_JITTER = 100

export function pythonAdvice(context: RuleContext): Advice[] {
  if (!context.strained) return []
  const advice: Advice[] = []
  const concurrency = concurrencyAdvice(context, 'gunicorn worker')
  if (concurrency) advice.push(concurrency)
  const gunicorn = context.process.server === 'gunicorn'
  const args = context.runtime.configVars?.GUNICORN_CMD_ARGS
  const everyFlag = `${args ?? ''} ${context.runtime.commands[context.type] ?? ''}`
  if (concurrency && gunicorn && context.runtime.configVars && !/--preload\b/.test(everyFlag)) {
    // Each worker imports the whole app; loaded once before the fork, its pages are shared.
    advice.push({
      current: args ?? 'not set',
      kind: 'runtime',
      setting: 'GUNICORN_CMD_ARGS',
      source: args === undefined ? 'not set' : 'config var',
      suggested: `${args ? `${args} ` : ''}--preload`,
      text: 'each gunicorn worker loads the whole app: with `--preload` the app is loaded once before the workers fork and shares its pages with them (copy-on-write), '
        + `which often lets the dyno keep more workers; the saving depends on the app, so no level is predicted; ${checkAfter(context)}`,
    })
  }

  const recycles = flagNumber(everyFlag, ['--max-requests'])
  // Without the config vars (no access, saved logs) GUNICORN_CMD_ARGS may already recycle workers.
  if (context.leaking && gunicorn && recycles === undefined && context.runtime.configVars) {
    const current = args
    const suggested = `${current ? `${current} ` : ''}--max-requests ${MAX_REQUESTS} --max-requests-jitter ${MAX_REQUESTS_JITTER}`
    advice.push({
      current: current ?? 'not set',
      expectedLevelMb: context.bootMb === undefined ? undefined : Math.round(context.bootMb),
      kind: 'runtime',
      setting: 'GUNICORN_CMD_ARGS',
      source: current === undefined ? 'not set' : 'config var',
      suggested,
      text: `gunicorn workers are never recycled: \`heroku config:set GUNICORN_CMD_ARGS="${suggested}"\` replaces each worker after about ${MAX_REQUESTS} requests `
        + `(the jitter keeps them from restarting together), holding the dyno near its boot level${context.bootMb === undefined ? '' : ` (~${mb(context.bootMb)})`} `
        + `while you find the leak with tracemalloc; ${checkAfter(context)}`,
    })
  }

  return advice
}
