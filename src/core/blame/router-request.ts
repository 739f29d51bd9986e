/**
 * One request as the router logged it (`heroku[router]: at=info method=GET path="/..." dyno=web.3
 * service=2340ms status=200 bytes=880123`). The shape the parser's `router` event will have.
 *
 * INTEGRATION POINT: when the parser (src/core/parse/) emits `{kind: 'router', ...}` events, this
 * type becomes an alias of that event and `readBlameInput` asks readLog for router lines; until
 * then mem:blame's core is fed these plain objects (tests, the simulator).
 */
export interface RouterRequest {
  /** Response size in bytes (`bytes=`); 0 when absent. */
  bytes: number
  /** The dyno that served it (`dyno=web.3`). */
  dyno: string
  kind: 'router'
  method: string
  /** As logged, query string included. */
  path: string
  /** `service=` in ms: how long the dyno took. The request started `serviceMs` before `time`. */
  serviceMs: number
  status: number
  /** Epoch ms of the log line: when the response finished. */
  time: number
}
