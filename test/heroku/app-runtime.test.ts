import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'

import type {Simulator} from '../simulator/server.js'

import {HerokuApi} from '../../src/heroku/api.js'
import {readAppRuntime} from '../../src/heroku/app-runtime.js'
import {ROOT} from '../helpers/run-command.js'
import {PLANTED_SECRET, scenario} from '../simulator/scenarios.js'
import {startSimulator} from '../simulator/server.js'

describe('readAppRuntime against the simulator', () => {
  let sim: Simulator
  let api: HerokuApi
  const saved = {host: process.env.HEROKU_HOST, key: process.env.HEROKU_API_KEY}

  before(async () => {
    sim = await startSimulator({apps: [scenario('ruby-puma'), scenario('ruby-locked')], tickMs: 0})
    process.env.HEROKU_HOST = sim.url
    process.env.HEROKU_API_KEY = sim.token
    api = new HerokuApi(new APIClient(await Config.load(ROOT)), {maxAttempts: 1})
  })

  after(async () => {
    await sim.close()
    process.env.HEROKU_HOST = saved.host
    process.env.HEROKU_API_KEY = saved.key
  })

  it('keeps only the allow-listed config vars: the planted secrets are gone before anything else sees them', async () => {
    const {notes, runtime} = await readAppRuntime(api, 'ruby-puma-app', await api.listFormation('ruby-puma-app'))
    expect(runtime.configVars).to.deep.equal({RAILS_MAX_THREADS: '5', WEB_CONCURRENCY: '3'})
    expect(JSON.stringify(runtime)).not.to.include(PLANTED_SECRET)
    expect(runtime.buildpacks).to.deep.equal(['heroku/ruby'])
    expect(runtime.commands).to.deep.equal({web: 'bundle exec puma -C config/puma.rb'})
    expect(notes).to.deep.equal([])
  })

  it('goes on without the config vars when the token may not read them (403), with a note', async () => {
    const {notes, runtime} = await readAppRuntime(api, 'ruby-locked-app', await api.listFormation('ruby-locked-app'))
    expect(runtime.configVars).to.equal(undefined)
    expect(runtime.buildpacks).to.deep.equal(['heroku/ruby'])
    expect(notes[0]).to.match(/^Config vars not readable \(403\)/)
  })
})
