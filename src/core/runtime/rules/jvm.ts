/**
 * JVM. Heroku's figures: the buildpack sets -Xmx300m on 512 MB dynos, -Xmx671m on 1 GB, else
 * -XX:MaxRAMPercentage=80. RSS is the heap plus metaspace, thread stacks, code cache and direct
 * buffers: the heap cap must leave room for them under the quota.
 */
import type {Advice} from '../../report/report-schema.js'

import {jvmHeapCap} from '../settings.js'
import {checkAfter, mb, type RuleContext} from './context.js'

/** Memory outside the heap, MiB, when the level does not show it: metaspace, threads, code cache. */
const MIN_NON_HEAP_MB = 150
/** A suggested heap cap leaves the heap plus the rest this share of the quota. */
const JVM_HEADROOM = 0.85

export function jvmAdvice(context: RuleContext): Advice[] {
  if (!context.strained) return []
  const heap = jvmHeapCap(context.runtime, context.type, context.quotaMb)
  // A JVM whose level is above its heap cap shows its non-heap memory: the level minus the heap.
  const nonHeap = Math.max(MIN_NON_HEAP_MB, context.levelMb - heap.mb, Math.round(0.2 * context.quotaMb))
  // Over the quota, not merely near it: the buildpack's own -Xmx300m on 512 MB is tight by design.
  if (heap.mb + nonHeap <= context.quotaMb) return []
  const suggested = Math.floor(((JVM_HEADROOM * context.quotaMb) - nonHeap) / 16) * 16
  if (suggested < 128) return []
  const expected = suggested + nonHeap
  return [{
    current: heap.value,
    expectedLevelMb: Math.round(expected),
    kind: 'runtime',
    setting: heap.setting,
    source: heap.source,
    suggested: `-Xmx${suggested}m`,
    text: `the heap cap ${heap.value} (${heap.source}) plus ~${mb(nonHeap)} outside the heap (metaspace, threads, code cache) is more than the ${mb(context.quotaMb)} quota holds: `
      + `set -Xmx${suggested}m in ${heap.setting === '-Xmx in the command' ? 'the Procfile command' : heap.setting} (level ~${mb(expected)}); `
      + `if the heap then fills, the app needs a bigger dyno; ${checkAfter(context)}`,
  }]
}
