import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {ROOT} from './helpers/run-command.js'

/** What `npm pack` puts in the tarball that `heroku plugins:install` unpacks (package.json's `files`). */
async function packedFiles(): Promise<string[]> {
  const {stdout} = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: ROOT})
  return (JSON.parse(stdout) as Array<{files: Array<{path: string}>}>)[0].files.map(file => file.path)
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  return entries.filter(entry => entry.isFile() && entry.name.endsWith('.ts')).map(entry => join(entry.parentPath, entry.name))
}

describe('the packed plugin (npm pack, as heroku plugins:install gets it)', function () {
  this.timeout(60_000)

  it('ships every docs page that the help, the output or a shipped page points to', async () => {
    const packed = await packedFiles()
    const named = new Set<string>()
    // Help texts, flag descriptions and rendered output say "docs/blame.md" and the like.
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/docs\/[\w-]+\.md/g)) named.add(match[0])
    }

    // A shipped page links its neighbours as (record.md) or (docs/record.md).
    for (const page of packed.filter(path => /^docs\/[\w-]+\.md$/.test(path))) {
      for (const match of (await readFile(join(ROOT, page), 'utf8')).matchAll(/\]\((?:docs\/)?([\w-]+\.md)[)#]/g)) named.add(`docs/${match[1]}`)
    }

    expect(named.size).to.be.greaterThan(3)
    expect([...named].filter(page => !packed.includes(page)).sort()).to.deep.equal([])
  })
})
