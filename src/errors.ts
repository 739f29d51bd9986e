/**
 * An error meant for the user: one line, no stack trace, a chosen exit code.
 * Commands let it propagate; the base command prints `message` and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number

  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = 'UserError'
    this.exitCode = exitCode
  }
}
