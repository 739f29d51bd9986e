/**
 * node-sqlite3-wasm, loaded with one fix to its file locking. Its lock is one directory,
 * `<file>.lock`, made for any lock level, and its "does another connection hold a write lock?"
 * answered yes whenever that directory exists: also when the asking connection made it itself,
 * which it always has by then. SQLite asks exactly that to tell a hot journal (left by a writer
 * killed mid-transaction) from a live writer's, so it never rolled one back: the next reader saw
 * the killed batch's half-written pages ("database disk image is malformed", or part of a batch),
 * and the next writer overwrote the journal that could have undone them. Fixed here: the
 * connection that holds the lock directory is told nobody else does (nobody else can: mkdir is
 * exclusive), which is what SQLite's own Unix locking answers. The version is pinned in
 * package.json; a version without this exact function is refused rather than loaded unfixed.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {compileFunction} from 'node:vm'

export type SqliteModule = typeof import('node-sqlite3-wasm')

const UNFIXED = 'function _nodejsCheckReservedLock(fi,outResult){try{'
const FIXED = 'function _nodejsCheckReservedLock(fi,outResult){if(_isLocked(fi)){setValue(outResult,0,"i32");return SQLITE_OK}try{'

let loaded: SqliteModule | undefined

/** The library, its reserved-lock check fixed; loaded once, on demand (its WebAssembly costs start-up time). */
export function loadSqlite(): SqliteModule {
  if (loaded) return loaded
  const file = createRequire(import.meta.url).resolve('node-sqlite3-wasm')
  const source = readFileSync(file, 'utf8')
  if (!source.includes(UNFIXED)) {
    throw new Error(`node-sqlite3-wasm at ${file} is not the version this plugin fixes (its hot-journal check): reinstall the plugin`)
  }

  // The library's own CommonJS wrapper, run on the fixed text: its require and __dirname (where its .wasm is) are its own.
  const wrapper = compileFunction(source.replace(UNFIXED, FIXED), ['exports', 'require', 'module', '__filename', '__dirname'], {filename: file})
  const module = {exports: {}}
  wrapper(module.exports, createRequire(file), module, file, dirname(file))
  loaded = module.exports as SqliteModule
  return loaded
}
