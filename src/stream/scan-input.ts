/**
 * A saved log's bytes into a LineScanner: a plain file by synchronous reads straight into the
 * scanner's buffer, a stream (stdin, or a gzip file) chunk by chunk, through gunzip when its
 * first bytes say gzip. Text is read as UTF-8: a byte order mark says otherwise (Windows
 * PowerShell 5's `heroku logs > app.log` writes UTF-16, and Notepad and `Out-File -Encoding utf8`
 * put a UTF-8 mark before the first line), and the mark is not part of the first line.
 */
import type {Readable} from 'node:stream'

import {
  closeSync, createReadStream, fstatSync, openSync, readSync,
} from 'node:fs'
import {pipeline} from 'node:stream/promises'
import {TextDecoder} from 'node:util'
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
export async function scanInput(path: string, options: LineScannerOptions, stdin?: Readable, stdinStop?: AbortSignal): Promise<ScanTotals> {
  const scanner = new LineScanner(options)
  const warning = await (path === '-' ? scanStream(stdin ?? process.stdin, scanner, 'stdin', stdinStop) : scanFile(path, scanner))
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
    // Gzip and UTF-16 go through the stream path (gunzip, transcoding); a UTF-8 mark is dropped here.
    refuseArchive(path, scanner.buffer.subarray(at, at + read))
    gzipped = isGzip(scanner.buffer, at, read) || utf16Of(scanner.buffer.subarray(at, at + read)) !== undefined
    if (!gzipped && startsWith(scanner.buffer.subarray(at, at + read), UTF8_MARK)) {
      scanner.buffer.copyWithin(at, at + UTF8_MARK.length, at + read)
      read -= UTF8_MARK.length
    }

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
 * A stream's bytes into the scanner, through gunzip when they start with the gzip magic bytes
 * (other compressions are refused), as UTF-8. A truncated gzip (a download or rotation cut short)
 * keeps what it held: the lines before the cut are read, the cut line is dropped, and the warning
 * says so. `stop` ends the reading the same way (a pipe ended by Ctrl-C).
 */
export async function scanStream(stream: Readable, scanner: LineScanner, name: string, stop?: AbortSignal): Promise<string | undefined> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  const stopped = (): string => {
    scanner.dropUnfinished()
    return `${name} was read until the stop (Ctrl-C or SIGTERM): only the lines before it count`
  }

  // A stop ends the stream where it is: the chunks read so far are the input.
  const onStop = (): void => {
    stream.destroy()
  }

  if (stop?.aborted) return stopped()
  stop?.addEventListener('abort', onStop, {once: true})
  try {
    // The magic bytes may straddle chunks (a pipe can deliver one byte first).
    const head: Buffer[] = []
    let headLength = 0
    let done = false
    while (headLength < LONGEST_MAGIC && !done) {
      const next = await chunks.next()
      done = next.done ?? false
      if (!done) {
        head.push(asBuffer(next.value))
        headLength += head.at(-1)!.length
      }
    }

    // The head as one chunk: the byte order mark, too, may straddle chunks.
    const start = Buffer.concat(head)
    refuseArchive(name, start)
    const all = (async function * () {
      if (start.length > 0) yield start
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield asBuffer(next.value)
    })()
    const write = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of asUtf8(source)) scanner.write(chunk)
    }

    await (isGzip(start, 0, start.length) ? pipeline(all, createGunzip({chunkSize: scanner.chunkSize}), write) : write(all))
    if (stop?.aborted) return stopped()
  } catch (error) {
    if (stop?.aborted) return stopped()
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      scanner.dropUnfinished()
      return `${name} is truncated (the gzip data ends early): only the lines before the cut are read`
    }

    throw error instanceof UserError ? error : cantRead(name, error)
  } finally {
    stop?.removeEventListener('abort', onStop)
    stream.destroy()
  }
}

/**
 * Compressed formats Node cannot read (gzip it can), by their first bytes: a clear refusal rather
 * than "no Heroku platform lines" in what would be read as binary text.
 */
const ARCHIVES = [
  {kind: 'a zip archive', magic: Buffer.of(0x50, 0x4B, 0x03, 0x04)},
  {kind: 'bzip2 data', magic: Buffer.from('BZh')},
  {kind: 'xz data', magic: Buffer.of(0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00)},
  {kind: 'zstd data', magic: Buffer.of(0x28, 0xB5, 0x2F, 0xFD)},
  {kind: 'a 7-Zip archive', magic: Buffer.of(0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C)},
]
/** The bytes a stream's head must hold to tell them (and a byte order mark) apart. */
const LONGEST_MAGIC = 6

/** Throws when `start` (an input's first bytes) is an archive or compression other than gzip. */
function refuseArchive(name: string, start: Uint8Array): void {
  const archive = ARCHIVES.find(({magic}) => startsWith(start, magic))
  if (archive) throw new UserError(`Can't read ${name}: it is ${archive.kind}; decompress it first (plain text and .gz are read)`)
}

const UTF8_MARK = Buffer.of(0xEF, 0xBB, 0xBF)
const UTF16_MARKS = [
  {encoding: 'utf-16le', mark: Buffer.of(0xFF, 0xFE)},
  {encoding: 'utf-16be', mark: Buffer.of(0xFE, 0xFF)},
]

/** The UTF-16 encoding a text's byte order mark names, if any. */
function utf16Of(start: Uint8Array): string | undefined {
  return UTF16_MARKS.find(({mark}) => startsWith(start, mark))?.encoding
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte)
}

/**
 * A text's chunks as UTF-8, by the byte order mark its first bytes hold (the first chunk holds
 * at least three bytes, or the whole text): UTF-16 is transcoded, a UTF-8 mark dropped, anything
 * else passed on as it is.
 * @yields the text's bytes in UTF-8
 */
async function * asUtf8(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let decoder: TextDecoder | undefined
  let first = true
  for await (const chunk of source) {
    if (first) {
      first = false
      const encoding = utf16Of(chunk)
      if (encoding) {
        // The decoder drops the mark, and holds a character split across chunks until the next.
        decoder = new TextDecoder(encoding)
      } else if (startsWith(chunk, UTF8_MARK)) {
        yield chunk.subarray(UTF8_MARK.length)
        continue
      }
    }

    yield decoder ? Buffer.from(decoder.decode(chunk, {stream: true})) : chunk
  }

  if (decoder) yield Buffer.from(decoder.decode())
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
