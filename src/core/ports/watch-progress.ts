/** Progress of a live window, about once a second: what stream/ reports and render/ReportProgress shows. */
export interface WatchProgress {
  finish(samples: number): void
  update(now: number, samples: number): void
}
