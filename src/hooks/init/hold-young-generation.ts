/**
 * Inside `heroku`, a mem: command starts after the CLI's own start-up, whose allocations have
 * grown V8's young generation to 16 MB a semi-space by the time a command holds it: the same
 * `heroku mem:report --file` of 1 GB peaked at 172 MB, against 142 MB when held from this hook,
 * which oclif runs before the CLI loads the command. Other commands are left as they were.
 */
import type {Hook} from '@oclif/core'

import {holdYoungGeneration} from '../../stream/young-generation.js'

const hook: Hook.Init = async function ({id}) {
  if (id?.startsWith('mem:')) holdYoungGeneration()
}

export default hook
