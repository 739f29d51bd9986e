// Writes test/fixtures/logs/colored.log: lines of the `heroku logs` shape as the real `heroku logs`
// prints them when colours are forced (FORCE_COLOR=1), through the CLI's own colorize function
// (heroku@11, dist/lib/run/colorize.js), and the same lines plain, in test/fixtures/logs/colored-plain.log.
// Usage: FORCE_COLOR=1 node scripts/colorize-fixture.mjs [path of an installed heroku CLI's node_modules/heroku]
/* eslint-disable @stylistic/max-len -- log lines as the platform writes them */
import {writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

const cli = process.argv[2] ?? join(homedir(), '.cache', 'heroku-mem-test', 'heroku-cli', 'node_modules', 'heroku')
const {default: colorize} = await import(pathToFileURL(join(cli, 'dist', 'lib', 'run', 'colorize.js')).href)
const plain = [
  '2026-11-20T10:00:00.000000+00:00 heroku[web.1]: source=web.1 dyno=heroku.2808254.da2849d7-3eb4-438a-a907-d090402c802d sample#load_avg_1m=1.37 sample#load_avg_5m=0.77 sample#load_avg_15m=0.01',
  '2026-11-20T10:00:00.000000+00:00 heroku[web.1]: source=web.1 dyno=heroku.2808254.da2849d7-3eb4-438a-a907-d090402c802d sample#memory_total=521.57MB sample#memory_rss=511.15MB sample#memory_cache=0.42MB sample#memory_swap=10.00MB sample#memory_pgpgin=199677pages sample#memory_pgpgout=82404pages sample#memory_quota=512.00MB',
  '2026-11-20T10:00:01.000000+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)',
  '2026-11-20T10:00:02.000000+00:00 heroku[web.1]: Process running mem=1100M(214.8%)',
  '2026-11-20T10:00:02.500000+00:00 heroku[web.1]: Error R15 (Memory quota vastly exceeded)',
  '2026-11-20T10:00:03.000000+00:00 heroku[web.1]: Stopping all processes with SIGTERM',
  '2026-11-20T10:00:04.000000+00:00 heroku[web.1]: Process exited with status 137',
  '2026-11-20T10:00:05.000000+00:00 heroku[web.1]: State changed from up to crashed',
  '2026-11-20T10:00:06.000000+00:00 heroku[worker.2]: Restarting',
  '2026-11-20T10:00:06.500000+00:00 heroku[worker.2]: Cycling',
  '2026-11-20T10:00:07.000000+00:00 heroku[worker.2]: Starting process with command `bundle exec sidekiq`',
  '2026-11-20T10:00:08.000000+00:00 heroku[worker.2]: State changed from starting to up',
  '2026-11-20T10:00:09.000000+00:00 heroku[run.4242]: Starting process with command `bin/rails console` by user someone@example.com',
  '2026-11-20T10:00:10.000000+00:00 heroku[run.4242]: State changed from up to complete',
  '2026-11-20T10:00:11.000000+00:00 app[api]: Release v12 created by user someone@example.com',
  '2026-11-20T10:00:12.000000+00:00 app[api]: Deploy 3f5e0c8 by user someone@example.com',
  '2026-11-20T10:00:13.000000+00:00 app[api]: Set FOO config vars by user someone@example.com',
  '2026-11-20T10:00:14.000000+00:00 app[api]: Rollback to v11 by user someone@example.com',
  '2026-11-20T10:00:15.000000+00:00 app[api]: Scaled to web@2:Standard-2X worker@1:Standard-1X by user someone@example.com',
  '2026-11-20T10:00:16.000000+00:00 heroku[router]: at=info method=GET path="/reports/42/export" host=shop.herokuapp.com request_id=0fbef6df-a2c1-4884-a846-2bdaa8a88131 fwd="203.0.80.44" dyno=web.1 connect=0ms service=231ms status=200 bytes=1024 protocol=https',
  '2026-11-20T10:00:17.000000+00:00 heroku[logplex]: Error L10 (output buffer overflow): drain \'d.efe51fd5-0000-4153-b094-f5e9f7df3058\' dropped 12 messages since 2026-11-20T09:59:00+00:00',
  '2026-11-20T10:00:18.000000+00:00 app[web.1]: Restarting',
  '2026-11-20T10:00:19.000000+00:00 app[web.1]: source=web.1 dyno=heroku.2808254.da2849d7-3eb4-438a-a907-d090402c802d sample#memory_total=9999.00MB sample#memory_rss=9999.00MB sample#memory_quota=512.00MB',
]
const colored = plain.map(line => colorize(line))
if (colored.every((line, i) => line === plain[i])) throw new Error('no line was coloured: run with FORCE_COLOR=1')
writeFileSync(new URL('../test/fixtures/logs/colored.log', import.meta.url), colored.join('\n') + '\n')
writeFileSync(new URL('../test/fixtures/logs/colored-plain.log', import.meta.url), plain.join('\n') + '\n')
