/**
 * What the Platform API tells about an app's runtime, for configuration advice: its buildpacks,
 * each process type's command (from the formation), and the allow-listed config vars. Without
 * access to the config vars (403) the report still runs, with the buildpacks' defaults and a note.
 */
import type * as Heroku from '@heroku-cli/schema'

import type {AppRuntime} from '../core/runtime/detect.js'
import type {HerokuApi} from './api.js'

import {UserError} from '../errors.js'
import {statusOf} from './api.js'

export interface AppRuntimeReading {
  runtime: AppRuntime
  notes: string[]
}

export async function readAppRuntime(api: HerokuApi, app: string, formation: Heroku.Formation[]): Promise<AppRuntimeReading> {
  const notes: string[] = []
  const commands = Object.fromEntries(formation.filter(entry => entry.type && entry.command).map(entry => [entry.type!, entry.command!]))
  let buildpacks: string[] = []
  try {
    buildpacks = await api.listBuildpacks(app)
  } catch (error) {
    if (!denied(error)) throw error
  }

  let configVars: Record<string, string> | undefined
  try {
    configVars = await api.getRuntimeConfigVars(app)
  } catch (error) {
    if (!denied(error)) throw error
    notes.push('Config vars not readable (403): advice assumes the buildpacks\' defaults for WEB_CONCURRENCY, heap caps and the like.')
  }

  return {
    notes, runtime: {
      buildpacks, commands, commandsFrom: 'formation', configVars,
    },
  }
}

/** Access the token lacks (e.g. a collaborator without the permission to read config vars). */
function denied(error: unknown): boolean {
  return (error instanceof UserError ? error.status : statusOf(error)) === 403
}
