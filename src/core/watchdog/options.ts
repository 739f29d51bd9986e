import type {Metric, ThresholdSet} from './threshold.js'

export interface RestartPolicyOptions {
  /** Minimum time between two restarts of one dyno (any restart: ours, a deploy's, a crash's). */
  cooldownMs: number
  /** Decide but never restart. */
  dryRun: boolean
  /** Consecutive readings over the limit before a restart. */
  forSamples: number
  /** A dyno that crosses within this long after a restart `loopLimit` times in a row is left alone. */
  loopLimit: number
  loopWindowMs: number
  /** Restarts the watchdog makes in any hour (log clock), all dynos together. */
  maxPerHour: number
  /** Dynos of one process type restarting at once. */
  maxParallel: number
  metric: Metric
  /** Count an R14 line as a reading over the limit. */
  onR14: boolean
  thresholds: ThresholdSet
  /** A restarted dyno with no new instance after this long frees its slot anyway. */
  upTimeoutMs: number
}

export const POLICY_DEFAULTS = {
  cooldownMs: 10 * 60_000,
  dryRun: false,
  forSamples: 2,
  loopLimit: 3,
  loopWindowMs: 5 * 60_000,
  maxParallel: 1,
  maxPerHour: 10,
  metric: 'rss+swap' as Metric,
  onR14: false,
  upTimeoutMs: 5 * 60_000,
}

export const HOUR_MS = 3_600_000
/** A sample and an R14 this close on the log clock are one reading (R14 repeats with every sample). */
export const SAME_READING_MS = 10_000
/** With preboot the old instance logs for ~3 minutes after a restart; its R14 lines carry no instance id. */
export const PREBOOT_OVERLAP_MS = 5 * 60_000
/** In `--once`, a dyno whose latest reading is older than this (log clock) has stopped reporting. */
export const STALE_READING_MS = 2 * 60_000
/** log-runtime-metrics logs one sample about every 20 s per dyno. */
export const SAMPLE_PERIOD_MS = 20_000
/**
 * Readings "in a row" are readings with no more than this between them: after a longer silence
 * (lost lines, a dyno that logs only while over its quota) the count starts again, so readings
 * minutes apart never add up to a restart.
 */
export const READING_ROW_GAP_MS = 3 * SAMPLE_PERIOD_MS
/**
 * A line this far from the log clock moves it only when another line agrees: one line with a
 * wrong date must not hold dynos in cooldown for a day, or make every other dyno look stale.
 */
export const CLOCK_JUMP_MS = 10 * 60_000
