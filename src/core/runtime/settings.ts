/**
 * The memory-relevant settings of one process, read from its allow-listed config vars and its
 * command, with the buildpacks' defaults where neither sets one (figures in docs/report.md,
 * "Runtime facts"). Each value says where it came from, so advice can name it.
 */
import type {AppRuntime, ProcessRuntime} from './detect.js'

export type SettingSource = 'boot line' | 'buildpack default' | 'config var' | 'formation command' | 'not set'

export interface SettingValue {
  /** The value as the app has it (`3`, `--max-old-space-size=2048`), or `not set`. */
  value: string
  source: SettingSource
}

/** A worker count: how many copies of the app one dyno runs. */
export interface WorkerCount extends SettingValue {
  count?: number
  /** The setting to change: `WEB_CONCURRENCY`, `--workers in the command`. */
  setting: string
}

/** Node: the buildpack's WEB_MEMORY default, MiB per process (2048 on dynos over 16 GB). */
export const NODE_WEB_MEMORY_MB = 512
const NODE_WEB_MEMORY_LARGE_MB = 2048
/** Python: the buildpack gives each gunicorn worker this much memory, MiB... */
const PYTHON_MB_PER_WORKER = 256
/** ...and uses at most 2 x cores + 1 workers. Cores per size (Heroku's dyno table); 1X and 2X are bounded by memory. */
const CORES: Record<string, number> = {
  'performance-2xl': 16, 'performance-l': 8, 'performance-l-ram': 4, 'performance-m': 2, 'performance-xl': 8, 'standard-1x': 1, 'standard-2x': 2,
}

export function settingSourceOfCommand(runtime: AppRuntime): SettingSource {
  return runtime.commandsFrom === 'formation' ? 'formation command' : 'boot line'
}

/** `-w 3`, `-w3`, `--workers=3`, `--workers 3` in a command line or GUNICORN_CMD_ARGS. */
export function flagNumber(text: string | undefined, flags: string[]): number | undefined {
  if (!text) return undefined
  for (const flag of flags) {
    const escaped = flag.replaceAll('-', String.raw`\-`)
    const long = flag.startsWith('--')
    const match = new RegExp(String.raw`(?:^|\s)${escaped}${long ? String.raw`(?:=|\s+)` : String.raw`\s*`}(\d+)\b`).exec(text)
    if (match) return Number(match[1])
  }

  return undefined
}

/** How many workers (processes) each dyno of this type runs, and which setting decides it. */
export function workerCount(process: ProcessRuntime, runtime: AppRuntime, type: string, quotaMb: number, size?: string): undefined | WorkerCount {
  const vars = runtime.configVars
  const command = runtime.commands[type]
  const fromVar = (name: string): undefined | WorkerCount => {
    const value = vars?.[name]
    if (value === undefined) return undefined
    const count = Number.parseInt(value, 10)
    return {
      count: Number.isFinite(count) && count > 0 ? count : undefined, setting: name, source: 'config var', value,
    }
  }

  switch (process.server) {
  case 'puma': {
    const inCommand = flagNumber(command, ['-w', '--workers'])
    if (inCommand !== undefined) return {
      count: inCommand, setting: 'puma -w in the command', source: settingSourceOfCommand(runtime), value: String(inCommand),
    }
    return fromVar('WEB_CONCURRENCY') ?? {setting: 'WEB_CONCURRENCY', source: 'not set', value: 'not set'}
  }

  case 'unicorn': {
    return fromVar('WEB_CONCURRENCY') ?? {setting: 'WEB_CONCURRENCY', source: 'not set', value: 'not set'}
  }

  case 'gunicorn': {
    const inCommand = flagNumber(command, ['-w', '--workers'])
    if (inCommand !== undefined) return {
      count: inCommand, setting: '--workers in the command', source: settingSourceOfCommand(runtime), value: String(inCommand),
    }
    const inArgs = flagNumber(vars?.GUNICORN_CMD_ARGS, ['-w', '--workers'])
    if (inArgs !== undefined) return {
      count: inArgs, setting: 'GUNICORN_CMD_ARGS --workers', source: 'config var', value: String(inArgs),
    }
    if (vars === undefined) return undefined
    return fromVar('WEB_CONCURRENCY') ?? {
      count: pythonDefaultWorkers(quotaMb, size), setting: 'WEB_CONCURRENCY', source: 'buildpack default', value: String(pythonDefaultWorkers(quotaMb, size)),
    }
  }

  case 'node': {
    if (vars === undefined) return undefined
    const explicit = fromVar('WEB_CONCURRENCY')
    if (explicit) return explicit
    const webMemory = Number.parseInt(vars.WEB_MEMORY ?? '', 10) || nodeWebMemory(quotaMb)
    const count = Math.max(1, Math.floor(quotaMb / webMemory))
    return {
      count, setting: 'WEB_MEMORY', source: vars.WEB_MEMORY === undefined ? 'buildpack default' : 'config var', value: String(webMemory),
    }
  }

  default: {
    return undefined
  }
  }
}

