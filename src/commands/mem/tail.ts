import {Flags} from '@oclif/core'

import type {TailOutput} from '../../render/tail-output.js'

import {MemCommand, memFlags} from '../../base-command.js'
import {durationFlag, dynoFilter} from '../../flags.js'
import {ensureRuntimeMetrics, requireFilteredDynos} from '../../heroku/preflight.js'
import {JsonTailOutput, LineTailOutput, TableTailOutput} from '../../render/tail-output.js'
import {tailSummary} from '../../render/tail-summary.js'
import {onStdoutClosed} from '../../stdout-pipe.js'
import {storeTarget} from '../../store/open-store.js'
import {MemoryFeed} from '../../stream/memory-feed.js'
import {StopSignal} from '../../stream/stop-signal.js'
import {readTrendSeed} from '../../stream/stored-trend.js'

export default class Tail extends MemCommand {
  static description = `live memory of every dyno: RSS, swap, total and % of quota, with R14/R15 and restarts as they happen
Reads the samples Heroku's log-runtime-metrics writes about every 20 s per dyno. On a terminal it shows a table that updates in place; piped, one plain line per sample or event; with --json, one JSON object per line. On a terminal, each dyno's trend starts from the last half hour mem:record stored, when the store has it (--no-store: from the log only). Ctrl-C stops it and prints a summary on stderr.`
  static examples = [
    '$ heroku mem:tail -a my-app',
    '$ heroku mem:tail -a my-app -p web',
    '$ heroku mem:tail -a my-app -d worker.1 --json',
    '$ heroku mem:tail -a my-app --duration 5m --json > samples.ndjson',
    '$ heroku mem:tail -a my-app -d web.1 -n 0 --max-samples 1 --json   # web.1\'s next reading, then exit',
    '$ heroku mem:tail -a my-app --store postgres://user:pass@db.example.com/mem   # trends from what mem:record stored there',
    '$ heroku mem:tail -a my-app --no-store   # trends from the live log only',
  ]
  static flags = {
    ...memFlags,
    duration: durationFlag({description: 'stop after this long, e.g. 30s, 10m, 1h'}),
    json: Flags.boolean({description: 'one JSON object per line (NDJSON): samples, R14/R15, dyno events, stream notices'}),
    'enable-metrics': Flags.boolean({description: 'enable log-runtime-metrics on the app if it is off (the dynos then need a restart)'}),
    'max-samples': Flags.integer({description: 'stop after this many memory samples', min: 1}),
    num: Flags.integer({
      char: 'n', default: 100, description: 'lines of recent log history to start from (0 to 1500)', max: 1500, min: 0,
    }),
    store: Flags.string({description: 'mem:record\'s store to start the table\'s trends from: postgres://... or a SQLite file [default: DATABASE_URL, else the CLI data directory\'s file, if any]', exclusive: ['no-store']}),
    'no-store': Flags.boolean({description: 'start the table\'s trends from the log only, not from mem:record\'s history'}),
  }
  static topic = 'mem'

  async run(): Promise<void> {
    const {flags} = await this.parse(Tail)
    const app = await this.appOf(flags)
    // Trends show in the table only; the store is read once the first line is out, never waited for.
    const table = !flags.json && Boolean(process.stdout.isTTY)
    const store = {explicit: flags.store !== undefined, target: storeTarget(flags.store, this.config.dataDir)}
    const seed = flags['no-store'] || !table ? undefined : () => readTrendSeed(store, app, Date.now())
    await ensureRuntimeMetrics(this.api, app, {enable: flags['enable-metrics'], readingsWithout: true})
    const dynos = await this.api.listDynos(app)
    requireFilteredDynos(app, dynos, dynoFilter(flags))
    const sizes = new Map(dynos.map(dyno => [dyno.name ?? '', dyno.size ?? '']))

    const stop = new StopSignal()
    // `mem:tail | head`: the reader is done, and so is the tail.
    const stopListening = onStdoutClosed(() => stop.abort())
    const timer = flags.duration ? setTimeout(() => stop.abort(), flags.duration) : undefined
    const out = (text: string) => process.stdout.write(text)
    const err = (text: string) => process.stderr.write(text)
    const output: TailOutput = flags.json
      ? new JsonTailOutput(out)
      : (table ? new TableTailOutput(out, app) : new LineTailOutput(out, err))
    let samples = 0
    const feed = new MemoryFeed(this.api, {
      app,
      ...dynoFilter(flags),
      lines: flags.num,
      onSeedNote: note => err(`${note}\n`),
      onUpdate(update) {
        output.update(update)
        if (update.kind === 'event' && update.event.kind === 'memory' && flags['max-samples'] && ++samples >= flags['max-samples']) stop.abort()
      },
      seed,
      signal: stop.signal,
      sizes,
      tail: true,
    })
    try {
      await feed.run()
    } finally {
      if (timer) clearTimeout(timer)
      stop.release()
      stopListening()
      output.close()
    }

    err(tailSummary(feed.board.list()))
  }
}
