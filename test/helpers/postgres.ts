/**
 * A real, throwaway Postgres server for tests: initdb into a temp directory, start it on a free
 * loopback port (its unix socket in the same directory), stop it and delete everything after.
 * Postgres refuses to run as root: as root the cluster belongs to the `postgres` user (Debian's
 * postgresql package creates it; scripts/test-all.sh installs the package when missing).
 */
import {execFileSync} from 'node:child_process'
import {
  chownSync, existsSync, mkdtempSync, readdirSync, rmSync,
} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication on loopback). */
  url: string
  port: number
  /** A fresh database; returns its URL. */
  createDatabase(name: string): string
  /** Stops the server as a crash would (immediate shutdown): the store must reconnect. */
  stop(): void
  start(): void
  close(): void
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).filter(name => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('Postgres is not installed: apt-get install -y postgresql (scripts/test-all.sh does it)')
  const asRoot = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'heroku-mem-pg-'))
  const data = join(dir, 'data')
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
    chownSync(dir, uid, gid)
  }

  const run = (program: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, program)
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args
    return execFileSync(command, argv, {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']}).toString()
  }

  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'utf8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start'])
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
  start()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    close() {
      try {
        stop()
      } catch {
        // Already stopped.
      }

      rmSync(dir, {force: true, recursive: true})
    },
    createDatabase(name: string) {
      run('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-qc', `CREATE DATABASE "${name}"`])
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    port,
    start,
    stop,
    url,
  }
}
