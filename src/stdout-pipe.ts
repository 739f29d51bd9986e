/**
 * A reader that stops early (`heroku mem:report --json | head`) closes the pipe, and Node then
 * reports EPIPE on stdout: as an 'error' event (an uncaught exception when nothing listens) or a
 * rejected wait for 'drain'. The mem commands take it as the end of their output, as `cat` or
 * `grep` would: nothing more is written, nothing is printed about it, and the command ends as it
 * would have with its exit code (mem:tail stops; the watchdog keeps watching, since its restarts
 * and state file do not depend on anyone reading it).
 */
import {once} from 'node:events'

let closed = false
let watched = false
const whenClosed = new Set<() => void>()

/** Listens for the reader going away; call at the start of each command (idempotent). */
export function watchStdout(): void {
  if (watched) return
  watched = true
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    closed = true
    for (const listener of whenClosed) listener()
  })
}

/** Calls `listener` once stdout's reader has gone; returns a function that stops listening. */
export function onStdoutClosed(listener: () => void): () => void {
  whenClosed.add(listener)
  return () => whenClosed.delete(listener)
}

/** Writes pieces to stdout in ~64 KB batches, waiting when the pipe is full (a farm's JSON is hundreds of MB); stops when the reader has gone. */
export async function writeOut(chunks: Iterable<string>): Promise<void> {
  let batch = ''
  for (const chunk of chunks) {
    if (closed) return
    batch += chunk
    if (batch.length < 65_536) continue
    if (!process.stdout.write(batch)) await drainedOrClosed()
    batch = ''
  }

  if (!closed) process.stdout.write(batch)
}

async function drainedOrClosed(): Promise<void> {
  try {
    await once(process.stdout, 'drain')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error
  }
}
