import {expect} from 'chai'

import {StrayTimes} from '../../../src/core/report/stray-times.js'

const DAY = 86_400_000
const START = Date.UTC(2026, 10, 20, 8)

/** Every time admitted, and what was taken, in order. */
function run(times: number[]): {setAside: StrayTimes<{time: number}>['setAside']; taken: number[]} {
  const taken: number[] = []
  const strays = new StrayTimes<{time: number}>(event => taken.push(event.time))
  for (const time of times) strays.admit({time})
  strays.finish()
  return {setAside: strays.setAside, taken}
}

const every = (from: number, count: number, stepMs: number): number[] => Array.from({length: count}, (_, i) => from + (i * stepMs))

describe('StrayTimes', () => {
  it('takes a log in the order it came, and sets aside single lines dated far from it', () => {
    const log = every(START, 500, 20_000)
    const {setAside, taken} = run([0, ...log.slice(0, 10), Date.UTC(9999, 0, 1), ...log.slice(10), Date.UTC(2019, 0, 1)])
    expect(taken).to.deep.equal(log)
    expect(setAside).to.deep.equal({count: 3, earliest: 0, latest: Date.UTC(9999, 0, 1)})
  })

  it('takes a second log from another month (enough events together), not as strays', () => {
    const november = every(START, 200, 20_000)
    const march = every(START - (250 * DAY), 200, 20_000)
    const {setAside, taken} = run([...november, ...march])
    expect(setAside.count).to.equal(0)
    expect(taken).to.have.length(400)
  })

  it('keeps a short burst days before the rest once the span reaches it (an R14 burst a week earlier)', () => {
    const burst = every(START, 5, 20_000)
    const rest = every(START + (7 * DAY), 300, 3_600_000)
    const {setAside, taken} = run([...burst, ...rest])
    expect(setAside.count).to.equal(0)
    expect(taken.toSorted((a, b) => a - b)).to.deep.equal([...burst, ...rest])
  })

  it('takes a log shorter than the lead it holds back', () => {
    expect(run(every(START, 3, 20_000)).taken).to.deep.equal(every(START, 3, 20_000))
  })
})
