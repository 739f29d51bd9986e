/**
 * What mem:record's recorder and store report: its running totals (for the status line) and notices
 * (stream gaps, a store that stopped answering, samples dropped from a full buffer). Produced by
 * stream/, shown by render/: it lives here so that neither imports the other.
 */
import type {StreamNotice} from './stream-notice.js'

export interface RecorderStatus {
  apps: number
  dynos: number
  /** Samples the store has acknowledged. */
  samplesStored: number
  /** Events waiting for the store (all kinds). */
  buffered: number
  /** Wall-clock ms when the newest sample arrived; undefined before the first. */
  lastSampleAt?: number
  /** Stream gaps reported so far (spans of the log the recorder could not see). */
  gaps: number
  /** True while writes fail and events wait in memory. */
  storeDown: boolean
}

export type RecorderNotice =
  | {app: string; kind: 'stream'; notice: StreamNotice}
  | {buffered: number; kind: 'store-down'; reason: string; retryInMs: number}
  | {kind: 'store-up'; written: number}
  | {app: string; dropped: number; kind: 'dropped'}
  | {kind: 'pruned'; rolledUpSamples: number; deletedRollups: number}
  | {action: 'resolve' | 'trigger'; kind: 'alert'; summary: string}
  | {kind: 'alert-failed'; message: string}
  /** Said by the alert rules without an alert (an app with no dyno running is silent, not blind). */
  | {kind: 'alert-note'; message: string}

/** What the store holds for one app (`mem:record --status`). */
export interface AppStatus {
  app: string
  from?: number
  to?: number
  samples: number
  events: number
  rollups: number
  dynos: number
}

export interface StoreStatus {
  /** The file path, or the Postgres URL without credentials. */
  label: string
  dialect: string
  sizeBytes: number
  apps: AppStatus[]
}
