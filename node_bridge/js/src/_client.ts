/**
 * `createJobClient`: start jobs through the startjob HTTP bridge and await their Result.
 *
 *     const jobs = createJobClient({ baseUrl: 'http://127.0.0.1:8787', token })
 *     const r = await jobs.startJob('report-generator', { userId: 1, action: 'generate' }, 0)
 *
 * A start is `POST /v1/jobs`; when the bridge's wait (`waitSeconds`) runs out it answers 202 and
 * the client long-polls `GET /v1/jobs/{jobId}` until the job ends. Every outcome, including bad
 * arguments and an unreachable bridge, is a Result: nothing here rejects.
 */

import { exchange, sleep, type Exchange, type FetchLike, type NoAnswer, type Transport } from './_http.js'
import { deriveIdempotencyKey, randomIdempotencyKey } from './_idempotency.js'
import { nodeHttpFetch } from './_node_http.js'
import {
  failure, isObject, isResult,
  type ErrorFields, type Failure, type JobState, type JobStatus, type Result,
} from './_result.js'
import { injectTraceHeaders, traceIdOf } from './_trace.js'

/** The bridge's default address (`startjob bridge`). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787'
/** Seconds the bridge waits per request before answering 202 and being polled again. */
export const DEFAULT_WAIT_SECONDS = 20
/** How often a failed request is repeated (network errors, 429, 502/503/504). */
export const DEFAULT_RETRIES = 3
/** The first retry delay in ms; it doubles per retry (200, 400, 800). */
export const DEFAULT_RETRY_DELAY_MS = 200
/** Extra ms a request may take beyond the bridge's wait when `timeoutMs` is not given. */
export const REQUEST_GRACE_MS = 30_000
/** Polls that come back sooner than this without a Result are spaced out to this (ms). */
export const MIN_POLL_INTERVAL_MS = 250
/** The largest item index JavaScript can send exactly (the bridge accepts the same). */
export const MAX_ITEM_INDEX = Number.MAX_SAFE_INTEGER

export interface JobClientOptions {
  /** The bridge, e.g. `http://127.0.0.1:8787` (a trailing slash is fine). */
  baseUrl: string
  /** Sent as `Authorization: Bearer <token>` (the bridge's `STARTJOB_BRIDGE_TOKEN`). */
  token?: string
  /**
   * The longest one HTTP request may take, in ms; then it is aborted and repeated (with the same
   * idempotency key). Default: the request's `waitSeconds` plus 30 s. Keep it above
   * `waitSeconds * 1000`, or every long wait is cut short.
   */
  timeoutMs?: number
  /**
   * A `fetch` to send requests with (tests, proxies, instrumentation), e.g. `globalThis.fetch`.
   * Default: `node:http`/`node:https` with keep-alive, which costs less per call than `fetch`.
   */
  fetch?: FetchLike
  /**
   * How many times a request that got no answer (or 429, 502/503/504) is repeated, with the
   * same idempotency key. A 429's `Retry-After` is waited out (up to 30 s). Default 3.
   */
  retries?: number
  /** The first retry delay in ms, doubling per retry. Default 200. */
  retryDelayMs?: number
  /**
   * How long the bridge waits per request before answering 202 (then the client polls again);
   * the bridge clamps it to its maximum. Default 20.
   */
  waitSeconds?: number
}

export interface StartJobOptions {
  /**
   * The same key (per job type) starts the job once; later calls attach and get the same Result.
   * Default: derived from executionId, nodeName, itemIndex, job type and settings when both ids
   * are given, else random per call.
   */
  idempotencyKey?: string
  /** The caller's run (n8n execution id); stored as the `ExecutionId` search attribute. */
  executionId?: string
  /** The caller's node name; stored as the `NodeName` search attribute. */
  nodeName?: string
  /** Seconds (> 0) the bridge waits per request before answering 202 (this call only). */
  waitSeconds?: number
  /** Aborting stops waiting (a TIMEOUT Result, retryable); the job itself goes on. */
  signal?: AbortSignal
}

