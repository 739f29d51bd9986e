/**
 * The fault "store hangs": a loopback TCP server that accepts connections and never says a word,
 * as a Postgres whose machine froze would (`postgres://127.0.0.1:PORT/db` then hangs at connect).
 */
import {createServer, type Socket} from 'node:net'

export interface SilentServer {
  port: number
  /** Connections accepted so far. */
  connections: number
  close(): Promise<void>
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  const silent = {connections: 0} as SilentServer
  const server = createServer(socket => {
    silent.connections++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  silent.port = (server.address() as {port: number}).port
  silent.close = () => new Promise(resolve => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  })
  return silent
}
