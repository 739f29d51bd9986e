import type {APIClient} from '@heroku-cli/command'
import type {Config} from '@oclif/core'

import {UserError} from '../errors.js'
import {HerokuApi} from './api.js'
import {commandLibrary} from './command-library.js'

/**
 * The API client for a command that may never need one (`mem:report --file`): loading the
 * Heroku command library costs about a second and 50 MB, so it is loaded only when the API is used.
 */
export async function connect(config: Config): Promise<HerokuApi> {
  return new HerokuApi(await apiClient(config))
}

/** The credentialed HTTP client of @heroku-cli/command (netrc, the OS keychain or HEROKU_API_KEY), loaded on first use. */
export async function apiClient(config: Config): Promise<APIClient> {
  const {APIClient} = await commandLibrary(config)
  return new APIClient(config)
}

/**
 * The app `--app` would default to: `HEROKU_APP` (oclif reads it), else the one Heroku git remote
 * (`-r` names it); undefined outside a checkout with a Heroku remote. Several Heroku remotes, or a
 * `-r` that names none, is a usage error that says so (as `heroku ps` does), not "name the app".
 */
export async function appFromGitRemote(config: Config, remote?: string): Promise<string | undefined> {
  const {configRemote, getGitRemotes} = await commandLibrary(config)
  const remotes = getGitRemotes(remote || configRemote())
  if (remotes.length === 1) return remotes[0].app
  if (remotes.length > 1) {
    const listed = remotes.map(found => `${found.app} (${found.remote})`).join(', ')
    throw new UserError(`Several Heroku apps in this checkout's git remotes: ${listed}; name one with -a APP or -r REMOTE`, 2)
  }

  if (remote) throw new UserError(`No git remote ${remote} of a Heroku app in this checkout: name the app with -a APP`, 2)
  return undefined
}
