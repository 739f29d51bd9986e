import type * as Heroku from '@heroku-cli/schema'

import {
  mkdir, readFile, rename, writeFile,
} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import type {DynoInfo} from '../core/watchdog/decision.js'
import type {RestartPolicy} from '../core/watchdog/policy.js'

import {parsePersistedPolicy, type PersistedPolicy} from '../core/watchdog/persisted-state.js'
import {HerokuApi} from './api.js'

/**
 * What the watchdog knows before it decides anything, gathered where each guard can hold:
 * - the dyno list (`GET /apps/{app}/dynos`): which dynos exist, their size, and `updated_at`,
 *   when each last changed state ("up since"): cooldowns hold on any machine, even a fresh
 *   Heroku Scheduler dyno;
 * - the recent log (1500 lines, a non-tail session): restart lines and readings, from which
 *   cooldowns, restarts in flight and loop counts are replayed;
 * - a state file in the CLI's cache directory: loop counts and the hourly cap over a longer
 *   span than the log keeps, where the disk persists between runs (cron, a long-lived machine).
 */

const STATE_VERSION = 2

interface StateFile {
  app: string
  policy: PersistedPolicy
  /** Wall-clock time of the save, for people reading the file; the policy's own times are on the log clock. */
  savedAt: string
  version: number
}

/** A non-empty string, or undefined (a field missing or of another type). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

/**
 * The dyno list as the policy reads it: times as epoch ms. Whatever the API sent, only what is
 * plainly a dyno is kept: an entry without a string name is dropped, a field of the wrong type
 * is taken as missing.
 */
export function dynoInfos(dynos: readonly unknown[]): DynoInfo[] {
  const infos: DynoInfo[] = []
  for (const dyno of dynos) {
    if (typeof dyno !== 'object' || dyno === null) continue
    const {name, size, state, type, updated_at: updated} = dyno as Heroku.Dyno
    if (!text(name)) continue
    const updatedAt = text(updated) ? Date.parse(updated!) : Number.NaN
    infos.push({
      name: name!,
      size: text(size),
      state: text(state),
      type: text(type),
      updatedAt: Number.isNaN(updatedAt) ? undefined : updatedAt,
    })
  }

  return infos
}

/** Asks the API for the dyno list and hands it to the policy; returns what the policy decided on it. */
export async function refreshDynos(api: HerokuApi, app: string, policy: RestartPolicy, mode: 'live' | 'replay'): Promise<ReturnType<RestartPolicy['setDynos']>> {
  return policy.setDynos(dynoInfos(await api.listDynos(app)), mode)
}

/** `<cacheDir>/restart-over/<app>.json`; an app name is `[a-z0-9-]`, but keep the path safe anyway. */
export function statePath(cacheDir: string, app: string): string {
  return join(cacheDir, 'restart-over', `${app.replaceAll(/[^\w.-]/g, '_')}.json`)
}

/**
 * The saved policy state. Nothing in the file can break a run: a file that cannot be read, is not
 * JSON, is for another app or version, or does not match the schema is ignored with a note naming
 * the file and what was wrong (`damaged`: the caller writes it again cleanly).
 */
export async function loadState(path: string, app: string, onNote: (note: string) => void): Promise<{damaged: boolean; policy?: PersistedPolicy}> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {damaged: false}
    onNote(`ignoring the state file ${path}: it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    return {damaged: false}
  }

  const ignore = (what: string) => {
    onNote(`ignoring the state file ${path}: ${what}; it will be written again`)
    return {damaged: true}
  }

  let state: Partial<StateFile>
  try {
    state = JSON.parse(text) as Partial<StateFile>
  } catch {
    return ignore('it is not valid JSON')
  }

  if (typeof state !== 'object' || state === null || state.version !== STATE_VERSION || state.app !== app) {
    return ignore(`it is not a version ${STATE_VERSION} file for ${app}`)
  }

  const parsed = parsePersistedPolicy(state.policy)
  if ('problem' in parsed) return ignore(parsed.problem)
  return {damaged: false, policy: parsed.policy}
}

/** Writes the state file atomically (a reader never sees half a file). */
export async function saveState(path: string, app: string, policy: PersistedPolicy): Promise<void> {
  const state: StateFile = {
    app, policy, savedAt: new Date().toISOString(), version: STATE_VERSION,
  }
  await mkdir(dirname(path), {recursive: true})
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, JSON.stringify(state, null, 2) + '\n')
  await rename(temporary, path)
}
