import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {LogEvent, RouterRequest} from '../../src/core/events.js'

import {LogParser} from '../../src/core/parse/index.js'
import {readLogFiles} from '../../src/stream/file-source.js'

/** Excerpts of real saved logs, one file a shape; test/fixtures/logs/README.md says where each comes from. */
const LOGS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'logs')

/** What a reader sees in each excerpt: its events in file order, and its router lines. */
const EXCERPTS: Array<{events: string; file: string; requests: number}> = [
  {
    events: 'load memory memory reading error:R15 dyno:sigkill dyno:exited dyno:state memory',
    file: 'markdown-indented.log',
    requests: 1,
  },
  {events: 'error:R14 reading error:R14', file: 'logentries-receive-time.log', requests: 3},
  {events: 'memory load memory load memory error:R14', file: 'syslog-no-pri.log', requests: 2},
]

function label(event: LogEvent): string {
  if (event.kind === 'dyno') return `dyno:${event.action}`
  return event.kind === 'error' ? `error:${event.code}` : event.kind
}

describe('real saved logs', () => {
  for (const {events: expected, file, requests: expectedRequests} of EXCERPTS) {
    describe(file, () => {
      const path = join(LOGS, file)

      it('readLogFiles finds the events and router lines a reader sees in it', async () => {
        const events: LogEvent[] = []
        const requests: RouterRequest[] = []
        await readLogFiles([path], event => events.push(event), {defaultYear: 2026, onRouterRequest: request => requests.push(request)})
        expect(events.map(event => label(event)).join(' ')).to.equal(expected)
        expect(requests).to.have.length(expectedRequests)
      })

      it('gives what the parser gives line by line without the prefilter', async () => {
        const parser = new LogParser({defaultYear: 2026})
        const unfiltered: LogEvent[] = []
        for (const line of readFileSync(path, 'utf8').split('\n')) parser.parseAll(line, event => unfiltered.push(event))
        unfiltered.push(...parser.flush())
        const read: LogEvent[] = []
        await readLogFiles([path], event => read.push(event), {defaultYear: 2026})
        expect(read).to.deep.equal(unfiltered)
      })
    })
  }
})
