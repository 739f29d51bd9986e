import type {FailOnResult, Report} from './report-schema.js'

import {InvalidInput} from '../invalid-input.js'
import {SWAPPING_MB} from './accumulator.js'

type SimpleCondition = {kind: 'bloat' | 'leak' | 'r14' | 'r15' | 'spiky' | 'swap'; text: string}
type OverMbCondition = {kind: 'over-mb'; mb: number; text: string}
type OverPercentCondition = {kind: 'over-percent'; percent: number; text: string}
export type FailOnCondition = OverMbCondition | OverPercentCondition | SimpleCondition

const SIMPLE = new Set(['bloat', 'leak', 'r14', 'r15', 'spiky', 'swap'])

/** `leak`, `bloat`, `spiky`, `r14`, `r15`, `swap`, `over:90%` (of the quota), `over:450MB`. */
export function parseFailOn(text: string): FailOnCondition {
  const value = text.trim().toLowerCase()
  if (SIMPLE.has(value)) return {kind: value as 'leak', text: value}
  const over = /^over:(\d+(?:\.\d+)?)(%|mb|gb)$/.exec(value)
  if (over) {
    const amount = Number(over[1])
    if (over[2] === '%') return {kind: 'over-percent', percent: amount, text: value}
    return {kind: 'over-mb', mb: over[2] === 'gb' ? amount * 1024 : amount, text: value}
  }

  throw new InvalidInput(`Invalid --fail-on "${text}": use leak, bloat, spiky, r14, r15, swap, over:90% or over:450MB`)
}

export function evaluateFailOn(conditions: FailOnCondition[], report: Report): FailOnResult[] {
  return conditions.map(condition => {
    const dynos = report.dynos.filter(dyno => {
      switch (condition.kind) {
      case 'over-mb': {
        return dyno.memoryMaxMb > condition.mb
      }

      case 'over-percent': {
        return dyno.peakPercentOfQuota > condition.percent
      }

      case 'r14': {
        return dyno.r14 > 0
      }

      case 'r15': {
        return dyno.r15 > 0
      }

      case 'swap': {
        return dyno.swapMaxMb >= SWAPPING_MB
      }

      default: {
        return dyno.verdict === condition.kind
      }
      }
    })
    const detail = dynos.map(dyno => `${dyno.name} (${describe(condition, dyno)})`).join(', ')
    return {condition: condition.text, detail, met: dynos.length > 0}
  })
}

function describe(condition: FailOnCondition, dyno: Report['dynos'][number]): string {
  switch (condition.kind) {
  case 'r14': {
    return `${dyno.r14} R14`
  }

  case 'r15': {
    return `${dyno.r15} R15`
  }

  case 'swap': {
    return `swap up to ${Math.round(dyno.swapMaxMb)} MB`
  }

  case 'leak': {
    return `${Math.round(dyno.judgedBy?.recentSlopeMbPerHour ?? 0)} MB/h`
  }

  default: {
    return `peak ${Math.round(dyno.memoryMaxMb)} MB, ${Math.round(dyno.peakPercentOfQuota)}% of quota`
  }
  }
}
