import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {LogEvent} from '../../src/core/events.js'

import {LogParser} from '../../src/core/parse/index.js'
import {readLogFiles} from '../../src/stream/file-source.js'

/** test/fixtures/logs/README.md says where each shape comes from. */
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'logs', 'every-shape.log')

/** One event a shape, in file order (the glued drain body gives two; the 2013 readings come one sample late). */
const EXPECTED = `error reading error error memory dyno:crashed reading dyno:starting release dyno:exited dyno:state
  reading dyno:restarting dyno:state dyno:stopping reading`.split(/\s+/)

function label(event: LogEvent): string {
  return event.kind === 'dyno' ? `dyno:${event.action}` : event.kind
}

describe('saved logs in every shape', () => {
  it('readLogFiles finds every platform line through the needle prefilter, and nothing of the app\'s', async () => {
    const events: LogEvent[] = []
    const totals = await readLogFiles([FIXTURE], event => events.push(event), {countLines: true, defaultYear: 2021})
    expect(events.map(event => label(event))).to.deep.equal(EXPECTED)
    expect(totals.events).to.equal(EXPECTED.length)
    expect(totals.lines).to.equal(30)
  })

  it('gives what the parser gives line by line without the prefilter', async () => {
    const parser = new LogParser({defaultYear: 2021})
    const unfiltered: LogEvent[] = []
    for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) parser.parseAll(line, event => unfiltered.push(event))
    unfiltered.push(...parser.flush())
    const read: LogEvent[] = []
    await readLogFiles([FIXTURE], event => read.push(event), {defaultYear: 2021})
    expect(read).to.deep.equal(unfiltered)
  })
})
