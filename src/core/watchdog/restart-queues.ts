import type {DynoTrack} from './dyno-track.js'

/** Dynos waiting for a free slot (max parallel), per process type, first come first served. */
export class RestartQueues {
  private readonly queues = new Map<string, string[]>()

  add(track: DynoTrack): void {
    const queue = this.queues.get(track.type) ?? []
    if (!queue.includes(track.name)) queue.push(track.name)
    this.queues.set(track.type, queue)
  }

  /**
   * Offers the type's queued dynos their turn, in order: `drop` takes one off the queue (no longer
   * over), `next` goes on to the following one, `full` stops (the slots are taken again).
   */
  drain(type: string, turn: (name: string) => 'drop' | 'full' | 'next'): void {
    const queue = this.queues.get(type)
    if (!queue) return
    for (const name of queue) {
      const answer = turn(name)
      if (answer === 'drop') queue.splice(queue.indexOf(name), 1)
      if (answer === 'full') return
    }
  }

  remove(track: DynoTrack): void {
    const queue = this.queues.get(track.type)
    const index = queue?.indexOf(track.name) ?? -1
    if (queue && index !== -1) queue.splice(index, 1)
  }
}
