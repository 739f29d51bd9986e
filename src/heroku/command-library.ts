/**
 * Which @heroku-cli/command the plugin loads (the API client, git remotes): the running CLI's
 * copy when it has one of the same major version, else the plugin's own.
 */
import type {Config} from '@oclif/core'

import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

type CommandLibrary = typeof import('@heroku-cli/command')

/** Where the library in use was loaded from (its entry file): the HTTP client's debug log is switched off there (quiet-http-debug.ts). */
let loadedFrom: string | undefined

/** The entry file of the @heroku-cli/command in use, once loaded; undefined before. */
export function commandLibraryEntry(): string | undefined {
  return loadedFrom
}

/**
 * The `@heroku-cli/command` of the CLI that runs the plugin, when it has a copy of the same major
 * version, else the plugin's own. Inside `heroku` the CLI's copy shares the modules the CLI has
 * loaded (Sentry's among them) instead of loading a second set for the plugin:
 * `heroku mem:restart-over --once` measured 1.53 -> 1.08 s and 151 -> 134 MB peak.
 */
export async function commandLibrary(config: Config): Promise<CommandLibrary> {
  const own = createRequire(import.meta.url)
  let entry = own.resolve('@heroku-cli/command')
  try {
    const cli = createRequire(join(config.root, 'package.json'))
    if (majorVersion(cli) === majorVersion(own)) entry = cli.resolve('@heroku-cli/command')
  } catch {
    // The CLI has no copy of its own (or its version cannot be read): the plugin's.
  }

  loadedFrom = entry
  return import(pathToFileURL(entry).href) as Promise<CommandLibrary>
}

/** The major version of the @heroku-cli/command that `require` finds. */
function majorVersion(require: NodeJS.Require): string {
  const {version} = JSON.parse(readFileSync(require.resolve('@heroku-cli/command/package.json'), 'utf8')) as {version: string}
  return version.split('.')[0]
}
