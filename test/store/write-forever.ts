/**
 * Test helper process: writes batches of BATCH samples into the store named on the command line
 * as fast as it can, forever; crash.test.ts kills it with SIGKILL at a random moment.
 */
import {openStore} from '../../src/store/open-store.js'
import {sample} from '../fixtures/recorded-events.js'

const BATCH = 1000

const [target, startText] = process.argv.slice(2)
const store = await openStore(target)
process.stdout.write('ready\n')
for (let time = Number(startText); ; time += 20_000) {
  const events = Array.from({length: BATCH}, (_, index) => sample(`web.${index + 1}`, time, 100 + index))
  await store.write({
    app: 'crash-app', coverage: [{
      from: time, recorder: 'crash', segment: 0, to: time,
    }], events,
  })
  process.stdout.write('batch\n')
}
