/**
 * One HTTP exchange with the bridge, with a per-request timeout and bounded retries.
 *
 * Every way a request can go wrong is translated here, once, into an `Outcome`; nothing above
 * this layer sees a thrown error. Retries are only made where repeating the request is safe:
 * reads, and job starts that carry an idempotency key (the bridge attaches to the same job).
 */

/** What the client reads of an answer: a `Response` has all three. */
export interface FetchAnswer {
  status: number
  text(): Promise<string>
  /** Read for `Retry-After` only; a `fetch` whose answers have no headers is fine too. */
  headers?: { get(name: string): string | null }
}

/** `fetch`'s shape, as far as the client uses it: the global `fetch` is one. */
export type FetchLike = (input: string, init: RequestInit) => Promise<FetchAnswer>

export interface Transport {
  /** Without a trailing slash. */
  baseUrl: string
  token: string | undefined
  fetch: FetchLike
  /** How many times a failed request is repeated (network errors, 502/503/504). */
  retries: number
  /** The first backoff delay; it doubles per retry, up to MAX_RETRY_DELAY_MS. */
  retryDelayMs: number
}

export interface Exchange {
  method: 'GET' | 'POST'
  /** Starts with `/`. */
  path: string
  body?: unknown
  headers: Record<string, string>
  /** Abort this one request after so many milliseconds (then it counts as a network error). */
  timeoutMs: number
  /** The caller's signal: aborting it ends the exchange at once, without retries. */
  signal: AbortSignal | undefined
}

/** The bridge answered with JSON (any status). */
export interface Answer {
  ok: true
  status: number
  body: unknown
  /** From a `Retry-After` header (seconds or an HTTP date), when there was one. */
  retryAfterMs?: number
}

/** No usable answer: `network` (after retries), `body` (not JSON), `aborted` (by the caller). */
export interface NoAnswer {
  ok: false
  reason: 'network' | 'body' | 'aborted'
  status: number | null
  errorType: string
  message: string
}

export type Outcome = Answer | NoAnswer

/**
 * Statuses after which the same request is repeated: the bridge or a proxy was unavailable, or
 * (429) this client had too many calls in flight at the bridge.
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])

export const MAX_RETRY_DELAY_MS = 2_000

/** The longest `Retry-After` honoured before a repeat; a longer one is cut to this. */
export const MAX_RETRY_AFTER_MS = 30_000

export async function exchange(transport: Transport, request: Exchange): Promise<Outcome> {
  const url = transport.baseUrl + request.path
  let last: Outcome | undefined
  for (let attempt = 0; attempt <= transport.retries; attempt++) {
    if (attempt > 0) {
      const backoff = Math.min(transport.retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS)
      const asked = last?.ok ? last.retryAfterMs ?? 0 : 0
      const delay = Math.max(backoff, Math.min(asked, MAX_RETRY_AFTER_MS))
      if (!(await sleep(delay, request.signal))) return aborted(request)
    }
    if (request.signal?.aborted) return aborted(request)
    last = await once(transport, url, request)
    if (last.ok ? !RETRY_STATUSES.has(last.status) : last.reason !== 'network' && !retryStatus(last)) {
      return last
    }
  }
  if (last && !last.ok && last.reason === 'network' && transport.retries > 0) {
    last = { ...last, message: `${last.message} (tried ${transport.retries + 1} times)` }
  }
  return last as Outcome
}

function retryStatus(outcome: NoAnswer): boolean {
  return outcome.reason === 'body' && outcome.status !== null && RETRY_STATUSES.has(outcome.status)
}

async function once(transport: Transport, url: string, request: Exchange): Promise<Outcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs)
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
  if (transport.token) headers.authorization = `Bearer ${transport.token}`
  const init: RequestInit = { method: request.method, headers, signal }
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json'
    init.body = JSON.stringify(request.body)
  }
  let status: number | null = null
  try {
    const response = await transport.fetch(url, init)
    status = response.status
    const text = await response.text()
    try {
      const answer: Answer = { ok: true, status, body: JSON.parse(text) as unknown }
      const retryAfterMs = parseRetryAfter(response.headers?.get('retry-after') ?? null)
      if (retryAfterMs !== undefined) answer.retryAfterMs = retryAfterMs
      return answer
    } catch {
      return {
        ok: false, reason: 'body', status, errorType: 'UnexpectedAnswer',
        message: `the startjob bridge at ${transport.baseUrl} answered HTTP ${status} ` +
          `with a body that is not JSON: ${snippet(text)}`,
      }
    }
  } catch (err) {
    if (request.signal?.aborted) return aborted(request)
    return { ok: false, reason: 'network', status, ...describeNetworkError(err, transport, request) }
  }
}

function describeNetworkError(
  err: unknown, transport: Transport, request: Exchange,
): { errorType: string; message: string } {
  const where = `the startjob bridge at ${transport.baseUrl}`
  const name = err instanceof Error ? err.name : typeof err
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      errorType: name,
      message: `no answer from ${where} within ${request.timeoutMs} ms (timeoutMs) ` +
        `for ${request.method} ${request.path}`,
    }
  }
  // fetch wraps the socket error: TypeError('fetch failed', {cause: Error{code: 'ECONNREFUSED'}}).
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ??
    (err as NodeJS.ErrnoException | undefined)?.code
  const reason = [err instanceof Error ? err.message : String(err), cause?.message]
    .filter((part, i, all) => part && all.indexOf(part) === i).join(': ')
  return {
    errorType: code ?? (cause ? cause.name : name),
    message: `cannot reach ${where}: ${reason}`,
  }
}

function aborted(request: Exchange): NoAnswer {
  const reason: unknown = request.signal?.reason
  const why = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason)
  return {
    ok: false, reason: 'aborted', status: null,
    errorType: reason instanceof Error ? reason.name : 'AbortError',
    message: `the caller aborted the wait${why ? ` (${why})` : ''}`,
  }
}

/** Waits `ms`; false when the signal aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(value)
    }
    const onAbort = (): void => done(false)
    const timer = setTimeout(() => done(true), ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || !value.trim()) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 120 ? `${flat.slice(0, 120)}...` : flat || '(empty)'
}
