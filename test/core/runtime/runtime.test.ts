import {expect} from 'chai'

import {keepRuntimeVars, RUNTIME_CONFIG_VARS} from '../../../src/core/runtime/config-vars.js'
import {type AppRuntime, detectProcessRuntime} from '../../../src/core/runtime/detect.js'
import {rightSize} from '../../../src/core/runtime/right-size.js'
import {
  flagNumber, jvmHeapCap, nodeHeapCap, pythonDefaultWorkers, workerCount,
} from '../../../src/core/runtime/settings.js'

function runtime(command: string, configVars?: Record<string, string>, buildpacks: string[] = []): AppRuntime {
  return {
    buildpacks, commands: {web: command}, commandsFrom: 'formation', configVars,
  }
}

describe('runtime detection and settings', () => {
  it('keeps allow-listed config vars only', () => {
    const kept = keepRuntimeVars({
      AWS_SECRET_ACCESS_KEY: 'x', DATABASE_URL: 'postgres://secret', WEB_CONCURRENCY: '3', WEB_MEMORY: 512,
    })
    expect(kept).to.deep.equal({WEB_CONCURRENCY: '3'})
    expect(RUNTIME_CONFIG_VARS).not.to.include('DATABASE_URL')
    expect(keepRuntimeVars(null)).to.deep.equal({})
  })

  it('names the runtime and server from the command, else from the last buildpack', () => {
    const cases: Array<[string, string[], string | undefined, string | undefined]> = [
      ['bundle exec puma -C config/puma.rb', [], 'ruby', 'puma'],
      ['bundle exec sidekiq -C config/sidekiq.yml', ['heroku/nodejs', 'heroku/ruby'], 'ruby', 'sidekiq'],
      ['gunicorn shop.wsgi --workers 4', [], 'python', 'gunicorn'],
      ['celery -A shop worker', [], 'python', 'celery'],
      ['node --max-old-space-size=400 server.js', [], 'node', 'node'],
      ['npm start', [], 'node', 'node'],
      ['java -Dserver.port=$PORT $JAVA_OPTS -jar target/app.jar', [], 'jvm', 'java'],
      ['./bin/start', ['heroku/nodejs', 'heroku/ruby'], 'ruby', undefined],
      ['./bin/start', [], undefined, undefined],
    ]
    for (const [command, buildpacks, kind, server] of cases) {
      const found = detectProcessRuntime(runtime(command, {}, buildpacks), 'web')
      expect(found?.kind, command).to.equal(kind)
      expect(found?.server, command).to.equal(server)
    }
  })

  it('reads worker counts and heap caps where the app sets them, with the buildpacks\' defaults otherwise', () => {
    expect(flagNumber('gunicorn app -w4', ['-w', '--workers'])).to.equal(4)
    expect(flagNumber('gunicorn app --workers=5', ['-w', '--workers'])).to.equal(5)
    expect(flagNumber('gunicorn app --max-requests 1000', ['-w', '--workers'])).to.equal(undefined)
    const gunicorn = {detectedFrom: 'formation command', kind: 'python', server: 'gunicorn'} as const
    expect(workerCount(gunicorn, runtime('gunicorn app', {}), 'web', 512, 'Standard-1X')).to.include({count: 2, source: 'buildpack default'})
    expect(workerCount(gunicorn, runtime('gunicorn app', {GUNICORN_CMD_ARGS: '-w 3'}), 'web', 512)).to.include({count: 3, source: 'config var'})
    expect([512, 1024, 2560].map(quota => pythonDefaultWorkers(quota, {512: 'Standard-1X', 1024: 'Standard-2X', 2560: 'Performance-M'}[quota]))).to.deep.equal([2, 4, 5])
    const node = {detectedFrom: 'formation command', kind: 'node', server: 'node'} as const
    expect(workerCount(node, runtime('node server.js', {}), 'web', 2560)).to.include({count: 5, setting: 'WEB_MEMORY'})
    expect(nodeHeapCap(runtime('node --max-old-space-size=900 server.js', {}), 'web')).to.include({mb: 900, source: 'formation command'})
    expect(jvmHeapCap(runtime('java -jar app.jar', {JAVA_OPTS: '-Xmx1g'}), 'web', 2560)).to.include({mb: 1024, source: 'config var'})
    expect(jvmHeapCap(runtime('java -jar app.jar', {}), 'web', 1024)).to.include({mb: 671, source: 'buildpack default'})
  })

  it('right-sizes to the cheapest formation that holds the peak, workers moving between dynos when known', () => {
    expect(rightSize({count: 2, peakMb: 300, size: 'Standard-1X'})).to.equal(undefined)
    expect(rightSize({count: 2, peakMb: 700, size: 'Standard-1X'})).to.deep.equal({
      plan: {count: 2, monthlyUsd: 100, size: 'Standard-2X'}, today: {
        count: 2, monthlyUsd: 50, size: 'Standard-1X', workersPerDyno: undefined,
      },
    })
    // 3 workers of 210 MB: one 1 GB dyno holds all three for less than three 512 MB dynos.
    expect(rightSize({
      count: 1, peakMb: 630, perProcessMb: 210, size: 'Standard-1X', workers: 3,
    })?.plan).to.deep.equal({
      count: 1, monthlyUsd: 50, size: 'Standard-2X', workersPerDyno: 3,
    })
  })
})
