/**
 * Terminal colour codes in saved logs. `heroku logs` colours its lines when colours are forced
 * (`FORCE_COLOR=1 heroku logs > app.log`, the deprecated `--force-colors`) or when the output is
 * captured from a terminal (`script`, `tmux capture-pane -e`): the header, and in some messages
 * the values (`Release \e[95mv12\e[39m`, `State changed from \e[32mup\e[39m to ...`). The codes
 * are ANSI control sequences (CSI: ESC `[`, parameters, a final byte); the text between them is
 * the line as the platform logged it.
 */

const ESCAPE = '\u001B'
// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const CONTROL_SEQUENCE = /\u001B\[[\d;:?]*[ -/]*[@-~]/g

/** The line without its terminal control sequences (the line itself when it holds none). */
export function withoutTerminalCodes(line: string): string {
  return line.includes(ESCAPE) ? line.replaceAll(CONTROL_SEQUENCE, '') : line
}
