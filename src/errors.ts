/**
 * An error meant for the user: one line, no stack trace, a chosen exit code.
 * Commands let it propagate; the base command prints `message` and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly exitCode: number
  /** The HTTP status of the API answer behind it, when there was one (401, 404, 429, ...). */
  readonly status?: number

  constructor(message: string, exitCode = 1, status?: number) {
    super(message)
    this.name = 'UserError'
    this.exitCode = exitCode
    this.status = status
  }
}

/** `mem:report` exit code when a `--fail-on` condition holds (0: none holds; 1: an error; 2: bad usage). */
export const FAIL_ON_EXIT_CODE = 3
