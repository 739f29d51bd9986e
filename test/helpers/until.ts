import {setTimeout as sleep} from 'node:timers/promises'

/** Waits until `check` holds, polling every 20 ms; fails naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
