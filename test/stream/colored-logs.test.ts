import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {LogEvent, RouterRequest} from '../../src/core/events.js'

import {EVENT_NEEDLES, LogParser} from '../../src/core/parse/index.js'
import {withoutTerminalCodes} from '../../src/core/parse/terminal-codes.js'
import {readLogFiles} from '../../src/stream/file-source.js'

/**
 * The same lines as `heroku logs` prints them with colours forced, through the real CLI's own
 * colorize function (scripts/colorize-fixture.mjs, heroku@11), and plain.
 */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'logs')
const COLORED = join(FIXTURES, 'colored.log')
const PLAIN = join(FIXTURES, 'colored-plain.log')

async function read(path: string): Promise<{dropped: number; events: LogEvent[]; requests: RouterRequest[]}> {
  const events: LogEvent[] = []
  const requests: RouterRequest[] = []
  let dropped = 0
  await readLogFiles([path], event => events.push(event), {
    defaultYear: 2026,
    onLinesDropped() {
      dropped++
    },
    onRouterRequest: request => requests.push(request),
  })
  return {dropped, events, requests}
}

describe('saved logs with terminal colours (FORCE_COLOR=1 heroku logs > app.log)', () => {
  it('the fixture is coloured: most lines hold codes, the Release line between `Release ` and `v12`', () => {
    const lines = readFileSync(COLORED, 'utf8').trim().split('\n')
    expect(lines.filter(line => line.includes('\u001B[')).length).to.equal(lines.length)
    const release = lines.find(line => line.includes('Release'))!
    expect(release.slice(release.indexOf('Release'))).to.satisfy((text: string) => text.startsWith('Release \u001B[') && text.includes('mv12'))
  })

  it('give the events, router requests and dropped-line notes of the same log without colours', async () => {
    const plain = await read(PLAIN)
    const colored = await read(COLORED)
    // Every platform line of the fixture is an event (the two `app[web.1]` imitations are not).
    expect(plain.events.map(event => event.kind === 'dyno' ? `dyno:${event.action}` : event.kind)).to.have.length(19)
    expect(plain.requests).to.have.length(1)
    expect(plain.dropped).to.equal(1)
    expect(colored).to.deep.equal(plain)
  })

  it('every coloured line that yields an event holds a needle, so the prefilter keeps it', () => {
    const parser = new LogParser({defaultYear: 2026})
    for (const line of readFileSync(COLORED, 'utf8').trim().split('\n')) {
      let events = 0
      parser.parseAll(line, () => events++)
      if (events > 0) expect(EVENT_NEEDLES.some(needle => line.includes(needle)), line).to.equal(true)
    }
  })

  it('withoutTerminalCodes drops control sequences only (colours, 256 and true colour, bold, erase), keeping every other character', () => {
    expect(withoutTerminalCodes('\u001B[36m2026 heroku[web.1]:\u001B[39m a=\u001B[38;5;208mb\u001B[0m \u001B[38;2;1;2;3mc\u001B[K\u001B[1md\u001B[22m')).to.equal('2026 heroku[web.1]: a=b cd')
    const plain = String.raw`no codes [36m here \u001B`
    expect(withoutTerminalCodes(plain)).to.equal(plain)
  })
})