export interface GetJobOptions {
  /** Long-poll: the bridge answers when the job ends or after this many seconds. Default 0. */
  waitSeconds?: number
  signal?: AbortSignal
}

export interface WaitForJobOptions {
  waitSeconds?: number
  signal?: AbortSignal
}

/** One entry of `GET /v1/job-types`: at least a name; schemas and retry defaults as the bridge gives them. */
export interface JobTypeInfo {
  name: string
  [field: string]: unknown
}

/** `POST /v1/jobs/{jobId}/cancel`: requested (202), or the job had already ended (its status). */
export type CancelAnswer = { jobId: string; status: 'CANCEL_REQUESTED' } | JobStatus

export interface JobClient {
  readonly baseUrl: string
  /** Starts a job and resolves to its Result once it ends. Never rejects. */
  startJob<T = unknown, E = unknown>(jobType: string, settings: unknown, itemIndex: number): Promise<Result<T, E>>
  startJob<T = unknown, E = unknown>(
    jobType: string, settings: unknown, itemIndex: number, options: StartJobOptions,
  ): Promise<Result<T, E>>
  /** Attaches to a job by its id (e.g. a TIMEOUT Result's workflowId) and waits for its Result. */
  waitForJob<T = unknown, E = unknown>(jobId: string, options?: WaitForJobOptions): Promise<Result<T, E>>
  /** The job's status now (or after a long-poll of `waitSeconds`). */
  getJob<T = unknown, E = unknown>(jobId: string, options?: GetJobOptions): Promise<Result<JobStatus<T, E>>>
  /** Requests cancellation; whoever waits for the job then gets CANCELLED. */
  cancelJob(jobId: string): Promise<Result<CancelAnswer>>
  /** The job types the bridge knows, with their settings schemas and retry defaults. */
  jobTypes(): Promise<Result<JobTypeInfo[]>>
}

export function createJobClient(options: JobClientOptions): JobClient {
  return new HttpJobClient(options)
}

const JOB_STATES: ReadonlySet<string> = new Set<JobState>([
  'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW',
])

class HttpJobClient implements JobClient {
  readonly baseUrl: string
  readonly #transport: Transport
  readonly #timeoutMs: number | undefined
  readonly #waitSeconds: number

