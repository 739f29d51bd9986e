import {createRequire} from 'node:module'

import {commandLibraryEntry} from './command-library.js'

interface DebugModule {
  disable(): string
  enable(namespaces: string): void
}

/**
 * The `debug` module the Heroku HTTP client logs through (`DEBUG=*` or `HEROKU_DEBUG=1` turn it
 * on): that of the @heroku-cli/command in use, which may be the CLI's copy (command-library.ts).
 */
function httpClientDebug(): DebugModule | undefined {
  try {
    const fromCommand = createRequire(commandLibraryEntry() ?? createRequire(import.meta.url).resolve('@heroku-cli/command'))
    const fromHttpCall = createRequire(fromCommand.resolve('@heroku/http-call'))
    return fromHttpCall('debug') as DebugModule
  } catch {
    return undefined
  }
}

/**
 * Runs one API call with the HTTP client's debug log off: the config vars' answer holds secrets
 * (database URLs, keys) that the client would print whole under HEROKU_DEBUG. (The log session,
 * whose URL is a secret too, is asked for outside the client: api.ts, callWithin.)
 */
export async function withHttpDebugOff<T>(call: () => Promise<T>): Promise<T> {
  const debug = httpClientDebug()
  const enabled = debug?.disable() ?? ''
  try {
    return await call()
  } finally {
    if (enabled) debug?.enable(enabled)
  }
}
