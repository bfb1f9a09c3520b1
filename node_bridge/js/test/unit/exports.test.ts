// The package's public face, pinned: nothing leaks or goes missing silently.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import * as client from '@startjob/client'

test('the package exports exactly its public names', () => {
  assert.deepEqual(Object.keys(client).sort(), [
    'DEFAULT_BASE_URL',
    'DEFAULT_RETRIES',
    'DEFAULT_RETRY_DELAY_MS',
    'DEFAULT_WAIT_SECONDS',
    'ERROR_CODES',
    'MAX_ITEM_INDEX',
    'bindStartJob',
    'createJobClient',
    'deriveIdempotencyKey',
    'isResult',
  ])
})

test('ERROR_CODES are the contract codes', () => {
  assert.deepEqual([...client.ERROR_CODES], [
    'UNKNOWN_JOB_TYPE', 'INVALID_SETTINGS', 'PAYLOAD_TOO_LARGE', 'JOB_FAILED',
    'TIMEOUT', 'CANCELLED', 'UNAVAILABLE', 'UNAUTHORIZED',
  ])
})

test('startJob has the seed signature exactly (compile-time check)', () => {
  const jobs = client.createJobClient({ baseUrl: 'http://127.0.0.1:1' })
  type Seed = <T = unknown, E = unknown>(jobType: string, settings: unknown, itemIndex: number) =>
    Promise<client.Result<T, E>>
  const seed: Seed = jobs.startJob.bind(jobs)
  assert.equal(typeof seed, 'function')
  // The Result narrows on `success`.
  const narrow = (r: client.Result<{ url: string }, { hint: string }>): string =>
    r.success ? r.data.url : `${r.error.code} ${r.error.details?.hint ?? ''}`
  assert.equal(narrow({ success: true, data: { url: 'u' } }), 'u')
})

test('isResult accepts the two shapes and nothing else', () => {
  assert.equal(client.isResult({ success: true, data: null }), true)
  assert.equal(client.isResult({ success: false, error: { code: 'JOB_FAILED', message: 'x' } }), true)
  assert.equal(client.isResult({ success: false, error: { code: 'NOPE', message: 'x' } }), false)
  assert.equal(client.isResult({ success: true }), false)
  assert.equal(client.isResult({ detail: 'Not Found' }), false)
  assert.equal(client.isResult(null), false)
})
