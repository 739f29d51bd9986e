import type {DynoStatus} from '../dyno-state.js'
import type {LogEvent} from '../events.js'
import type {StreamNotice} from './stream-notice.js'

/** One change mem:tail's live feed reports: an event with the dyno it changed, silence, a stream notice. */
export type FeedUpdate =
  | {dyno: DynoStatus; event: LogEvent; kind: 'event'}
  | {dyno: DynoStatus; kind: 'silent'; since: number}
  | {kind: 'forgotten'; name: string}
  | {kind: 'stream'; notice: StreamNotice}
