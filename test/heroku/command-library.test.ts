import type {Config} from '@oclif/core'

import {expect} from 'chai'
import {
  mkdirSync, mkdtempSync, rmSync, writeFileSync,
} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {commandLibrary, commandLibraryEntry} from '../../src/heroku/command-library.js'

const OWN = createRequire(import.meta.url).resolve('@heroku-cli/command')
const OWN_VERSION = (createRequire(import.meta.url)('@heroku-cli/command/package.json') as {version: string}).version

/** A CLI root (as oclif's config.root) with, when given, its own @heroku-cli/command of that version. */
function cliRoot(dir: string, name: string, version?: string): Config {
  const root = join(dir, name)
  mkdirSync(root, {recursive: true})
  writeFileSync(join(root, 'package.json'), JSON.stringify({name}))
  if (version) {
    const library = join(root, 'node_modules', '@heroku-cli', 'command')
    mkdirSync(join(library, 'lib'), {recursive: true})
    writeFileSync(join(library, 'package.json'), JSON.stringify({
      main: 'lib/index.js', name: '@heroku-cli/command', type: 'module', version,
    }))
    writeFileSync(join(library, 'lib', 'index.js'), `export const copy = ${JSON.stringify(name)}\n`)
  }

  return {root} as Config
}

describe('heroku/command-library', () => {
  let dir: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'command-library-'))
  })

  after(() => rmSync(dir, {force: true, recursive: true}))

  it('loads the CLI\'s own copy when it has the same major version (inside heroku: its modules are loaded once)', async () => {
    const sameMajor = `${OWN_VERSION.split('.')[0]}.99.0`
    const library = await commandLibrary(cliRoot(dir, 'same-major-cli', sameMajor)) as unknown as {copy?: string}
    expect(library.copy).to.equal('same-major-cli')
    expect(commandLibraryEntry()).to.equal(join(dir, 'same-major-cli', 'node_modules', '@heroku-cli', 'command', 'lib', 'index.js'))
  })

  it('loads the plugin\'s own copy when the CLI\'s is another major version, or when it has none', async () => {
    for (const config of [cliRoot(dir, 'other-major-cli', '99.0.0'), cliRoot(dir, 'bare-cli')]) {
      const library = await commandLibrary(config)
      expect(library.APIClient, config.root).to.be.a('function')
      expect(commandLibraryEntry(), config.root).to.equal(OWN)
    }
  })
})
