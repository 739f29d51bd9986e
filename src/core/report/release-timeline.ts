import type {ReleaseEvent} from '../events.js'

/** A release as the report names it: `v42` with what it was (`Deploy 1a2b3c4`, `Set FOO config vars`). */
export interface ReleaseMark {
  time: number
  version?: number
  description: string
}

/** Lines describing a release (deploy, config change, rollback) land this close to its `Release vN created` line. */
const SAME_RELEASE_MS = 60_000

/**
 * Releases in time order, from `app[api]` log lines or from the Platform API. Scaling is not a
 * release (no new code, no restart of running dynos) and is left out. A deploy or config line
 * next to a `Release vN created` line describes that release rather than making a second one.
 */
export class ReleaseTimeline {
  private readonly marks: ReleaseMark[] = []

  add(event: ReleaseEvent): void {
    if (event.action === 'scale') return
    const near = this.marks.find(mark => Math.abs(mark.time - event.time) <= SAME_RELEASE_MS && compatibleVersions(mark.version, event.version))
    if (near) {
      near.version ??= event.version
      if (event.action !== 'release' || isGeneric(near.description)) near.description = event.description
      if (event.action === 'release' && !isGeneric(event.description) && isGeneric(near.description)) near.description = event.description
      return
    }

    const mark: ReleaseMark = {description: event.description, time: event.time, version: event.version}
    let position = this.marks.length
    while (position > 0 && this.marks[position - 1].time > event.time) position--
    this.marks.splice(position, 0, mark)
  }

  /** The release running at `time`: the last one created at or before it. */
  at(time: number): ReleaseMark | undefined {
    let low = 0
    let high = this.marks.length
    while (low < high) {
      const middle = Math.floor((low + high) / 2)
      if (this.marks[middle].time <= time) low = middle + 1
      else high = middle
    }

    return low > 0 ? this.marks[low - 1] : undefined
  }

  list(): ReleaseMark[] {
    return [...this.marks]
  }
}

/** `v42`, or the description when a release has no version. */
export function releaseLabel(mark: ReleaseMark | undefined): string {
  if (!mark) return 'before the first release seen'
  return mark.version === undefined ? mark.description : `v${mark.version}`
}

function compatibleVersions(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || b === undefined || a === b
}

function isGeneric(description: string): boolean {
  return /^Release v\d+ created/.test(description)
}
