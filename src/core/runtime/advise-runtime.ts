/**
 * Configuration advice for one process type from its runtime (detect.ts), its allow-listed
 * settings (settings.ts) and what its memory did. Most R14s are configuration: too many workers
 * for the dyno, glibc arenas on an old Ruby app, a heap cap above the quota.
 */
import type {Advice, DynoReport, ProcessTypeReport} from '../report/report-schema.js'
import type {Rule, RuleContext} from './rules/context.js'

import {
  type AppRuntime, detectProcessRuntime, type ProcessRuntime, type RuntimeKind,
} from './detect.js'
import {jvmAdvice} from './rules/jvm.js'
import {nodeAdvice} from './rules/node.js'
import {pythonAdvice} from './rules/python.js'
import {rubyAdvice} from './rules/ruby.js'
import {workerCount} from './settings.js'

const RULES: Record<RuntimeKind, Rule> = {
  jvm: jvmAdvice, node: nodeAdvice, python: pythonAdvice, ruby: rubyAdvice,
}

/** A settled level at or above this share of the quota is a problem worth a configuration change. */
const HIGH_LEVEL_SHARE = 0.7
const HIGH_PEAK_SHARE = 0.85

export interface RuntimeFindings {
  process?: ProcessRuntime
  context?: RuleContext
  advice: Advice[]
}

export function adviseRuntime(type: ProcessTypeReport, dynos: DynoReport[], runtime: AppRuntime | undefined, app?: string): RuntimeFindings {
  const context = ruleContext(type, dynos, runtime, app)
  if (!context) return {advice: []}
  return {advice: RULES[context.process.kind](context), context, process: context.process}
}

/** What the rules see; undefined when the runtime is unknown. */
export function ruleContext(type: ProcessTypeReport, dynos: DynoReport[], runtime: AppRuntime | undefined, app?: string): RuleContext | undefined {
  if (!runtime) return undefined
  const process = detectProcessRuntime(runtime, type.type)
  if (!process) return undefined
  const settled = dynos.filter(dyno => dyno.judgedBy && dyno.verdict !== 'leak')
  const levelMb = Math.max(0, ...settled.map(dyno => (dyno.verdict === 'bloat' ? dyno.judgedBy!.endMb : dyno.judgedBy!.levelMb)))
  const leakers = dynos.filter(dyno => dyno.verdict === 'leak' && dyno.judgedBy)
  const leaking = leakers.length > 0
  const overloaded = type.verdict !== 'spiky' && (type.r14 > 0 || type.r15 > 0 || type.memoryMaxMb >= HIGH_PEAK_SHARE * type.quotaMb)
  const boots = leakers.map(dyno => dyno.judgedBy!.startMb).sort((a, b) => a - b)
  return {
    app,
    bootMb: boots.length > 0 ? boots[Math.floor(boots.length / 2)] : undefined,
    dynoCount: dynos.length,
    leaking,
    levelMb,
    peakMb: type.memoryMaxMb,
    process,
    quotaMb: type.quotaMb,
    runtime,
    size: type.size,
    strained: leaking || levelMb >= HIGH_LEVEL_SHARE * type.quotaMb || overloaded,
    type: type.type,
    workers: workerCount(process, runtime, type.type, type.quotaMb, type.size),
  }
}
