import type {APIClient} from '@heroku-cli/command'

import {Command, Flags} from '@oclif/core'

import {failInOneLine} from './command-errors.js'
import {UserError} from './errors.js'
import {filterFlags} from './flags.js'
import {HerokuApi} from './heroku/api.js'
import {apiClient, appFromGitRemote} from './heroku/connect.js'
import {watchStdout} from './stdout-pipe.js'

/**
 * The flags of a command that needs an app: `--app/-a` (or the git remote) and the filters. Plain
 * oclif flags, as `heroku` names them: @heroku-cli/command's own app flag resolves its default
 * eagerly, which makes oclif load the command (and that library, ~0.5 s) just to print --help.
 */
export const memFlags = {
  app: Flags.string({char: 'a', description: 'app to run command against (default: the app of the git remote)', env: 'HEROKU_APP'}),
  remote: Flags.string({char: 'r', description: 'git remote of app to use'}),
  ...filterFlags,
}

/**
 * The base of the mem commands that always talk to the API. No interactive prompt (these commands
 * run unattended in runbooks); failures become a single line and an exit code, never a stack
 * trace. The Heroku API client is loaded in init(), after flags are known, never for --help.
 */
export abstract class MemCommand extends Command {
  private _api?: HerokuApi
  private _client?: APIClient

  /** The Platform API with the user's credentials (retries 429/5xx; one-line errors). */
  protected get api(): HerokuApi {
    this._api ??= new HerokuApi(this.client)
    return this._api
  }

  /** The credentialed HTTP client, for a HerokuApi with options of its own. */
  protected get client(): APIClient {
    if (!this._client) throw new Error('the API client is used before init()')
    return this._client
  }

  /** `-a APP`, else `HEROKU_APP`, else the app of the one Heroku git remote (`-r` picks a remote). */
  protected async appOf(flags: {app?: string; remote?: string}): Promise<string> {
    const app = flags.app ?? await appFromGitRemote(this.config, flags.remote)
    if (!app) throw new UserError('Missing required flag app: name it with -a APP (or run this in a git checkout with one Heroku remote)', 2)
    return app
  }

  async catch(error: Error & {oclif?: {exit?: number}}): Promise<void> {
    failInOneLine(error)
  }

  async init(): Promise<void> {
    await super.init()
    watchStdout()
    this._client = await apiClient(this.config)
  }
}