  constructor(options: JobClientOptions) {
    const base = typeof options?.baseUrl === 'string' && options.baseUrl ? options.baseUrl : DEFAULT_BASE_URL
    this.baseUrl = base.replace(/\/+$/, '')
    this.#transport = {
      baseUrl: this.baseUrl,
      token: options?.token || undefined,
      fetch: options?.fetch ?? nodeHttpFetch,
      retries: wholeOr(options?.retries, DEFAULT_RETRIES),
      retryDelayMs: wholeOr(options?.retryDelayMs, DEFAULT_RETRY_DELAY_MS),
    }
    this.#timeoutMs = positiveOr(options?.timeoutMs, undefined)
    this.#waitSeconds = positiveOr(options?.waitSeconds, DEFAULT_WAIT_SECONDS)
  }

  // ========== Starting ==========

  async startJob<T = unknown, E = unknown>(
    jobType: string, settings: unknown, itemIndex: number, options: StartJobOptions = {},
  ): Promise<Result<T, E>> {
    const context: ErrorFields = { jobType: printable(jobType), itemIndex: indexOrZero(itemIndex) }
    try {
      const refused = checkArguments(jobType, itemIndex, options, context)
      if (refused) return refused as Failure<E>
      let settingsJson: string | undefined
      try {
        settingsJson = JSON.stringify(settings ?? null)
      } catch (err) {
        return failure('INVALID_SETTINGS', `settings must be JSON-serializable: ${messageOf(err)}`,
          { ...context, errorType: nameOf(err) }) as Failure<E>
      }
      const headers: Record<string, string> = {}
      await injectTraceHeaders(headers)
      context.traceId = traceIdOf(headers)
      const { executionId, nodeName } = options
      const idempotencyKey = options.idempotencyKey ||
        (executionId && nodeName
          ? deriveIdempotencyKey({ jobType, executionId, nodeName, itemIndex, settingsJson })
          : randomIdempotencyKey())
      const waitSeconds = positiveOr(options.waitSeconds, this.#waitSeconds)
      const body: Record<string, unknown> = {
        jobType, settings: settings ?? null, itemIndex, idempotencyKey, waitSeconds,
      }
      if (executionId) body.executionId = executionId
      if (nodeName) body.nodeName = nodeName
      const outcome = await exchange(this.#transport, {
        method: 'POST', path: '/v1/jobs', body, headers,
        timeoutMs: this.#requestTimeout(waitSeconds), signal: options.signal,
      })
      if (!outcome.ok) return noAnswer(outcome, context) as Failure<E>
      if (outcome.status === 202) {
        const jobId = isObject(outcome.body) ? outcome.body.jobId : undefined
        if (typeof jobId !== 'string' || !jobId) return unexpected(outcome.status, outcome.body, context) as Failure<E>
        context.workflowId = jobId
        return await this.#follow<T, E>(jobId, waitSeconds, headers, options.signal, context)
      }
      if (isResult(outcome.body)) return outcome.body as Result<T, E>
      return unexpected(outcome.status, outcome.body, context) as Failure<E>
    } catch (err) {
      return unforeseen(err, context) as Failure<E>
    }
  }

  // ========== Following ==========

  async waitForJob<T = unknown, E = unknown>(jobId: string, options: WaitForJobOptions = {}): Promise<Result<T, E>> {
    const context = jobContext(jobId)
    try {
      if (typeof jobId !== 'string' || !jobId) {
        return failure('INVALID_SETTINGS', `jobId must be a non-empty string, got ${printable(jobId)}`, context) as Failure<E>
      }
      const headers: Record<string, string> = {}
      await injectTraceHeaders(headers)
      context.traceId = traceIdOf(headers)
      const waitSeconds = positiveOr(options.waitSeconds, this.#waitSeconds)
      return await this.#follow<T, E>(jobId, waitSeconds, headers, options.signal, context)
    } catch (err) {
      return unforeseen(err, context) as Failure<E>
    }
  }

  /** Long-polls `GET /v1/jobs/{jobId}` until the answer carries the job's Result. */
  async #follow<T, E>(
    jobId: string, waitSeconds: number, headers: Record<string, string>,
    signal: AbortSignal | undefined, context: ErrorFields,
  ): Promise<Result<T, E>> {
    for (;;) {
      const started = Date.now()
      const outcome = await exchange(this.#transport, this.#statusRequest(jobId, waitSeconds, headers, signal))
      if (!outcome.ok) return noAnswer(outcome, context) as Failure<E>
      const { status, body } = outcome
      if (isObject(body) && isResult(body.result)) return body.result as Result<T, E>
      const running = status === 202 || (status === 200 && isObject(body) && JOB_STATES.has(String(body.status)))
      if (!running) {
        return (isResult(body) ? body : unexpected(status, body, context)) as Result<T, E>
      }
      const elapsed = Date.now() - started
      if (elapsed < MIN_POLL_INTERVAL_MS && !(await sleep(MIN_POLL_INTERVAL_MS - elapsed, signal))) {
        return noAnswer(abortedBy(signal), context) as Failure<E>
      }
    }
  }

  async getJob<T = unknown, E = unknown>(jobId: string, options: GetJobOptions = {}): Promise<Result<JobStatus<T, E>>> {
    const context = jobContext(jobId)
    try {
      if (typeof jobId !== 'string' || !jobId) {
        return failure('INVALID_SETTINGS', `jobId must be a non-empty string, got ${printable(jobId)}`, context)
      }
      const headers: Record<string, string> = {}
      await injectTraceHeaders(headers)
      const waitSeconds = nonNegativeOr(options.waitSeconds, 0)
      const outcome = await exchange(this.#transport, this.#statusRequest(jobId, waitSeconds, headers, options.signal))
      if (!outcome.ok) return noAnswer(outcome, context)
      const { status, body } = outcome
      if (status >= 200 && status < 300 && isObject(body) && JOB_STATES.has(String(body.status))) {
        return { success: true, data: jobStatus<T, E>(jobId, body) }
      }
      return isResult(body) && !body.success ? body : unexpected(status, body, context)
    } catch (err) {
      return unforeseen(err, context)
    }
  }

  #statusRequest(
    jobId: string, waitSeconds: number, headers: Record<string, string>, signal: AbortSignal | undefined,
  ): Exchange {
    return {
      method: 'GET',
      path: `/v1/jobs/${encodeURIComponent(jobId)}?waitSeconds=${waitSeconds}`,
      headers, timeoutMs: this.#requestTimeout(waitSeconds), signal,
    }
  }

  // ========== Cancelling and listing ==========

  async cancelJob(jobId: string): Promise<Result<CancelAnswer>> {
    const context = jobContext(jobId)
    try {
      if (typeof jobId !== 'string' || !jobId) {
        return failure('INVALID_SETTINGS', `jobId must be a non-empty string, got ${printable(jobId)}`, context)
      }
      const headers: Record<string, string> = {}
      await injectTraceHeaders(headers)
      const outcome = await exchange(this.#transport, {
        method: 'POST', path: `/v1/jobs/${encodeURIComponent(jobId)}/cancel`, body: {}, headers,
        timeoutMs: this.#requestTimeout(0), signal: undefined,
      })
      if (!outcome.ok) return noAnswer(outcome, context)
      const { status, body } = outcome
      if (status === 202 && isObject(body) && body.status === 'CANCEL_REQUESTED') {
        return { success: true, data: { jobId: String(body.jobId ?? jobId), status: 'CANCEL_REQUESTED' } }
      }
      if (status >= 200 && status < 300 && isObject(body) && JOB_STATES.has(String(body.status))) {
        return { success: true, data: jobStatus(jobId, body) }
      }
      return isResult(body) && !body.success ? body : unexpected(status, body, context)
    } catch (err) {
      return unforeseen(err, context)
    }
  }

  async jobTypes(): Promise<Result<JobTypeInfo[]>> {
    const context: ErrorFields = { jobType: '', itemIndex: 0 }
    try {
      const outcome = await exchange(this.#transport, {
        method: 'GET', path: '/v1/job-types', headers: {},
        timeoutMs: this.#requestTimeout(0), signal: undefined,
      })
      if (!outcome.ok) return noAnswer(outcome, context)
      const { status, body } = outcome
      if (isResult(body) && !body.success) return body
      const list = Array.isArray(body) ? body : isObject(body) ? (body.jobTypes ?? body.job_types) : undefined
      if (status === 200 && Array.isArray(list) && list.every((t) => isObject(t) && typeof t.name === 'string')) {
        return { success: true, data: list as JobTypeInfo[] }
      }
      return unexpected(status, body, context)
    } catch (err) {
      return unforeseen(err, context)
    }
  }

  #requestTimeout(waitSeconds: number): number {
    return this.#timeoutMs ?? waitSeconds * 1000 + REQUEST_GRACE_MS
  }
}

