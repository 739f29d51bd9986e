import {setMaxListeners} from 'node:events'

type Listener = (...args: unknown[]) => void

/** What a second signal exits with, when the user does not want to wait for the summary. */
const SECOND_SIGNAL_EXIT: Record<StopSignalName, number> = {SIGINT: 130, SIGTERM: 143}

export type StopSignalName = 'SIGINT' | 'SIGTERM'

/**
 * Ctrl-C (SIGINT) and SIGTERM (a dyno being cycled) as a request to stop: the command ends its
 * loop, finishes what is in flight, prints its summary and exits 0. A second signal exits at once.
 *
 * Inside the `heroku` binary the CLI has listeners of its own on both signals (its telemetry)
 * that call process.exit(1) before any listener added after them could run: while a command
 * holds the stop signal those listeners are set aside, and release() puts them back.
 */
export class StopSignal extends AbortController {
  private readonly onSignal = (name: StopSignalName) => {
    if (this.signal.aborted) process.exit(SECOND_SIGNAL_EXIT[name])
    this.abort()
  }
  private released = false
  private readonly setAside = new Map<StopSignalName, Listener[]>()

  /** Takes over SIGINT and SIGTERM until release(). */
  constructor() {
    super()
    // Every task in flight listens for the stop: the watchdog's restarts, --max-parallel at once,
    // each with its request and its wait. Bounded by design, so Node's leak warning past 10 (printed
    // on stderr with --max-parallel 10) would be a false alarm.
    setMaxListeners(0, this.signal)
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      this.setAside.set(name, process.listeners(name) as Listener[])
      process.removeAllListeners(name)
      process.on(name, this.onSignal)
    }
  }

  /** Gives SIGINT and SIGTERM back to whoever had them before; safe to call twice. */
  release(): void {
    if (this.released) return
    this.released = true
    for (const [name, listeners] of this.setAside) {
      process.off(name, this.onSignal)
      for (const listener of listeners) process.on(name, listener)
    }
  }
}

/**
 * The stop signal of a command that reports what it read when stopped (mem:report, mem:blame):
 * when it watches a live window (`--duration`) or reads a pipe (`--file -`, e.g. `heroku logs
 * --tail | heroku mem:report --file -`); otherwise none, and Ctrl-C ends it as it ends any command.
 */
export function stopSignalFor(input: {duration?: number; file?: string[]}): StopSignal | undefined {
  return input.duration || input.file?.includes('-') ? new StopSignal() : undefined
}
