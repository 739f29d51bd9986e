/**
 * Node. Heroku's figures: the buildpack sets WEB_MEMORY 512 MB (2048 on dynos over 16 GB) and
 * WEB_CONCURRENCY = dyno memory / WEB_MEMORY; a V8 heap cap (--max-old-space-size) is per process.
 */
import type {Advice} from '../../report/report-schema.js'

import {nodeHeapCap} from '../settings.js'
import {
  checkAfter, concurrencyAdvice, mb, type RuleContext, WORKER_FIT_SHARE,
} from './context.js'

/** V8's old space is most of a Node process's RSS, not all: leave this share for the rest. */
const HEAP_SHARE_OF_PROCESS = 0.75

export function nodeAdvice(context: RuleContext): Advice[] {
  if (!context.strained) return []
  const advice: Advice[] = []
  const workers = context.workers?.count ?? 1
  const cap = nodeHeapCap(context.runtime, context.type)
  const share = (WORKER_FIT_SHARE * context.quotaMb) / workers
  if (cap && cap.mb > HEAP_SHARE_OF_PROCESS * share) {
    const suggested = Math.max(64, Math.floor((HEAP_SHARE_OF_PROCESS * share) / 16) * 16)
    const expected = Math.min(context.levelMb, workers * (suggested / HEAP_SHARE_OF_PROCESS))
    advice.push({
      current: cap.value,
      expectedLevelMb: Math.round(expected),
      kind: 'runtime',
      setting: cap.source === 'config var' ? 'NODE_OPTIONS' : '--max-old-space-size in the command',
      source: cap.source,
      suggested: `--max-old-space-size=${suggested}`,
      text: `the V8 heap cap is ${mb(cap.mb)} per process (${cap.value}, ${cap.source}) for ${workers} process${workers === 1 ? '' : 'es'} on a ${mb(context.quotaMb)} dyno: `
        + 'V8 collects lazily until the heap nears its cap, so RSS passes the quota first; '
        + `set --max-old-space-size=${suggested} so each process collects in time (level ~${mb(expected)}); ${checkAfter(context)}`,
    })
  }

  const concurrency = concurrencyAdvice(context, 'Node process')
  if (concurrency && context.workers?.setting === 'WEB_MEMORY') {
    // The buildpack derives WEB_CONCURRENCY from WEB_MEMORY: say how much a process really needs.
    const perProcess = context.levelMb / (context.workers.count ?? 1)
    const webMemory = Math.ceil(perProcess / 0.9 / 64) * 64
    advice.push({
      ...concurrency,
      setting: 'WEB_MEMORY',
      suggested: String(webMemory),
      text: `each Node process holds ~${mb(perProcess)}, more than WEB_MEMORY=${context.workers.value} (${context.workers.source}) allows for: `
        + `set WEB_MEMORY=${webMemory} so the buildpack starts WEB_CONCURRENCY=${concurrency.suggested} (level ~${mb(concurrency.expectedLevelMb ?? 0)}); ${checkAfter(context)}`,
    })
  } else if (concurrency) {
    advice.push(concurrency)
  }

  return advice
}
