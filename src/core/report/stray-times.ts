/** Events held before the bulk's time is known: their median is where the log is. */
const LEAD_EVENTS = 64
/** An event this near the times taken so far, or as near as their span is long, belongs to the log (an idle Eco dyno sleeps for days; a month of archives may have a week's hole). */
const NEAR_MS = 2 * 86_400_000
/** This many strays within NEAR_MS of each other are a log of their own (a second file from another month), not a fault. */
const CLUSTER_EVENTS = 30
/** Strays held at most; more are set aside at once (a log of nothing but scattered bad times). */
const MAX_STRAYS = 1000

/** Events set aside: how many, and their earliest and latest times. */
export interface SetAside {
  count: number
  earliest: number
  latest: number
}

/**
 * Sets aside events whose time is far from the bulk of the log: a line dated 1970 (a zeroed
 * clock) or 9999 (a placeholder) would stretch the span to millions of days and squash every
 * series into one bucket, turning a leak into "bloat". The first events are held until their
 * median says where the log is; after that an event is taken when it lies near the times taken
 * so far (within 2 days, or within the span itself), or when enough strays gather near each
 * other to be a log of their own. At the end, strays that the grown span now reaches are taken;
 * the rest are set aside.
 */
export class StrayTimes<E extends {time: number}> {
  readonly setAside: SetAside = {count: 0, earliest: Number.POSITIVE_INFINITY, latest: Number.NEGATIVE_INFINITY}
  private from = Number.NaN
  private lead: E[] | undefined = []
  private strays: E[] = []
  private to = Number.NaN

  constructor(private readonly take: (event: E) => void) {}

  admit(event: E): void {
    if (this.lead === undefined) {
      this.place(event)
      return
    }

    this.lead.push(event)
    if (this.lead.length >= LEAD_EVENTS) this.settle()
  }

  /** Takes or sets aside whatever is still held. Idempotent; admitting more afterwards is fine. */
  finish(): void {
    if (this.lead !== undefined) this.settle()
    let taken = true
    while (taken && this.strays.length > 0) {
      taken = false
      const left: E[] = []
      for (const event of this.strays.sort((a, b) => a.time - b.time)) {
        if (this.isNear(event.time)) {
          this.accept(event)
          taken = true
        } else {
          left.push(event)
        }
      }

      this.strays = left
    }

    for (const event of this.strays) this.discard(event)
    this.strays = []
  }

  private accept(event: E): void {
    if (!(event.time >= this.from)) this.from = event.time
    if (!(event.time <= this.to)) this.to = event.time
    this.take(event)
  }

  private discard(event: E): void {
    this.setAside.count++
    if (event.time < this.setAside.earliest) this.setAside.earliest = event.time
    if (event.time > this.setAside.latest) this.setAside.latest = event.time
  }

  private isNear(time: number): boolean {
    const reach = Math.max(NEAR_MS, this.to - this.from)
    return time >= this.from - reach && time <= this.to + reach
  }

  private place(event: E): void {
    if (this.isNear(event.time)) {
      this.accept(event)
      return
    }

    if (this.strays.length >= MAX_STRAYS) {
      this.discard(event)
      return
    }

    this.strays.push(event)
    const near = this.strays.filter(stray => Math.abs(stray.time - event.time) <= NEAR_MS)
    if (near.length < CLUSTER_EVENTS) return
    this.strays = this.strays.filter(stray => Math.abs(stray.time - event.time) > NEAR_MS)
    for (const stray of near.sort((a, b) => a.time - b.time)) this.accept(stray)
  }

  private settle(): void {
    const lead = this.lead ?? []
    this.lead = undefined
    if (lead.length === 0) return
    const times = lead.map(event => event.time).sort((a, b) => a - b)
    const middle = times[Math.floor(times.length / 2)]
    // The span grows outwards from the median, nearest first, so that a stray never widens it...
    this.from = middle
    this.to = middle
    for (const time of times.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle))) {
      if (!this.isNear(time)) continue
      if (time < this.from) this.from = time
      if (time > this.to) this.to = time
    }

    // ...and the held events are then placed in the order they came (the report counts the intervals between samples).
    for (const event of lead) this.place(event)
  }
}