// ========== Arguments ==========

function checkArguments(
  jobType: unknown, itemIndex: unknown, options: unknown, context: ErrorFields,
): Failure | null {
  if (typeof jobType !== 'string' || jobType.trim() === '') {
    return failure('UNKNOWN_JOB_TYPE', `jobType must be a non-empty string, got ${describe(jobType)}`,
      { ...context, errorType: 'TypeError' })
  }
  if (typeof itemIndex !== 'number' || !Number.isSafeInteger(itemIndex) || itemIndex < 0) {
    return failure('INVALID_SETTINGS',
      `itemIndex must be a whole number from 0 to ${MAX_ITEM_INDEX}, got ${describe(itemIndex)}`,
      { ...context, errorType: 'TypeError', details: [{ loc: ['itemIndex'], msg: 'must be a whole number' }] })
  }
  if (options === null || typeof options !== 'object') {
    return failure('INVALID_SETTINGS', `options must be an object, got ${describe(options)}`,
      { ...context, errorType: 'TypeError' })
  }
  const { idempotencyKey, executionId, nodeName, waitSeconds, signal } = options as Record<string, unknown>
  for (const [name, value] of Object.entries({ idempotencyKey, executionId, nodeName })) {
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return failure('INVALID_SETTINGS', `${name} must be a string, got ${describe(value)}`,
        { ...context, errorType: 'TypeError' })
    }
  }
  if (waitSeconds !== undefined && !(typeof waitSeconds === 'number' && Number.isFinite(waitSeconds) && waitSeconds > 0)) {
    return failure('INVALID_SETTINGS', `waitSeconds must be a number of seconds > 0, got ${describe(waitSeconds)}`,
      { ...context, errorType: 'TypeError' })
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return failure('INVALID_SETTINGS', `signal must be an AbortSignal, got ${describe(signal)}`,
      { ...context, errorType: 'TypeError' })
  }
  return null
}

