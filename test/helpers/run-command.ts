import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface CommandResult {
  code: null | number
  stderr: string
  stdout: string
}

export interface RunOptions {
  /** Closes the command's stdout once it has printed this much, as `| head` does. */
  closeStdoutAfter?: number
  /** Working directory (default: the repository). */
  cwd?: string
  env?: Record<string, string | undefined>
  input?: string
  /** Writes `input` and leaves stdin open, as `heroku logs --tail | ...` does. */
  inputStaysOpen?: boolean
  /** Sends SIGINT this long after start (to test Ctrl-C). */
  interruptAfterMs?: number
  /** Sends SIGINT once stdout contains this text. */
  interruptWhen?: string
  timeoutMs?: number
  /** Runs while the command runs; when it resolves the command gets SIGINT (Ctrl-C), when it throws SIGKILL. */
  whileRunning?: (child: {exited: () => boolean; stderr: () => string; stdout: () => string}) => Promise<void>
}

/**
 * Runs the built plugin (`node bin/run.js ...`, needs `npm run build`) as a user would, in a
 * child process, and returns its exit code and output. A clean environment: no stored login.
 */
export function runCommand(args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/run.js`, ...args], {
      cwd: options.cwd ?? ROOT,
      env: {
        HOME: process.env.HOME,
        PATH: process.env.PATH,
        HEROKU_DISABLE_AUTOUPDATE: '1',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let interrupted = false
    const interrupt = () => {
      if (!interrupted) {
        interrupted = true
        child.kill('SIGINT')
      }
    }

    child.stdout.on('data', chunk => {
      stdout += chunk
      if (options.closeStdoutAfter !== undefined && stdout.length >= options.closeStdoutAfter) child.stdout.destroy()
      if (options.interruptWhen && stdout.includes(options.interruptWhen)) interrupt()
    })
    child.stderr.on('data', chunk => {
      stderr += chunk
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    const interrupter = options.interruptAfterMs === undefined ? undefined : setTimeout(interrupt, options.interruptAfterMs)
    let failure: Error | undefined
    options.whileRunning?.({exited: () => child.exitCode !== null, stderr: () => stderr, stdout: () => stdout}).then(interrupt, error => {
      failure = error
      child.kill('SIGKILL')
    })
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(killer)
      if (interrupter) clearTimeout(interrupter)
      if (failure) reject(failure)
      else resolve({code, stderr, stdout})
    })
    if (options.inputStaysOpen) {
      child.stdin.write(options.input ?? '')
      child.on('close', () => child.stdin.destroy())
    } else if (options.input === undefined) {
      child.stdin.end()
    } else {
      child.stdin.end(options.input)
    }
  })
}
