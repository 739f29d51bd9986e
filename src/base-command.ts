import {Command, flags} from '@heroku-cli/command'

import {failInOneLine} from './command-errors.js'
import {filterFlags} from './flags.js'
import {HerokuApi} from './heroku/api.js'

/** The flags of a command that needs an app: `--app/-a` (or the git remote) and the filters. */
export const memFlags = {
  app: flags.app({required: true}),
  remote: flags.remote(),
  ...filterFlags,
}

/**
 * The base of the mem commands that always talk to the API: Heroku's Command (credentials,
 * `this.heroku`) without the interactive --prompt flag, since these commands run unattended in
 * runbooks; failures become a single line and an exit code, never a stack trace.
 */
export abstract class MemCommand extends Command {
  static baseFlags = Command.baseFlagsWithoutPrompt()
  static promptFlagActive = false
  private _api?: HerokuApi

  protected get api(): HerokuApi {
    this._api ??= new HerokuApi(this.heroku)
    return this._api
  }

  async catch(error: Error & {oclif?: {exit?: number}}): Promise<void> {
    failInOneLine(error)
  }
}
