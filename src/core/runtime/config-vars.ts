/**
 * The only config vars the report ever looks at. `GET /apps/{app}/config-vars` answers with
 * every var, secrets included (DATABASE_URL, API keys): the API adapter passes the answer
 * through `keepRuntimeVars` at once, so nothing else is held in memory, printed or stored.
 */
export const RUNTIME_CONFIG_VARS: readonly string[] = [
  // Processes and threads per dyno (Puma, Unicorn, Node cluster, gunicorn).
  'WEB_CONCURRENCY',
  'RAILS_MAX_THREADS',
  'WEB_MEMORY',
  'GUNICORN_CMD_ARGS',
  // glibc arenas and jemalloc (Ruby).
  'MALLOC_ARENA_MAX',
  'LD_PRELOAD',
  'JEMALLOC_ENABLED',
  // Heap caps (Node, JVM).
  'NODE_OPTIONS',
  'JAVA_OPTS',
  'JAVA_TOOL_OPTIONS',
  'JDK_JAVA_OPTIONS',
]

const ALLOWED = new Set(RUNTIME_CONFIG_VARS)

/** The allow-listed vars of a config-vars answer, as strings; everything else is dropped. */
export function keepRuntimeVars(all: unknown): Record<string, string> {
  const kept: Record<string, string> = {}
  if (!all || typeof all !== 'object') return kept
  for (const name of RUNTIME_CONFIG_VARS) {
    const value = (all as Record<string, unknown>)[name]
    if (typeof value === 'string' && ALLOWED.has(name)) kept[name] = value
  }

  return kept
}
