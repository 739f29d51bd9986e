import {Command} from '@heroku-cli/command'

import {UserError} from './errors.js'
import {describeApiError, HerokuApi} from './heroku/api.js'

/**
 * The base of every mem command: Heroku's Command (credentials, `this.heroku`) without the
 * interactive --prompt flag, since these commands run unattended in runbooks; and one place
 * that turns any failure into a single line and an exit code, never a stack trace.
 */
export abstract class MemCommand extends Command {
  static baseFlags = Command.baseFlagsWithoutPrompt()
  static promptFlagActive = false
  private _api?: HerokuApi

  protected get api(): HerokuApi {
    this._api ??= new HerokuApi(this.heroku)
    return this._api
  }

  async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    // oclif's own exits and parse errors already carry their message and code.
    if (error.oclif?.exit !== undefined && !(error instanceof UserError)) {
      if (error.oclif.exit === 0) return
      return super.catch(error)
    }

    const message = error instanceof UserError ? error.message : describeApiError(error)
    const code = error instanceof UserError ? error.exitCode : 1
    process.stderr.write(` ›   Error: ${message}\n`)
    this.exit(code)
  }
}
