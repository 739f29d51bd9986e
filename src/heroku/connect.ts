import type {APIClient} from '@heroku-cli/command'
import type {Config} from '@oclif/core'

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

/** The app `--app` would default to: `HEROKU_APP` (oclif reads it), else the one Heroku git remote. */
export async function appFromGitRemote(config: Config, remote?: string): Promise<string | undefined> {
  const {configRemote, getGitRemotes} = await commandLibrary(config)
  const remotes = getGitRemotes(remote || configRemote())
  return remotes.length === 1 ? remotes[0].app : undefined
}
