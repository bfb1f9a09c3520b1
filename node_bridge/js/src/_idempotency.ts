/**
 * Idempotency keys: the same key (per job type) starts a job once; later calls attach to it.
 *
 * `startJob` always sends one. With an n8n execution id and node name it is derived, so a
 * re-run of the node in the same execution (n8n's "Retry On Fail", a restarted runner) attaches
 * to the job already started instead of running it twice; otherwise it is random per call. Either
 * way it is made once per `startJob` call, so the client's own retries reuse it.
 */

import { createHash, randomUUID } from 'node:crypto'

export interface KeyParts {
  jobType: string
  executionId: string
  nodeName: string
  itemIndex: number
  /** The settings' JSON text, or a digest of it (see below). */
  settingsJson?: string
}

/**
 * `sha256(JSON [jobType, executionId, nodeName, itemIndex, settings])` as 64 hex digits.
 *
 * The settings take part because one execution may run the same node several times with
 * items numbered from 0 each time (n8n's Loop Over Items): those runs differ in their settings,
 * and must not attach to each other's results. Hex keeps the workflow id `job/{type}/{key}`
 * URL-safe whatever the node is called; ExecutionId and NodeName are search attributes anyway.
 */
export function deriveIdempotencyKey(parts: KeyParts): string {
  const text = JSON.stringify([
    parts.jobType, parts.executionId, parts.nodeName, parts.itemIndex, parts.settingsJson ?? null,
  ])
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** A fresh random key: for calls that carry no execution id and node name. */
export function randomIdempotencyKey(): string {
  return randomUUID()
}
