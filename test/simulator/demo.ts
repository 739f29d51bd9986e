/**
 * `npm run demo`: the Heroku simulator on 127.0.0.1 with a demo app (web.2 leaks into R14 and swap),
 * and the real plugin command `heroku mem:tail` against it for about 30 seconds.
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {scenario} from './scenarios.js'
import {startSimulator} from './server.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
// 20 simulated seconds every 250 ms: a sample per dyno four times a second, slow enough to watch.
const simulator = await startSimulator({apps: [scenario('demo')], tickMs: 250})
const args = ['mem:tail', '-a', 'demo-app', '--duration', process.env.DEMO_DURATION ?? '30s']
process.stderr.write(`Heroku simulator at ${simulator.url} (demo-app: web.1 steady, web.2 leaking from its GET /reports/:id/export requests, worker.1 bloated)\n`)
process.stderr.write(`$ heroku ${args.join(' ')}\n\n`)

const child = spawn(process.execPath, [`${root}bin/run.js`, ...args], {
  env: {
    ...process.env, HEROKU_API_KEY: simulator.token, HEROKU_DISABLE_AUTOUPDATE: '1', HEROKU_HOST: simulator.url,
  },
  stdio: 'inherit',
})
// Ctrl-C reaches the command too (same process group): let it print its summary, then stop.
process.on('SIGINT', () => {})
child.on('close', async code => {
  await simulator.close()
  process.stderr.write('\nTry it yourself: npm run simulator, export the two variables it prints, then node bin/run.js mem:report -a demo-app (or mem:blame -a demo-app --duration 20s, with --tick-ms 20)\n')
  process.exit(code ?? 1)
})
