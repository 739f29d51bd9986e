import type {ServerResponse} from 'node:http'

import {randomBytes} from 'node:crypto'

import type {Random} from './random.js'

import {
  LOG_BUFFER_LINES, type LogFilter, type LogLine, matchesFilter, type SimulatedApp,
} from './simulated-app.js'

const DEFAULT_SESSION_LINES = 100

export interface LogSessionRequest {
  dyno?: string
  dyno_name?: string
  lines?: number
  source?: string
  tail?: boolean
  type?: string
}

/** The stream faults (server.ts `Faults`) as Logplex reads them, at every write. */
export interface StreamFaults {
  dropAfterLines?: number
  /** Streams end at once, with no line (open tail streams at their next write). */
  empty: boolean
  /** History (non-tail) sessions do not end: after the history they go on with the live log, as a tail would. */
  historyNeverEnds?: boolean
  /** Tail streams send `data: keepalive` events instead of lines. */
  keepaliveOnly: boolean
  /** Tail streams send the last lines they sent again, instead of the new ones. */
  repeatOnly?: boolean
  stalled: boolean
}

interface LogSession {
  app: SimulatedApp
  filter: LogFilter
  lines: number
  tail: boolean
}

/** The stream side of Logplex: log sessions read as Server-Sent Events from a secret URL. */
export class Logplex {
  private readonly sessions = new Map<string, LogSession>()
  private readonly streams = new Set<ServerResponse>()

  constructor(private readonly random: Random, private readonly faults: () => StreamFaults) {}

  /** Ends every open stream (the server is closing). */
  closeAll(): void {
    for (const stream of this.streams) stream.destroy()
    this.streams.clear()
  }

  /**
   * Registers a session; returns the secret its URL carries. Session faults (server.ts `Faults`):
   * `ignoreDynoFilter` (`streamIgnoresFilter`): every dyno's lines whatever `dyno` asked for;
   * `tailReplays` (`tailReplays`): a tail starts with this many recent lines whatever `lines` asked for.
   */
  createSession(app: SimulatedApp, request: LogSessionRequest, faults: {ignoreDynoFilter?: boolean; tailReplays?: number} = {}): string {
    const secret = randomBytes(24).toString('hex')
    const asked = request.tail === true && faults.tailReplays !== undefined ? faults.tailReplays : request.lines ?? DEFAULT_SESSION_LINES
    const lines = Math.min(LOG_BUFFER_LINES, Math.max(0, Math.trunc(asked)))
    const filter = faults.ignoreDynoFilter ? {source: request.source} : {dyno: request.dyno_name ?? request.dyno, source: request.source, type: request.type}
    this.sessions.set(secret, {
      app,
      filter,
      lines,
      tail: request.tail === true,
    })
    return secret
  }

  /** Serves the stream of the session `secret`; false when there is none. */
  serve(secret: string, response: ServerResponse, headers: Record<string, string>): boolean {
    const session = this.sessions.get(secret)
    if (!session) return false
    response.writeHead(200, {
      ...headers, 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'Content-Type': 'text/event-stream',
    })
    response.flushHeaders()
    if (this.faults().empty) {
      response.end()
      return true
    }

    this.streams.add(response)
    const stream = new EventStream(response, () => this.eventSize(), () => (session.tail ? this.faults() : {empty: false, keepaliveOnly: false, stalled: false}))
    response.on('close', () => {
      stream.stop()
      this.streams.delete(response)
    })
    stream.send(session.lines > 0 ? session.app.recent(session.filter, session.lines) : [])
    if (!session.tail && !this.faults().historyNeverEnds) {
      stream.stop()
      response.end()
    } else if (stream.open) {
      stream.unsubscribe = session.app.subscribe(lines => stream.send(lines.filter(line => matchesFilter(line, session.filter))))
    }

    return true
  }

  private eventSize(): number {
    const roll = this.random.next()
    return roll < 0.7 ? 1 : (roll < 0.9 ? 2 : 3)
  }
}

/** One reader's `text/event-stream` response. */
class EventStream {
  /** Stalled (streamStall): open, silent for good. */
  dead = false
  open = true
  unsubscribe = () => {}
  /** The last lines sent, for `repeatOnly`. */
  private lastLines: LogLine[] = []
  private sent = 0

  constructor(
    private readonly response: ServerResponse,
    private readonly eventSize: () => number,
    private readonly faults: () => StreamFaults,
  ) {}

  /**
   * Writes lines as events; a drop fault cuts the connection once its line count is reached; a
   * stalled stream writes nothing ever again; a keepalive-only one writes a keepalive instead.
   */
  send(lines: LogLine[]): void {
    if (this.faults().stalled) this.dead = true
    if (this.dead) return
    if (this.faults().empty) {
      this.stop()
      this.response.end()
      return
    }

    if (this.faults().keepaliveOnly) {
      if (lines.length > 0) this.response.write('data: keepalive\n\n')
      return
    }

    if (this.faults().repeatOnly) {
      if (lines.length > 0 && this.lastLines.length > 0) this.response.write(this.lastLines.map(line => `data: ${line.text}\n`).join('') + '\n')
      return
    }

    if (lines.length > 0) this.lastLines = lines

    let index = 0
    while (this.open && index < lines.length) {
      const dropAfter = this.faults().dropAfterLines
      const count = Math.min(this.eventSize(), lines.length - index, (dropAfter ?? Number.POSITIVE_INFINITY) - this.sent)
      if (count <= 0) {
        this.cut()
        return
      }

      const event = lines.slice(index, index + count).map(line => `data: ${line.text}\n`).join('') + '\n'
      index += count
      this.sent += count
      if (dropAfter !== undefined && this.sent >= dropAfter) {
        this.stop()
        // Destroyed only once the event is flushed, so the reader gets exactly `dropAfter` lines.
        this.response.write(event, () => this.response.socket?.destroy())
        return
      }

      this.response.write(event)
    }
  }

  stop(): void {
    this.open = false
    this.unsubscribe()
  }

  private cut(): void {
    this.stop()
    this.response.socket?.destroy()
  }
}
