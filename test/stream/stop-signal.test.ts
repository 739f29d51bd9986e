import {expect} from 'chai'

import {StopSignal} from '../../src/stream/stop-signal.js'

describe('StopSignal', () => {
  it('takes a listener per task in flight without Node\'s leak warning (the watchdog runs --max-parallel restarts at once)', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name)
    }

    process.on('warning', onWarning)
    const stop = new StopSignal()
    try {
      for (let task = 0; task < 20; task++) stop.signal.addEventListener('abort', () => {}, {once: true})
      await new Promise(resolve => {
        setImmediate(resolve)
      })
    } finally {
      stop.release()
      process.off('warning', onWarning)
    }

    expect(warnings).to.deep.equal([])
  })
})
