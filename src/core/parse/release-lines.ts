/**
 * The release log (`app[api]`): `Release v42 created by user ...`, `Deploy 1a2b3c4 by ...`,
 * `Set FOO config vars by ...`, `Rollback to v12 by ...`, `Scaled to web@2:Standard-1X by ...`.
 */
import type {ReleaseEvent} from '../events.js'

const RELEASE = /^Release v(\d{1,9}) created(?: by |$)/
const DEPLOY = /^Deploy \S+(?: by |$)/
const CONFIG = /^(?:Set|Remove) \S.* config vars?(?: by |$)/
const ROLLBACK = /^Rollback to v(\d{1,9})(?: by |$)/
/** One process type or several: `Scaled to web@2:Standard-2X worker@4:Performance-M by ...`. */
const SCALE = /^Scaled to \S+@\S+(?: \S+@\S+)*(?: by |$)/

/** The event of a release line; the actor (` by user x@y`) is cut, as the API's `description` has none. */
export function releaseEvent(message: string, time: number): ReleaseEvent | undefined {
  const release = RELEASE.exec(message)
  const rollback = release ? null : ROLLBACK.exec(message)
  let action: ReleaseEvent['action']
  if (release) action = 'release'
  else if (rollback) action = 'rollback'
  else if (DEPLOY.test(message)) action = 'deploy'
  else if (CONFIG.test(message)) action = 'config'
  else if (SCALE.test(message)) action = 'scale'
  else return undefined

  const by = message.lastIndexOf(' by ')
  const event: ReleaseEvent = {
    action, description: by === -1 ? message : message.slice(0, by), kind: 'release', time,
  }
  const version = (release ?? rollback)?.[1]
  if (version !== undefined) event.version = Number(version)
  return event
}
