import type {APIClient} from '@heroku-cli/command'
import type {Config} from '@oclif/core'

import {HerokuApi} from './api.js'

/**
 * The API client for a command that may never need one (`mem:report --file`): loading the
 * Heroku command library costs about a second and 50 MB, so it is loaded only when the API is used.
 */
export async function connect(config: Config): Promise<HerokuApi> {
  return new HerokuApi(await apiClient(config))
}

/** The credentialed HTTP client of @heroku-cli/command (netrc or HEROKU_API_KEY), loaded on first use. */
export async function apiClient(config: Config): Promise<APIClient> {
  const {APIClient} = await import('@heroku-cli/command')
  return new APIClient(config)
}

/** The app `--app` would default to: `HEROKU_APP` (oclif reads it), else the one Heroku git remote. */
export async function appFromGitRemote(remote?: string): Promise<string | undefined> {
  const {configRemote, getGitRemotes} = await import('@heroku-cli/command')
  const remotes = getGitRemotes(remote || configRemote())
  return remotes.length === 1 ? remotes[0].app : undefined
}
