/**
 * Runs the Heroku simulator until SIGINT/SIGTERM:
 *   node --import tsx test/simulator/main.ts [--scenario demo[,steady...]] [--port 0] [--tick-ms 500] [--seed 1]
 * Prints one line to stdout: `HEROKU_HOST=http://127.0.0.1:PORT HEROKU_API_KEY=sim-token`.
 */
import {parseArgs} from 'node:util'

import {isScenarioName, scenario, scenarios} from './scenarios.js'
import {startSimulator} from './server.js'

const {values} = parseArgs({
  options: {
    port: {default: '0', type: 'string'},
    scenario: {default: 'demo', type: 'string'},
    seed: {default: '1', type: 'string'},
    'tick-ms': {default: '500', type: 'string'},
    token: {default: 'sim-token', type: 'string'},
  },
})

const names = values.scenario.split(',').map(name => name.trim())
const unknown = names.filter(name => !isScenarioName(name))
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}\n`)
  process.exit(2)
}

const simulator = await startSimulator({
  apps: names.filter(name => isScenarioName(name)).map(name => scenario(name)),
  port: Number(values.port),
  seed: Number(values.seed),
  tickMs: Number(values['tick-ms']),
  token: values.token,
})
process.stdout.write(`HEROKU_HOST=${simulator.url} HEROKU_API_KEY=${simulator.token}\n`)

const shutdown = async () => {
  await simulator.close()
  process.exit(0)
}

process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
