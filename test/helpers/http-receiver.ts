/**
 * A loopback HTTP server that records every POST (path and JSON body) and answers with the status
 * `answer` picks, or, for `'hang'` (the fault "webhook hangs"), never answers; `abandoned` counts
 * the hanging requests the client gave up on (closed the connection).
 */
import {createServer, type Server} from 'node:http'

export interface ReceivedPost {
  path: string
  body: Record<string, unknown>
}

export interface HttpReceiver {
  url: string
  posts: ReceivedPost[]
  /** Status for the next request (default 200), or 'hang'. */
  answer: (post: ReceivedPost) => 'hang' | number
  /** Hanging requests whose client closed the connection. */
  abandoned: number
  close(): Promise<void>
}

export async function startReceiver(): Promise<HttpReceiver> {
  const receiver = {abandoned: 0, answer: () => 200, posts: [] as ReceivedPost[]} as unknown as HttpReceiver
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const post = {body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'), path: request.url ?? ''}
    receiver.posts.push(post)
    const answer = receiver.answer(post)
    if (answer === 'hang') {
      response.on('close', () => receiver.abandoned++)
      return
    }

    response.writeHead(answer).end('ok')
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as {port: number}
  receiver.url = `http://127.0.0.1:${port}`
  receiver.close = () => new Promise(resolve => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return receiver
}
