/**
 * The contract's Result and JobError (CONTRACT.md section 1), as TypeScript types.
 *
 *     const r = await jobs.startJob('echo', settings, i)
 *     if (r.success) use(r.data)
 *     else console.error(r.error.code, r.error.message)
 *
 * The error codes and what each implies (node_bridge/_codes.py holds the table):
 *
 * | code              | retryable                 | launched anything |
 * |-------------------|---------------------------|-------------------|
 * | UNKNOWN_JOB_TYPE  | no                        | no                |
 * | INVALID_SETTINGS  | no                        | no                |
 * | PAYLOAD_TOO_LARGE | no                        | no                |
 * | JOB_FAILED        | unless the error said so  | yes               |
 * | TIMEOUT           | yes (attach again)        | yes               |
 * | CANCELLED         | no                        | yes               |
 * | UNAVAILABLE       | yes                       | no                |
 * | UNAUTHORIZED      | no                        | no                |
 */

/** Every code a JobError can carry, in the contract's order. */
export const ERROR_CODES = [
  'UNKNOWN_JOB_TYPE',
  'INVALID_SETTINGS',
  'PAYLOAD_TOO_LARGE',
  'JOB_FAILED',
  'TIMEOUT',
  'CANCELLED',
  'UNAVAILABLE',
  'UNAUTHORIZED',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** Why a job did not succeed (camelCase, as in the bridge's JSON). */
export interface JobError<E = unknown> {
  code: ErrorCode
  /** Human-readable, includes the root cause's message. */
  message: string
  /** As requested. */
  jobType: string
  /** As requested. */
  itemIndex: number
  /** Could calling again plausibly succeed. */
  retryable: boolean
  /** Activity attempts made (0 if nothing ran). */
  attempts: number
  /** The root cause's type (ApplicationError type / exception class), or `AbortError`, `TypeError`... */
  errorType: string | null
  /** E.g. pydantic validation errors, ApplicationError details. */
  details: E | null
  /** The Temporal workflow id (the job id), when one was started. */
  workflowId: string | null
  runId: string | null
  /** The OpenTelemetry trace id (32 hex). */
  traceId: string | null
}

export interface Success<T = unknown> {
  success: true
  data: T
}

export interface Failure<E = unknown> {
  success: false
  error: JobError<E>
}

/** What `startJob` resolves to: check `success`, then read `data` or `error`. */
export type Result<T = unknown, E = unknown> = Success<T> | Failure<E>

export type JobState =
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELED'
  | 'TERMINATED'
  | 'TIMED_OUT'
  | 'CONTINUED_AS_NEW'

/** One progress report of a running job. */
export interface JobProgress {
  fraction: number
  message: string | null
  checkpoint: unknown
}

/** `GET /v1/jobs/{jobId}`: a job's state, progress and, once it ended, its Result. */
export interface JobStatus<T = unknown, E = unknown> {
  jobId: string
  runId: string | null
  jobType: string | null
  itemIndex: number | null
  status: JobState
  /** The attempt running now, while the job runs. */
  attempt: number | null
  progress: JobProgress | null
  /** The Result, once the job has ended. */
  result: Result<T, E> | null
}

/** True when `value` has the shape of a Result (a JobError needs at least a known code). */
export function isResult(value: unknown): value is Result {
  if (!isObject(value)) return false
  if (value.success === true) return 'data' in value
  if (value.success !== false || !isObject(value.error)) return false
  const { code, message } = value.error
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) &&
    typeof message === 'string'
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The fields a client-made JobError needs beyond code and message. */
export interface ErrorFields<E = unknown> {
  jobType: string
  itemIndex: number
  retryable?: boolean
  attempts?: number
  errorType?: string | null
  details?: E | null
  workflowId?: string | null
  runId?: string | null
  traceId?: string | null
}

const RETRYABLE: Readonly<Record<ErrorCode, boolean>> = {
  UNKNOWN_JOB_TYPE: false,
  INVALID_SETTINGS: false,
  PAYLOAD_TOO_LARGE: false,
  JOB_FAILED: true,
  TIMEOUT: true,
  CANCELLED: false,
  UNAVAILABLE: true,
  UNAUTHORIZED: false,
}

/** A Failure made on this side of the wire (bad arguments, network errors, odd answers). */
export function failure<E = unknown>(code: ErrorCode, message: string, fields: ErrorFields<E>): Failure<E> {
  return {
    success: false,
    error: {
      code,
      message,
      jobType: fields.jobType,
      itemIndex: fields.itemIndex,
      retryable: fields.retryable ?? RETRYABLE[code],
      attempts: fields.attempts ?? 0,
      errorType: fields.errorType ?? null,
      details: fields.details ?? null,
      workflowId: fields.workflowId ?? null,
      runId: fields.runId ?? null,
      traceId: fields.traceId ?? null,
    },
  }
}
