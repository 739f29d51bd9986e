/**
 * Blame's finished intervals, kept column by column: one typed array per figure, the routes of
 * every interval in two shared arrays. A long log has hundreds of thousands of intervals (one per
 * memory sample), kept until the end; as objects with two small Int32Arrays each they took ~600
 * bytes apiece (~270 MB of a 1 GB log's), here ~60 plus 6 per route served.
 */
/** One interval between two samples of the same dyno instance. */
export interface MemoryInterval {
  /** Bytes sent by the requests started in it. */
  bytes: number
  /** Route ids (RouteCatalog) of the requests started in it, parallel to `counts`. */
  counts: Int32Array
  dyno: string
  end: number
  /** RSS + swap at `end`, MiB. */
  endMb: number
  /** Requests answered 5xx (or router errors): a failing route may not allocate what it would. */
  errors: number
  instance?: string
  requests: number
  routes: Int32Array
  /** Sum of service times of the requests started in it, ms: busy time (concurrency when > length). */
  serviceMs: number
  start: number
  /** RSS + swap at `start`, MiB. */
  startMb: number
  type: string
}

/** What one interval adds: its figures and its requests per route id (in the order first served). */
export type IntervalRow = Omit<MemoryInterval, 'counts' | 'routes'>

const INITIAL_CAPACITY = 1024
/** Arrays grow by half again when full: doubling left up to half of each unused. */
const GROWTH = 1.5

/** The intervals of one process type, in the order they closed (per dyno instance: time order). */
export class IntervalTable {
  /** Bytes sent by the requests started in each interval. */
  bytes = new Float64Array(INITIAL_CAPACITY)
  end = new Float64Array(INITIAL_CAPACITY)
  /** RSS + swap at `end`, MiB. */
  endMb = new Float64Array(INITIAL_CAPACITY)
  errors = new Int32Array(INITIAL_CAPACITY)
  length = 0
  requests = new Int32Array(INITIAL_CAPACITY)
  /** Requests of each route: interval i's are routeCounts[routeStart[i] ... routeStart[i + 1] - 1]. */
  routeCounts = new Int32Array(INITIAL_CAPACITY)
  /** Route ids (RouteCatalog; fewer than ROUTE_LIMIT + 1), parallel to routeCounts. */
  routeIds = new Uint16Array(INITIAL_CAPACITY)
  /** Where each interval's routes begin in routeIds/routeCounts; one more entry than intervals. */
  routeStart = new Int32Array(INITIAL_CAPACITY + 1)
  /** Sum of service times of the requests started in each interval, ms. */
  serviceMs = new Float64Array(INITIAL_CAPACITY)
  start = new Float64Array(INITIAL_CAPACITY)
  /** RSS + swap at `start`, MiB. */
  startMb = new Float64Array(INITIAL_CAPACITY)
  /** Dyno instance of each interval: an index into `tracks`. */
  track = new Int32Array(INITIAL_CAPACITY)
  /** Dyno instances seen, in order of their first interval. */
  readonly tracks: Array<{dyno: string; instance?: string}> = []
  private routesUsed = 0
  /** Per dyno, per instance ('' for none), its index in `tracks`. */
  private readonly trackIds = new Map<string, Map<string, number>>()

  constructor(readonly type: string) {}

  /** Appends an interval; `counts` maps route id -> requests, iterated in its own order. */
  add(row: IntervalRow, counts: ReadonlyMap<number, number>): void {
    if (this.length === this.start.length) this.grow()
    while (this.routesUsed + counts.size > this.routeIds.length) this.growRoutes()
    const i = this.length
    this.bytes[i] = row.bytes
    this.end[i] = row.end
    this.endMb[i] = row.endMb
    this.errors[i] = row.errors
    this.requests[i] = row.requests
    this.serviceMs[i] = row.serviceMs
    this.start[i] = row.start
    this.startMb[i] = row.startMb
    this.track[i] = this.trackOf(row.dyno, row.instance)
    for (const [route, count] of counts) {
      this.routeIds[this.routesUsed] = route
      this.routeCounts[this.routesUsed] = count
      this.routesUsed++
    }

    this.length++
    this.routeStart[this.length] = this.routesUsed
  }

  /** Interval i as an object (for the store and tests: the blame core reads the columns). */
  at(i: number): MemoryInterval {
    const {dyno, instance} = this.tracks[this.track[i]]
    return {
      bytes: this.bytes[i],
      counts: this.routeCounts.slice(this.routeStart[i], this.routeStart[i + 1]),
      dyno,
      end: this.end[i],
      endMb: this.endMb[i],
      errors: this.errors[i],
      instance,
      requests: this.requests[i],
      routes: Int32Array.from(this.routeIds.subarray(this.routeStart[i], this.routeStart[i + 1])),
      serviceMs: this.serviceMs[i],
      start: this.start[i],
      startMb: this.startMb[i],
      type: this.type,
    }
  }

  /** Every interval as an object, in order. */
  intervals(): MemoryInterval[] {
    return Array.from({length: this.length}, (_, i) => this.at(i))
  }

  private grow(): void {
    const capacity = Math.ceil(this.start.length * GROWTH)
    this.bytes = grown(this.bytes, capacity)
    this.end = grown(this.end, capacity)
    this.endMb = grown(this.endMb, capacity)
    this.errors = grown(this.errors, capacity)
    this.requests = grown(this.requests, capacity)
    this.routeStart = grown(this.routeStart, capacity + 1)
    this.serviceMs = grown(this.serviceMs, capacity)
    this.start = grown(this.start, capacity)
    this.startMb = grown(this.startMb, capacity)
    this.track = grown(this.track, capacity)
  }

  private growRoutes(): void {
    const capacity = Math.ceil(this.routeIds.length * GROWTH)
    this.routeCounts = grown(this.routeCounts, capacity)
    this.routeIds = grown(this.routeIds, capacity)
  }

  /** The same key contiguous runs use: an instance missing and an empty one are one. */
  private trackOf(dyno: string, instance: string | undefined): number {
    let instances = this.trackIds.get(dyno)
    if (!instances) {
      instances = new Map()
      this.trackIds.set(dyno, instances)
    }

    const known = instances.get(instance ?? '')
    if (known !== undefined) return known
    const id = this.tracks.length
    this.tracks.push({dyno, instance})
    instances.set(instance ?? '', id)
    return id
  }
}

/** Intervals by process type, a table each, in the order the types were first seen. */
export class IntervalTables {
  private readonly byType = new Map<string, IntervalTable>()

  add(row: IntervalRow, counts: ReadonlyMap<number, number>): void {
    let table = this.byType.get(row.type)
    if (!table) {
      table = new IntervalTable(row.type)
      this.byType.set(row.type, table)
    }

    table.add(row, counts)
  }

  list(): IntervalTable[] {
    return [...this.byType.values()]
  }
}

function grown<T extends Float64Array | Int32Array | Uint16Array>(values: T, capacity: number): T {
  const out = new (values.constructor as new (length: number) => T)(capacity)
  out.set(values)
  return out
}
