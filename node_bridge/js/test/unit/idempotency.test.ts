// The idempotency key: derived from the n8n ids (and settings) or random, made once per call.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { createJobClient, deriveIdempotencyKey, type FetchLike } from '@startjob/client'

const parts = { jobType: 'echo', executionId: '1042', nodeName: 'Make report', itemIndex: 3, settingsJson: '{"a":1}' }

test('the derived key is sha256 hex, stable, and changes with every part', () => {
  const key = deriveIdempotencyKey(parts)
  assert.match(key, /^[0-9a-f]{64}$/)
  assert.equal(deriveIdempotencyKey({ ...parts }), key)
  const variants = [
    { jobType: 'data-sync' }, { executionId: '1043' }, { nodeName: 'Make report 2' },
    { itemIndex: 4 }, { settingsJson: '{"a":2}' },
  ]
  const keys = new Set(variants.map((change) => deriveIdempotencyKey({ ...parts, ...change })))
  assert.equal(keys.size, variants.length)
  assert.ok(!keys.has(key))
  // No ambiguity from separators inside the parts.
  assert.notEqual(
    deriveIdempotencyKey({ ...parts, executionId: '1/2', nodeName: '3' }),
    deriveIdempotencyKey({ ...parts, executionId: '1', nodeName: '2/3' }),
  )
})

/** A fetch that fails `failures` times with a network error, then answers a Success. */
function flakyFetch(failures: number) {
  const bodies: Record<string, unknown>[] = []
  const fetch: FetchLike = async (_input, init) => {
    bodies.push(JSON.parse(String(init.body)) as Record<string, unknown>)
    if (bodies.length <= failures) {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) })
    }
    return new Response(JSON.stringify({ success: true, data: bodies.length }), { status: 200 })
  }
  return { bodies, fetch }
}

test('a random key is made once per call and reused by the client\'s retries', async () => {
  const { bodies, fetch } = flakyFetch(2)
  const jobs = createJobClient({ baseUrl: 'http://bridge.invalid', fetch, retryDelayMs: 1 })
  const r = await jobs.startJob('echo', { x: 1 }, 0)
  assert.deepEqual(r, { success: true, data: 3 })
  assert.equal(bodies.length, 3)
  const keys = new Set(bodies.map((b) => b.idempotencyKey))
  assert.equal(keys.size, 1)
  assert.match(String(bodies[0]?.idempotencyKey), /^[0-9a-f-]{36}$/)

  const again = flakyFetch(0)
  const jobs2 = createJobClient({ baseUrl: 'http://bridge.invalid', fetch: again.fetch })
  await jobs2.startJob('echo', { x: 1 }, 0)
  await jobs2.startJob('echo', { x: 1 }, 0)
  assert.notEqual(again.bodies[0]?.idempotencyKey, again.bodies[1]?.idempotencyKey)
  assert.ok(!keys.has(again.bodies[0]?.idempotencyKey))
})

test('with executionId and nodeName the key is derived, and sent with them', async () => {
  const { bodies, fetch } = flakyFetch(0)
  const jobs = createJobClient({ baseUrl: 'http://bridge.invalid', fetch })
  const options = { executionId: '1042', nodeName: 'Make report' }
  await jobs.startJob('echo', { a: 1 }, 3, options)
  await jobs.startJob('echo', { a: 1 }, 3, options)
  assert.equal(bodies[0]?.idempotencyKey, deriveIdempotencyKey(parts))
  assert.equal(bodies[1]?.idempotencyKey, bodies[0]?.idempotencyKey)
  assert.equal(bodies[0]?.executionId, '1042')
  assert.equal(bodies[0]?.nodeName, 'Make report')
})

test('an explicit idempotencyKey wins', async () => {
  const { bodies, fetch } = flakyFetch(0)
  const jobs = createJobClient({ baseUrl: 'http://bridge.invalid', fetch })
  await jobs.startJob('echo', {}, 0, { idempotencyKey: 'mine', executionId: '1', nodeName: 'n' })
  assert.equal(bodies[0]?.idempotencyKey, 'mine')
})
