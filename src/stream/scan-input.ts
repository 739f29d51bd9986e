/**
 * A saved log's bytes into a LineScanner: a plain file by synchronous reads straight into the
 * scanner's buffer, a stream (stdin, or a gzip file) chunk by chunk, through gunzip when its
 * first bytes say gzip.
 */
import type {Readable} from 'node:stream'

import {
  closeSync, createReadStream, fstatSync, openSync, readSync,
} from 'node:fs'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

import {UserError} from '../errors.js'
import {LineScanner, type LineScannerOptions} from './line-scanner.js'

/** What scanning one input found besides its lines. */
export interface ScanTotals {
  /** Log bytes read (after decompression). */
  bytes: number
  /** Lines read, when counted. */
  lines: number
  /** Lines longer than maxLineBytes, skipped. */
  overlongLines: number
  /** What could not be read but did not stop the reading (a truncated .gz). */
  warning?: string
}

/**
 * One input (a path, or `-` for `stdin`) through a LineScanner to its end: the lines holding a
 * needle to `options.onLine`. The same on either thread (stream/scan-offload.ts).
 */
export async function scanInput(path: string, options: LineScannerOptions, stdin?: Readable): Promise<ScanTotals> {
  const scanner = new LineScanner(options)
  const warning = await (path === '-' ? scanStream(stdin ?? process.stdin, scanner, 'stdin') : scanFile(path, scanner))
  scanner.finish()
  return {
    bytes: scanner.bytes, lines: scanner.lines, overlongLines: scanner.overlongLines, warning,
  }
}

/** Reads a file into the scanner; resolves with a warning when only part of it could be read. */
export async function scanFile(path: string, scanner: LineScanner): Promise<string | undefined> {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw cantRead(path, error)
  }

  let gzipped = false
  try {
    if (fstatSync(fd).isDirectory()) throw new UserError(`Can't read ${path}: it is a directory`)
    // Plain files are read straight into the scanner's buffer: synchronous reads of a local file
    // measured about 2x faster than async ones, and the event loop has nothing else to do meanwhile.
    let at = scanner.room()
    let read = readSync(fd, scanner.buffer, at, scanner.chunkSize, null)
    gzipped = isGzip(scanner.buffer, at, read)
    if (!gzipped) {
      while (read > 0) {
        scanner.commit(read)
        at = scanner.room()
        read = readSync(fd, scanner.buffer, at, scanner.chunkSize, null)
      }
    }
  } catch (error) {
    throw error instanceof UserError ? error : cantRead(path, error)
  } finally {
    closeSync(fd)
  }

  if (gzipped) return scanStream(createReadStream(path, {highWaterMark: scanner.chunkSize}), scanner, path)
}

/**
 * A stream's bytes into the scanner, through gunzip when they start with the gzip magic bytes.
 * A truncated gzip (a download or rotation cut short) keeps what it held: the lines before the
 * cut are read, the cut line is dropped, and the warning says so.
 */
export async function scanStream(stream: Readable, scanner: LineScanner, name: string): Promise<string | undefined> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  try {
    // The magic bytes may straddle chunks (a pipe can deliver one byte first).
    const head: Buffer[] = []
    let headLength = 0
    let done = false
    while (headLength < 2 && !done) {
      const next = await chunks.next()
      done = next.done ?? false
      if (!done) {
        head.push(asBuffer(next.value))
        headLength += head.at(-1)!.length
      }
    }

    const all = (async function * () {
      yield * head
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield asBuffer(next.value)
    })()
    const write = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of source) scanner.write(chunk)
    }

    const start = Buffer.concat(head.slice(0, 2))
    await (isGzip(start, 0, start.length) ? pipeline(all, createGunzip({chunkSize: scanner.chunkSize}), write) : write(all))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      scanner.dropUnfinished()
      return `${name} is truncated (the gzip data ends early): only the lines before the cut are read`
    }

    throw cantRead(name, error)
  } finally {
    stream.destroy()
  }
}

function asBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk
}

export function isGzip(buffer: Uint8Array, start: number, length: number): boolean {
  return length >= 2 && buffer[start] === 0x1F && buffer[start + 1] === 0x8B
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file',
  Z_BUF_ERROR: 'the gzip data is truncated',
  Z_DATA_ERROR: 'the gzip data is corrupt',
}

function cantRead(name: string, error: unknown): UserError {
  const {code, message} = error as NodeJS.ErrnoException
  return new UserError(`Can't read ${name}: ${(code && REASONS[code]) ?? message}`)
}
