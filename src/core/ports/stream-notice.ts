/**
 * What a log stream tells about itself besides lines: a session opened, a reconnect under way, a
 * span of the log it could not see. Produced by stream/, shown by render/: it lives here so that
 * neither imports the other.
 */
export type StreamNotice =
  | {attempt: number; delayMs: number; kind: 'reconnecting'; reason: string}
  | {from: number; kind: 'gap'; to: number}
  | {kind: 'connected'; resumed: boolean}
  /** A live stream open but silent for longer than the platform's sample period allows: closed, reopened. */
  | {kind: 'stalled'; silentMs: number}

/**
 * Why a notice leaves a live reader unable to see the log, or undefined when it does not: a stall,
 * or any reconnect but the one quick reconnect after a session's routine end.
 */
export function blindReason(notice: StreamNotice): string | undefined {
  if (notice.kind === 'stalled') return `no line for ${Math.round(notice.silentMs / 1000)}s`
  if (notice.kind === 'reconnecting' && (notice.attempt > 1 || notice.reason !== 'stream closed')) return notice.reason
  return undefined
}
