/**
 * The worker of stream/scan-offload.ts: reads one file through `scanInput`, as the main thread
 * would, and posts the lines found to it in order, packed into batches. It waits while the main
 * thread has MAX_IN_FLIGHT batches not yet parsed, so memory stays bounded when parsing is the
 * slower side.
 */
import {parentPort, workerData} from 'node:worker_threads'

import {UserError} from '../errors.js'
import {scanInput} from './scan-input.js'
import {
  PARSED, POSTED, type ScanJob, type ScanMessage,
} from './scan-offload.js'
import {holdYoungGeneration} from './young-generation.js'

// V8's flags are the process's: a starting worker resets them, the main thread's young generation
// would grow again (~30 MB of peak RSS on 1 GB).
holdYoungGeneration()

const job = workerData as ScanJob
const progress = new Int32Array(job.progress)
const port = parentPort!

let batch = Buffer.allocUnsafeSlow(job.batchBytes)
let ends = new Int32Array(job.batchBytes / 64)
let used = 0
let count = 0
/** The most batches ever posted and not yet parsed (at most maxInFlight): for the tests. */
let mostInFlight = 0

/** Posts the batch (its memory moves to the main thread) and starts a new one. */
function post(bytes: Buffer, lineEnds: Int32Array): void {
  for (let parsed = Atomics.load(progress, PARSED); Atomics.load(progress, POSTED) - parsed >= job.maxInFlight; parsed = Atomics.load(progress, PARSED)) {
    Atomics.wait(progress, PARSED, parsed)
  }

  mostInFlight = Math.max(mostInFlight, Atomics.load(progress, POSTED) - Atomics.load(progress, PARSED) + 1)

  // Its own ArrayBuffer (allocUnsafeSlow, never the shared pool's): transferring it moves only these bytes.
  const message: ScanMessage = {bytes: bytes.buffer as ArrayBuffer, ends: lineEnds, kind: 'lines'}
  port.postMessage(message, [message.bytes, lineEnds.buffer as ArrayBuffer])
  Atomics.add(progress, POSTED, 1)
}

function flush(): void {
  if (count === 0) return
  // The whole buffers move; `ends` says how much of `batch` is used.
  post(batch, ends.subarray(0, count))
  batch = Buffer.allocUnsafeSlow(job.batchBytes)
  ends = new Int32Array(job.batchBytes / 64)
  used = 0
  count = 0
}

function onLine(bytes: Buffer, start: number, end: number): void {
  const length = end - start
  if (used + length > batch.length || count === ends.length) flush()
  if (length > batch.length) {
    // A line longer than a batch goes alone, in a buffer of its size.
    const alone = Buffer.allocUnsafeSlow(length)
    bytes.copy(alone, 0, start, end)
    post(alone, Int32Array.of(length))
    return
  }

  bytes.copy(batch, used, start, end)
  used += length
  ends[count++] = used
}

try {
  const totals = await scanInput(job.path, {...job, onLine})
  flush()
  port.postMessage({kind: 'done', mostInFlight, totals} satisfies ScanMessage)
} catch (error) {
  const {code, message} = error as NodeJS.ErrnoException
  port.postMessage({
    code, kind: 'error', message, userError: error instanceof UserError,
  } satisfies ScanMessage)
}