// ========== Turning what went wrong into Failures ==========

function noAnswer(outcome: NoAnswer, context: ErrorFields): Failure {
  if (outcome.reason === 'aborted') {
    const attach = context.workflowId ? `; attach again with its jobId ${JSON.stringify(context.workflowId)}` : ''
    return failure('TIMEOUT', `${outcome.message}; the job goes on${attach}`,
      { ...context, retryable: true, errorType: outcome.errorType })
  }
  const status = outcome.status === null ? {} : { details: { status: outcome.status } }
  return failure('UNAVAILABLE', outcome.message, { ...context, errorType: outcome.errorType, ...status })
}

function unexpected(status: number, body: unknown, context: ErrorFields): Failure {
  let text: string
  try {
    text = JSON.stringify(body) ?? String(body)
  } catch {
    text = String(body)
  }
  if (text.length > 200) text = `${text.slice(0, 200)}...`
  return failure('UNAVAILABLE', `unexpected answer from the startjob bridge: HTTP ${status} ${text}`,
    { ...context, errorType: 'UnexpectedAnswer', details: { status } })
}

function unforeseen(err: unknown, context: ErrorFields): Failure {
  return failure('UNAVAILABLE', `the startjob client failed: ${messageOf(err)}`,
    { ...context, errorType: nameOf(err) })
}

function abortedBy(signal: AbortSignal | undefined): NoAnswer {
  const reason: unknown = signal?.reason
  return {
    ok: false, reason: 'aborted', status: null,
    errorType: reason instanceof Error ? reason.name : 'AbortError',
    message: `the caller aborted the wait${reason instanceof Error ? ` (${reason.message})` : ''}`,
  }
}

function jobStatus<T, E>(jobId: string, body: Record<string, unknown>): JobStatus<T, E> {
  return {
    jobId: typeof body.jobId === 'string' ? body.jobId : jobId,
    runId: (body.runId as string | undefined) ?? null,
    jobType: (body.jobType as string | undefined) ?? null,
    itemIndex: (body.itemIndex as number | undefined) ?? null,
    status: body.status as JobState,
    attempt: (body.attempt as number | undefined) ?? null,
    progress: (body.progress as JobStatus['progress'] | undefined) ?? null,
    result: isResult(body.result) ? (body.result as Result<T, E>) : null,
  }
}

/** A job id is `job/{jobType}/{key}`: good enough to name the job type in a Failure. */
function jobContext(jobId: unknown): ErrorFields {
  const id = typeof jobId === 'string' ? jobId : ''
  const match = /^job\/([^/]+)\//.exec(id)
  return { jobType: match?.[1] ?? '', itemIndex: 0, workflowId: id || null }
}

// ========== Small helpers ==========

function printable(value: unknown): string {
  return typeof value === 'string' ? value : describe(value)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  if (typeof value === 'bigint') return `bigint ${value}`
  if (typeof value === 'number') return `number ${value}`
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function indexOrZero(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : 0
}

function wholeOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fallback
}

function nonNegativeOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback
}

function positiveOr<F>(value: unknown, fallback: F): number | F {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : typeof err
}
