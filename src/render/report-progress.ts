import {plural} from './units.js'

/** `--duration` progress on stderr: time left and samples gathered. Redrawn in place on a terminal; on a pipe, one line a minute. */
export class ReportProgress {
  private lastLine = 0

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: {durationMs: number; interactive: boolean; label: string; startedAt: number},
  ) {}

  /** Called about once a second with the current time and sample count. */
  update(now: number, samples: number): void {
    const {durationMs, interactive, label, startedAt} = this.options
    const elapsed = Math.min(durationMs, Math.max(0, now - startedAt))
    const text = `${label}: ${clock(durationMs - elapsed)} left, ${plural(samples, 'sample')}`
    if (interactive) {
      const width = 24
      const done = Math.round((elapsed / durationMs) * width)
      this.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${text}\u001B[K`)
      return
    }

    if (this.lastLine === 0 || now - this.lastLine >= 60_000) {
      this.lastLine = now
      this.write(`${text}\n`)
    }
  }

  finish(samples: number): void {
    this.write(`${this.options.interactive ? '\r\u001B[K' : ''}${this.options.label}: done, ${plural(samples, 'sample')}\n`)
  }
}

function two(value: number): string {
  return String(value).padStart(2, '0')
}

function clock(ms: number): string {
  const seconds = Math.ceil(ms / 1000)
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const rest = seconds % 60
  return hours > 0 ? `${hours}:${two(minutes)}:${two(rest)}` : `${minutes}:${two(rest)}`
}
