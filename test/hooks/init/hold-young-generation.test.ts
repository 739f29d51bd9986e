import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {promisify} from 'node:util'

import {ROOT} from '../../helpers/run-command.js'

const HOOK = pathToFileURL(join(ROOT, 'src', 'hooks', 'init', 'hold-young-generation.ts')).href

/**
 * The young generation's size (bytes) after the init hook ran for command `id` in a fresh Node
 * process, which then allocates short-lived objects as a big log's reading does.
 */
async function youngGenerationAfter(id: string): Promise<{after: number; before: number}> {
  const script = `
    import {getHeapSpaceStatistics} from 'node:v8'
    const newSpace = () => getHeapSpaceStatistics().find(space => space.space_name === 'new_space').space_size
    const before = newSpace()
    const {default: hook} = await import(${JSON.stringify(HOOK)})
    await hook.call({}, {argv: [], config: {}, context: {}, id: ${JSON.stringify(id)}})
    let kept = []
    for (let i = 0; i < 3e6; i++) {
      kept.push({i, list: [i]})
      if (kept.length > 20000) kept = []
    }
    console.log(JSON.stringify({after: newSpace(), before}))
  `
  const {stdout} = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT})
  return JSON.parse(stdout)
}

describe('hooks/init/hold-young-generation', function () {
  this.timeout(60_000)

  it('holds the young generation near its starting size for a mem: command', async () => {
    const {after, before} = await youngGenerationAfter('mem:report')
    expect(after, 'new space after the allocations').to.equal(before)
  })

  it('leaves the other commands of the CLI alone: V8 grows it for them as usual', async () => {
    const {after, before} = await youngGenerationAfter('apps:info')
    expect(after, 'new space after the allocations').to.be.at.least(4 * before)
  })
})
