/** The one log parser: `LogParser` and the prefilter's `EVENT_NEEDLES`. */
export {LogParser, type LogParserOptions} from './log-parser.js'
export {EVENT_NEEDLES} from './needles.js'
