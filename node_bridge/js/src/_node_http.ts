/**
 * The default transport: `node:http` / `node:https` over one keep-alive agent per protocol.
 *
 * Node's global `fetch` (undici with WHATWG streams, `Response` objects and abort plumbing)
 * cost about 1 ms more per call than this on a 2-core machine: a third of what the bridge adds
 * to a short job (docs/performance.md). A caller's own `fetch` (`JobClientOptions.fetch`) still
 * replaces it; both answer the same `FetchLike` shape, and errors keep fetch's meaning (an
 * aborted request rejects with the signal's reason, a refused connection with its `code`).
 */

import http from 'node:http'
import https from 'node:https'

import type { FetchAnswer } from './_http.js'

/**
 * Idle sockets are closed after this many ms: under uvicorn's 5 s keep-alive, so a request is
 * not sent on a socket the bridge is closing at that moment.
 */
export const IDLE_SOCKET_MS = 4_000

const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
}

export function nodeHttpFetch(input: string, init: RequestInit): Promise<FetchAnswer> {
  return new Promise((resolve, reject) => {
    const signal = init.signal ?? undefined
    const fail = (err: unknown): void => reject(signal?.aborted ? signal.reason : err)
    let url: URL
    try {
      url = new URL(input)
    } catch (err) {
      fail(err)
      return
    }
    const protocol = url.protocol
    if (protocol !== 'http:' && protocol !== 'https:') {
      fail(new TypeError(`unsupported protocol ${protocol} (use http: or https:)`))
      return
    }
    const body = typeof init.body === 'string' ? init.body : undefined
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const request = (protocol === 'https:' ? https : http).request(url, {
      method: init.method ?? 'GET', headers, agent: agents[protocol], signal,
    }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', fail)
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const headers = response.headers
        resolve({
          status: response.statusCode ?? 0,
          text: () => Promise.resolve(text),
          headers: { get: (name) => firstValue(headers[name.toLowerCase()]) },
        })
      })
    })
    request.on('error', fail)
    request.end(body)
  })
}

function firstValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null
}
