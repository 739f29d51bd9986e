import type {Command} from '@oclif/core'

import {InvalidInput} from './core/invalid-input.js'
import {UserError} from './errors.js'
import {describeApiError} from './heroku/api.js'

type CommandError = Error & {exitCode?: number; oclif?: {exit?: number}}

/**
 * How every mem command fails: oclif's own exits and usage errors keep their message and code
 * (`usual`); anything else is one line on stderr and an exit code, never a stack trace.
 */
export async function failInOneLine(command: Command, error: CommandError, usual: () => Promise<unknown>): Promise<void> {
  if (error.oclif?.exit !== undefined && !(error instanceof UserError)) {
    if (error.oclif.exit === 0) return
    await usual()
    return
  }

  const known = error instanceof UserError || error instanceof InvalidInput
  const message = known ? error.message : describeApiError(error)
  process.stderr.write(` ›   Error: ${message}\n`)
  command.exit(error instanceof UserError ? error.exitCode : (error instanceof InvalidInput ? 2 : 1))
}
