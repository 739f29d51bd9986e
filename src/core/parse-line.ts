/** Where the parser used to live: its exports, for the modules that still import them from here. */
export {EVENT_NEEDLES, LogParser, type LogParserOptions} from './parse/index.js'
