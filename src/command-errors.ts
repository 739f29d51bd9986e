import {InvalidInput} from './core/invalid-input.js'
import {UserError} from './errors.js'
import {describeApiError} from './heroku/api.js'

type CommandError = Error & {code?: string; oclif?: {exit?: number}}

/**
 * How every mem command ends on an error: one line on stderr and an exit code, nothing after it.
 *
 * Nothing is rethrown to oclif. Inside the `heroku` binary the plugin's @oclif/core is another
 * copy than the CLI's, so the CLI's handler does not recognise the plugin's ExitError (it prints
 * "Error: EEXIT: 1" and "Code: EEXIT" after our line, even for a normal `--once` exit 3) and
 * reports every rethrown error to its telemetry as a crash. Setting process.exitCode and
 * returning lets the process end normally with that code.
 */
export function failInOneLine(error: CommandError): void {
  // `this.exit(code)`: a chosen exit code, already explained by the command's own output.
  if (error.code === 'EEXIT' && error.oclif?.exit !== undefined) {
    process.exitCode = error.oclif.exit
    return
  }

  let message: string
  let exitCode: number
  if (error instanceof UserError) {
    message = error.message
    exitCode = error.exitCode
  } else if (error instanceof InvalidInput) {
    message = error.message
    exitCode = 2
  } else if (error.oclif?.exit === undefined) {
    message = describeApiError(error)
    exitCode = 1
  } else {
    message = error.message
    exitCode = error.oclif.exit
  }

  process.stderr.write(` ›   Error: ${oneLine(message)}\n`)
  process.exitCode = exitCode
}

/**
 * oclif's flag errors on one line, without their header and help hint. oclif also rewrites the
 * message of what a flag's own parse function throws (a UserError such as `--duration 5x`'s) to
 * "Parsing --duration \n\t<message>\nSee more help with --help": that becomes "--duration: <message>".
 * Two exclusive flags give a line each way, with the parsed value ("--duration=60000 cannot also be
 * provided when using --file" for `--duration 1m`): they become one "--duration cannot be used with --file".
 */
function oneLine(message: string): string {
  const lines = message.replace(/^Parsing (--[\w-]+)\s*\n\s*/, '$1: ').split('\n').map(line => line.trim())
  const kept = lines.filter(line => line && !/^(See more help with|The following errors? occurred)/.test(line)).map(line => {
    const exclusive = /^--([\w-]+)=.* cannot also be provided when using --([\w-]+)$/.exec(line)
    return exclusive ? `--${[exclusive[1], exclusive[2]].sort().join(' cannot be used with --')}` : line
  })
  return [...new Set(kept)].join('; ')
}