export function nodeWebMemory(quotaMb: number): number {
  return quotaMb > 16 * 1024 ? NODE_WEB_MEMORY_LARGE_MB : NODE_WEB_MEMORY_MB
}

/** min(2 x cores + 1, RAM / 256): 2 on Eco/Basic/1X, 4 on 2X, 5 on Performance-M. */
export function pythonDefaultWorkers(quotaMb: number, size?: string): number {
  const cores = CORES[(size ?? '').toLowerCase()] ?? 1
  return Math.max(1, Math.min((2 * cores) + 1, Math.floor(quotaMb / PYTHON_MB_PER_WORKER)))
}

/** `--max-old-space-size=N` (MiB) in NODE_OPTIONS or the command. */
export function nodeHeapCap(runtime: AppRuntime, type: string): (SettingValue & {mb: number}) | undefined {
  const pattern = /--max[-_]old[-_]space[-_]size[= ](\d+)/
  const inVar = pattern.exec(runtime.configVars?.NODE_OPTIONS ?? '')
  if (inVar) return {mb: Number(inVar[1]), source: 'config var', value: `NODE_OPTIONS=${inVar[0]}`}
  const inCommand = pattern.exec(runtime.commands[type] ?? '')
  if (inCommand) return {mb: Number(inCommand[1]), source: settingSourceOfCommand(runtime), value: inCommand[0]}
  return undefined
}

/** The JVM heap cap: -Xmx in JAVA_OPTS, JAVA_TOOL_OPTIONS or the command, else the buildpack's default for the size. */
export function jvmHeapCap(runtime: AppRuntime, type: string, quotaMb: number): SettingValue & {mb: number; setting: string} {
  const places: Array<[string, SettingSource, string | undefined]> = [
    ['JAVA_OPTS', 'config var', runtime.configVars?.JAVA_OPTS],
    ['JAVA_TOOL_OPTIONS', 'config var', runtime.configVars?.JAVA_TOOL_OPTIONS],
    ['JDK_JAVA_OPTIONS', 'config var', runtime.configVars?.JDK_JAVA_OPTIONS],
    ['-Xmx in the command', settingSourceOfCommand(runtime), runtime.commands[type]],
  ]
  for (const [setting, source, text] of places) {
    const xmx = /-Xmx(\d+)([gkm]?)\b/i.exec(text ?? '')
    if (xmx) return {
      mb: toMb(Number(xmx[1]), xmx[2]), setting, source, value: xmx[0],
    }
    const share = /-XX:MaxRAMPercentage=(\d+(?:\.\d+)?)/.exec(text ?? '')
    if (share) return {
      mb: Math.round((Number(share[1]) / 100) * quotaMb), setting, source, value: share[0],
    }
  }

  if (quotaMb <= 512) return {
    mb: 300, setting: 'JAVA_OPTS', source: 'buildpack default', value: '-Xmx300m',
  }
  if (quotaMb <= 1024) return {
    mb: 671, setting: 'JAVA_OPTS', source: 'buildpack default', value: '-Xmx671m',
  }
  return {
    mb: Math.round(0.8 * quotaMb), setting: 'JAVA_OPTS', source: 'buildpack default', value: '-XX:MaxRAMPercentage=80',
  }
}

function toMb(value: number, unit: string): number {
  switch (unit.toLowerCase()) {
  case 'g': {
    return value * 1024
  }

  case 'k': {
    return Math.round(value / 1024)
  }

  case 'm': {
    return value
  }

  default: {
    return Math.round(value / (1024 * 1024))
  }
  }
}
