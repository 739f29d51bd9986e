/**
 * Substrings of which every line that can yield an event (or feed a legacy group) contains at
 * least one, ASCII so that they match raw UTF-8 bytes: a reader may drop a line (or a buffer
 * region between newlines) containing none of them, e.g. with `Buffer.indexOf`, before decoding
 * it. The converse does not hold: a line containing a needle may still be "not ours".
 * Exactly the needles of load samples contain `load_`, so a reader that wants no load samples can
 * leave those out.
 */
export const EVENT_NEEDLES: readonly string[] = [
  'sample#memory_',
  'sample#load_',
  'measure=memory_',
  'measure=load_',
  'Error R14',
  'Error R15',
  'Process running mem=',
  'Process exited',
  'Restarting',
  'Cycling',
  'State changed',
  'Stopping ',
  'Starting process',
  'Release v',
  // `heroku logs` with colours forced writes `Release \e[95mv12\e[39m created by ...` (terminal-codes.ts).
  'Release \u001B[',
  'Deploy ',
  ' config var',
  'Rollback to v',
  'Scaled to ',
]
