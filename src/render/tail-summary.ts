import type {DynoStatus} from '../core/dyno-state.js'

import {
  formatMb, formatPercent, percentOf, plural,
} from './units.js'

/** The few lines `mem:tail` leaves on stderr when it stops. */
export function tailSummary(dynos: DynoStatus[]): string {
  if (dynos.length === 0) return 'summary: no memory samples received\n'
  const lines = dynos.map(dyno => {
    // No peak without samples (an app without log-runtime-metrics: R14/R15 only), not "0 samples, no samples".
    const peak = dyno.samples > 0 ? `, peak ${formatMb(dyno.peakUsed)} (${formatPercent(percentOf(dyno.peakUsed, dyno.quota))} of ${formatMb(dyno.quota)})` : ''
    return `  ${dyno.name}: ${plural(dyno.samples, 'sample')}${peak}, R14 x${dyno.r14}, R15 x${dyno.r15}, restarts ${dyno.restarts}`
  })
  return `summary:\n${lines.join('\n')}\n`
}
