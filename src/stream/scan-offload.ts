/**
 * A big file's reading and needle search moved to a worker thread (stream/scan-worker.ts), so
 * that they run beside this thread's parsing, accumulating and report: on 1 GB, reading and
 * searching are about 0.6 s of CPU that this thread no longer spends. The worker runs the same
 * `scanInput` a single thread would and ships the lines it finds, in order, as packed bytes;
 * this thread hands each to the caller's `onLine` exactly as its own scanner would have. The one
 * parser stays on this thread, so its state (2013 `measure=` groups, year-less lines) needs no
 * hand-over, and the events are the same sequence either way.
 */
import {
  closeSync, openSync, readSync, statSync,
} from 'node:fs'
import {createRequire} from 'node:module'
import {availableParallelism} from 'node:os'
import {pathToFileURL} from 'node:url'
import {Worker, type WorkerOptions} from 'node:worker_threads'

import type {LineScannerOptions} from './line-scanner.js'

import {UserError} from '../errors.js'
import {isGzip, type ScanTotals} from './scan-input.js'

/**
 * Smaller files stay on this thread: the worker's start (~50 ms of CPU compiling its own isolate
 * before its first batch), the hand-over and two busy threads on the cores V8's compiler and GC
 * also want cost about what they save at ~150 MB (paired runs of mem:report --file, worker /
 * one thread: 1.09x wall on 20 MB, 1.10x on 64 MB, 1.00x on 150 MB, 0.96x on 300 MB, 0.74x on 1 GB).
 */
export const WORKER_MIN_BYTES = 160 * 1024 * 1024
/** Lines are shipped in batches of up to this many bytes (a longer line goes alone). */
export const BATCH_BYTES = 256 * 1024
/**
 * Batches posted and not yet parsed here: the worker waits beyond this (bounded memory, ~4 MB).
 * Each side has pauses of its own (this thread's GC and compiles, the worker's reads), and both
 * work at about the same rate: with 8 (2 MB) the worker waited ~100 ms a GB while this thread,
 * between bursts, waited for it as long; with 16 or 32 neither waits much (0.96-0.97x wall on
 * 1 GB). 16, not 32: as fast (1.00x), and inside `heroku` the peak RSS stays under 150 MB
 * (1 GB, text output: 140.7 MB median, 142.9 at most; with 32, 146.0 and 151.4).
 */
export const MAX_IN_FLIGHT = 16
/** Slots of the shared Int32Array: batches posted by the worker, batches parsed here. */
export const POSTED = 0
export const PARSED = 1

/** What the worker is given. */
export interface ScanJob extends Omit<LineScannerOptions, 'onLine'> {
  batchBytes: number
  maxInFlight: number
  path: string
  /** Int32 [POSTED, PARSED]. */
  progress: SharedArrayBuffer
}

export type ScanMessage =
  /** Lines packed end to end: line i is `bytes[ends[i - 1] ?? 0, ends[i])`. */
  | {bytes: ArrayBuffer; ends: Int32Array; kind: 'lines'}
  | {code?: string; kind: 'error'; message: string; userError: boolean}
  | {kind: 'done'; mostInFlight: number; totals: ScanTotals}

export interface WorkerScanTotals extends ScanTotals {
  /** The most batches that were ever waiting to be parsed here (the tests' check of MAX_IN_FLIGHT). */
  mostInFlight: number
}

/**
 * Whether `path` is a plain file big enough to be read by a worker, on a machine with a core for
 * it. Not gzip: Node already inflates on its thread pool, and the worker measured slower there
 * (1.07x wall on 300 MB, and 30 MB more peak RSS).
 */
export function offloadsScan(path: string, minBytes: number): boolean {
  if (availableParallelism() < 2) return false
  try {
    const stat = statSync(path)
    return stat.isFile() && stat.size >= minBytes && !startsWithGzipMagic(path)
  } catch {
    // This thread's own read says what is wrong with the path.
    return false
  }
}

function startsWithGzipMagic(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(2)
    return isGzip(head, 0, readSync(fd, head, 0, 2, 0))
  } finally {
    closeSync(fd)
  }
}

/** `scanInput(path, options)`, its reading and search done by a worker thread. */
export async function scanInWorker(path: string, options: LineScannerOptions): Promise<WorkerScanTotals> {
  const {onLine, ...scanning} = options
  const progress = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))
  const job: ScanJob = {
    ...scanning, batchBytes: BATCH_BYTES, maxInFlight: MAX_IN_FLIGHT, path, progress: progress.buffer as SharedArrayBuffer,
  }
  const worker = startWorker(job)
  return new Promise<WorkerScanTotals>((resolve, reject) => {
    let settled = false
    const settle = (error: Error | undefined, totals?: WorkerScanTotals): void => {
      if (settled) return
      settled = true
      worker.removeAllListeners()
      if (error) {
        // Nothing more is parsed: the worker may be waiting for room, or still reading.
        worker.terminate().catch(() => {})
        reject(error)
      } else {
        resolve(totals!)
      }
    }

    worker.on('message', (message: ScanMessage) => {
      try {
        switch (message.kind) {
        case 'lines': {
          const bytes = Buffer.from(message.bytes)
          const {ends} = message
          let start = 0
          for (const end of ends) {
            onLine(bytes, start, end)
            start = end
          }

          Atomics.add(progress, PARSED, 1)
          Atomics.notify(progress, PARSED)
          break
        }

        case 'done': {
          settle(undefined, {...message.totals, mostInFlight: message.mostInFlight})
          break
        }

        case 'error': {
          settle(message.userError ? new UserError(message.message) : Object.assign(new Error(message.message), {code: message.code}))
        }
        }
      } catch (error) {
        // The caller's own failure (its onLine threw): it ends the read, as it would on one thread.
        settle(error as Error)
      }
    })
    worker.on('error', error => settle(error))
    // Its messages all arrive before its exit: an exit before `done` is a failure.
    worker.on('exit', code => settle(new Error(`the log reading thread stopped before the end of ${path} (exit code ${code})`)))
  })
}

/** The worker keeps nothing between lines: a small young generation holds its peak RSS down. */
function workerOptions(job: ScanJob): WorkerOptions {
  return {
    resourceLimits: {maxYoungGenerationSizeMb: 4}, stderr: false, stdout: false, workerData: job,
  }
}

/** From the TypeScript sources (tests, bench) the worker loads through tsx, whose hooks workers do not inherit. */
function startWorker(job: ScanJob): Worker {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL('scan-worker.js', here), workerOptions(job))
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href
  const entry = new URL('scan-worker.ts', here).href
  const code = `import(${JSON.stringify(tsx)}).then(tsx => { tsx.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(code, {...workerOptions(job), eval: true})
}
