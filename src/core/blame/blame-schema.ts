/** What `mem:blame` finds: plain data for the renderers (text, --json; schema in docs/blame.md). */

export interface LeakEvidence {
  /** Holm-adjusted one-sided p-value that the route costs nothing. */
  adjustedP: number
  /** MiB left behind per 1000 requests, and its 95% bootstrap interval. */
  mbPer1000: number
  mbPer1000Lower: number
  mbPer1000Upper: number
}

export interface JumpEvidence {
  /** Holm-adjusted permutation p-value. */
  adjustedP: number
  /** Memory jumps (steps up that stayed) on this type's dynos. */
  jumps: number
  /** How many of them happened in an interval that served this route: what the finding rests on. */
  jumpsWithRoute: number
  /** Route's share of requests in jump intervals over its share overall. */
  lift: number
}

export interface BlameSuspect {
  jumps?: JumpEvidence
  leak?: LeakEvidence
  /** Growth this route accounts for over the log, MiB (leak: cost x requests; jumps: their size). */
  mbExplained: number
  /** Requests of the route in the log. */
  requests: number
  /** `METHOD /template`; tied routes are joined with ` + `. */
  route: string
  /** Routes that always came with it: their costs cannot be told apart. */
  tiedWith?: string[]
  type: string
}

/** Every route (column) the analysis looked at, suspect or not. */
export interface RouteFinding {
  jumps?: JumpEvidence
  leak?: LeakEvidence
  requests: number
  route: string
}

export interface BlameTypeSummary {
  /** Background growth with no requests, MiB/h (undefined when the leak fit was not possible). */
  backgroundMbPerHour?: number
  /** Requests in flight on average (service time / wall time) on a dyno. */
  concurrency: number
  /**
   * Growth every request pays alike, MiB per 1000 requests (undefined without a leak fit). Traffic
   * grows with time, so this and the background trade places: their sum is what the log shows.
   */
  sharedMbPer1000?: number
  dynos: number
  intervals: number
  jumpThresholdMb: number
  jumps: number
  requests: number
  routes: RouteFinding[]
  /** Route groups that always came together. */
  tied: string[][]
  type: string
  /** Blocks (30 min of one dyno) the leak fit rests on; 0 when it was not possible. */
  leakBlocks: number
}

export interface BlameLimit {
  code: 'concurrency' | 'few-jumps' | 'lost-lines' | 'no-router-lines' | 'short-log' | 'unplaced'
  message: string
}

export interface BlameResult {
  from: number
  /** What the method cannot see in this log. */
  limits: BlameLimit[]
  requests: number
  samples: number
  /** Ranked: the route accounting for the most memory first. Empty when nothing stands out. */
  suspects: BlameSuspect[]
  to: number
  types: BlameTypeSummary[]
  /** Requests that could not be placed in an interval (no sample yet, restart, gap). */
  unplaced: number
}
