/**
 * A tiny scripted HTTP server for the unit tests: each request is answered by the next handler
 * (the last one repeats). It stands in for the network, not for the bridge: the integration
 * tests run the real bridge.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after } from 'node:test'

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: unknown
  /** The client's port: the same port means the same (kept-alive) connection. */
  clientPort: number
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void

export interface Stub {
  baseUrl: string
  seen: SeenRequest[]
  close(): Promise<void>
}

export async function startStub(handlers: Handler[]): Promise<Stub> {
  const seen: SeenRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const request: SeenRequest = {
        method: req.method ?? '', url: req.url ?? '', headers: req.headers,
        body: text ? JSON.parse(text) : undefined, clientPort: req.socket.remotePort ?? 0,
      }
      seen.push(request)
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)]
      handler?.(request, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/**
 * `startStub` for one test file: `const stub = stubsClosedAfterTests()`, then
 * `await stub(handler, ...)`; every stub it made is closed after the file's tests.
 */
export function stubsClosedAfterTests(): (...handlers: Handler[]) => Promise<Stub> {
  const stubs: Stub[] = []
  after(async () => { await Promise.all(stubs.map((s) => s.close())) })
  return async (...handlers) => {
    const s = await startStub(handlers)
    stubs.push(s)
    return s
  }
}

export function json(status: number, body: unknown): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
}

/** Accepts the request, then drops the connection without answering. */
export const dropConnection: Handler = (_req, res) => {
  res.socket?.destroy()
}

/** Never answers (until the server closes). */
export const hang: Handler = () => {}
