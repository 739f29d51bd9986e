import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/**
 * A git checkout whose remotes point at apps of the simulator at `apiUrl`, as the CLI reads them:
 * its git host follows HEROKU_HOST (git.heroku.com for the real one). `remotes`: name -> app.
 * Returns the directory and a function that adds one more remote.
 */
export function gitCheckout(apiUrl: string, remotes: Record<string, string>): {addRemote: (name: string, app: string) => void; dir: string} {
  const dir = mkdtempSync(join(tmpdir(), 'heroku-mem-git-'))
  const git = (...args: string[]) => execFileSync('git', args, {cwd: dir, stdio: 'ignore'})
  const addRemote = (name: string, app: string) => git('remote', 'add', name, `https://${new URL(apiUrl).host}/${app}.git`)
  git('init', '-q')
  for (const [name, app] of Object.entries(remotes)) addRemote(name, app)
  return {addRemote, dir}
}
