/**
 * Which runtime a process type runs, from what the platform tells: the process's command (the
 * formation's `command`, or the `Starting process with command` boot line in a saved log) and
 * the app's buildpacks. The command wins: an app with the Node and Ruby buildpacks runs Puma
 * on `web` and maybe a Node worker.
 */

export type RuntimeKind = 'jvm' | 'node' | 'python' | 'ruby'

/** What the API or the log told about an app's runtime. Config vars are allow-listed (config-vars.ts). */
export interface AppRuntime {
  /** Buildpack names or URLs, in order (`heroku/ruby`). */
  buildpacks: string[]
  /** The command each process type runs. */
  commands: Record<string, string>
  /** Where `commands` came from. */
  commandsFrom: 'boot line' | 'formation'
  /** Allow-listed config vars; undefined when they were not read (no access, or saved logs). */
  configVars?: Record<string, string>
}

export interface ProcessRuntime {
  kind: RuntimeKind
  /** The server or tool the command starts: puma, unicorn, sidekiq, gunicorn, uvicorn, celery, node, java. */
  server?: string
  /** How it was told, for the reader: `formation command`, `boot line`, `buildpack heroku/ruby`. */
  detectedFrom: string
}

/** Tools a command can start, and the runtime each means; the first one found in the command names the server. */
const TOOLS: Array<[RegExp, RuntimeKind, string]> = [
  [/\bpuma\b/, 'ruby', 'puma'],
  [/\bunicorn\b/, 'ruby', 'unicorn'],
  [/\bsidekiq\b/, 'ruby', 'sidekiq'],
  [/\b(?:good_job|solid_queue|resque|delayed_job|rake jobs:work)\b/, 'ruby', 'job worker'],
  [/\brails (?:s|server)\b/, 'ruby', 'rails server'],
  [/\bgunicorn\b/, 'python', 'gunicorn'],
  [/\buvicorn\b/, 'python', 'uvicorn'],
  [/\bcelery\b/, 'python', 'celery'],
  [/\b(?:daphne|hypercorn|waitress-serve)\b/, 'python', 'asgi/wsgi server'],
  [/(?:^|\s)java\b|\.jar\b|target\/universal\/stage\/bin\//, 'jvm', 'java'],
  [/(?:^|\s)(?:node|nodejs)\s|(?:^|\s)(?:npm|yarn|pnpm)\s|\.m?js\b/, 'node', 'node'],
  [/(?:^|\s)(?:bundle exec|ruby)\s|\brackup\b/, 'ruby', 'ruby'],
  [/(?:^|\s)python[\d.]*\s/, 'python', 'python'],
]

const BUILDPACKS: Array<[RegExp, RuntimeKind]> = [
  [/ruby/i, 'ruby'],
  [/node/i, 'node'],
  [/python/i, 'python'],
  [/java|jvm|gradle|scala|clojure|maven/i, 'jvm'],
]

/** The runtime of one process type, or undefined when neither its command nor a buildpack tells. */
export function detectProcessRuntime(runtime: AppRuntime, type: string): ProcessRuntime | undefined {
  const command = runtime.commands[type]
  if (command) {
    for (const [pattern, kind, server] of TOOLS) {
      if (pattern.test(command)) return {detectedFrom: runtime.commandsFrom === 'formation' ? 'formation command' : 'boot line', kind, server}
    }
  }

  // The last buildpack is the one whose defaults the app runs with (Heroku's own convention).
  for (const buildpack of [...runtime.buildpacks].reverse()) {
    const found = BUILDPACKS.find(([pattern]) => pattern.test(buildpack))
    if (found) return {detectedFrom: `buildpack ${buildpack}`, kind: found[1]}
  }

  return undefined
}
