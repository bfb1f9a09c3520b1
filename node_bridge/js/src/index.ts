/**
 * `@startjob/client`: start startjob jobs from Node (n8n nodes, scripts) through the startjob
 * HTTP bridge and await their Result.
 *
 *     import { createJobClient, type Result } from '@startjob/client'
 *     const jobs = createJobClient({ baseUrl: 'http://127.0.0.1:8787', token })
 *     const r: Result<{ url: string }> = await jobs.startJob('report-generator', settings, i)
 *
 * Nothing here rejects for a job's outcome or a network failure: those are `{success: false, error}`.
 */

export { bindStartJob, type ExecutionContextLike, type StartJobMethod } from './_bind.js'
export {
  DEFAULT_BASE_URL,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_WAIT_SECONDS,
  MAX_ITEM_INDEX,
  createJobClient,
  type CancelAnswer,
  type GetJobOptions,
  type JobClient,
  type JobClientOptions,
  type JobTypeInfo,
  type StartJobOptions,
  type WaitForJobOptions,
} from './_client.js'
export type { FetchAnswer, FetchLike } from './_http.js'
export { deriveIdempotencyKey, type KeyParts } from './_idempotency.js'
export {
  ERROR_CODES,
  isResult,
  type ErrorCode,
  type Failure,
  type JobError,
  type JobProgress,
  type JobState,
  type JobStatus,
  type Result,
  type Success,
} from './_result.js'
