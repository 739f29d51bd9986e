/** What every runtime rule sees about one process type, and the advice shape they return. */
import type {Advice} from '../../report/report-schema.js'
import type {AppRuntime, ProcessRuntime} from '../detect.js'
import type {WorkerCount} from '../settings.js'

export interface RuleContext {
  app?: string
  type: string
  size?: string
  quotaMb: number
  dynoCount: number
  runtime: AppRuntime
  process: ProcessRuntime
  /** The type's settled level: the highest dyno's plateau (bloat) or usual level, MiB. */
  levelMb: number
  peakMb: number
  /** Boot level of a leaking dyno (its series' start), MiB. */
  bootMb?: number
  leaking: boolean
  /** The memory shows a problem a setting may cause: high level, R14/R15, or a leak. */
  strained: boolean
  workers?: WorkerCount
}

export type Rule = (context: RuleContext) => Advice[]

/** Workers fit while their sum stays under this share of the quota (R14 starts just above 100%). */
export const WORKER_FIT_SHARE = 0.85

/** How to see whether a change worked. */
export function checkAfter(context: RuleContext): string {
  return `check a few hours after the release with \`heroku mem:report -a ${context.app ?? '<app>'} --since <release time>\``
}

/**
 * "each puma worker holds ~210 MB: 3 workers = 630 MB on a 512 MB dyno; with 2 workers the
 * level would be ~420 MB (82%)": the level split evenly over the workers (the master process and
 * shared pages are folded in, which errs on the safe side), and the most workers that fit.
 */
export function concurrencyAdvice(context: RuleContext, noun: string): Advice | undefined {
  const {workers} = context
  if (!context.strained || !workers?.count || workers.count < 2) return undefined
  const perProcess = context.levelMb / workers.count
  const fits = Math.max(1, Math.floor((WORKER_FIT_SHARE * context.quotaMb) / perProcess))
  if (fits >= workers.count) return undefined
  const expected = perProcess * fits
  return {
    current: workers.value,
    expectedLevelMb: Math.round(expected),
    kind: 'runtime',
    setting: workers.setting,
    source: workers.source,
    suggested: String(fits),
    text: `each ${noun} holds ~${mb(perProcess)}: ${workers.count} = ${mb(context.levelMb)} on a ${mb(context.quotaMb)} dyno; `
      + `set ${workers.setting} to ${fits} (now ${workers.value}, ${workers.source}): the level would be ~${mb(expected)} (${percent(expected, context.quotaMb)})`
      + `${fits === 1 ? '; if one process cannot serve the traffic, add dynos rather than workers' : ''}; ${checkAfter(context)}`,
  }
}

export function mb(value: number): string {
  return `${Math.round(value)} MB`
}

export function percent(value: number, quota: number): string {
  return `${Math.round((value / quota) * 100)}%`
}
