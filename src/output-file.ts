/**
 * A file a command writes its output to (`mem:report --html incident.html`). It is checked before
 * the command reads anything: a typo in the directory would otherwise be found only after the
 * whole report, a `--duration 1h` window included, and end in Node's "ENOENT: ... open".
 */
import {existsSync} from 'node:fs'
import {open, rm, writeFile} from 'node:fs/promises'

import {UserError} from './errors.js'

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOENT: 'no such directory',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
}

function cantWrite(path: string, error: unknown): UserError {
  const {code, message} = error as NodeJS.ErrnoException
  return new UserError(`Can't write ${path}: ${(code && REASONS[code]) ?? message}`)
}

/** Fails now, in one line, when `path` could not be written; leaves no file behind that was not there. */
export async function checkOutputFile(path: string): Promise<void> {
  const existed = existsSync(path)
  try {
    // Appending truncates nothing: an existing file keeps its content until the real write.
    await (await open(path, 'a')).close()
    if (!existed) await rm(path)
  } catch (error) {
    throw cantWrite(path, error)
  }
}

export async function writeOutputFile(path: string, content: string): Promise<void> {
  try {
    await writeFile(path, content)
  } catch (error) {
    throw cantWrite(path, error)
  }
}
