// How the client talks HTTP: against an unused port and a scripted stub server (not the bridge).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { createJobClient } from '@startjob/client'

import { dropConnection, hang, json, stubsClosedAfterTests } from '../support/http-stub.js'
import { freePort } from '../support/ports.js'

const stub = stubsClosedAfterTests()

const jobFailed = {
  success: false,
  error: {
    code: 'UNKNOWN_JOB_TYPE', message: 'unknown job type "nope"', jobType: 'nope', itemIndex: 0,
    retryable: false, attempts: 0, errorType: null, details: null, workflowId: null, runId: null, traceId: null,
  },
}

test('nothing listening -> UNAVAILABLE naming the baseUrl and the cause, quickly', async () => {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const jobs = createJobClient({ baseUrl })
  const started = Date.now()
  const r = await jobs.startJob('echo', { hello: 'world' }, 7)
  assert.ok(Date.now() - started < 5_000)
  assert.ok(!r.success)
  assert.equal(r.error.code, 'UNAVAILABLE')
  assert.equal(r.error.retryable, true)
  assert.equal(r.error.attempts, 0)
  assert.equal(r.error.jobType, 'echo')
  assert.equal(r.error.itemIndex, 7)
  assert.equal(r.error.errorType, 'ECONNREFUSED')
  assert.ok(r.error.message.includes(baseUrl), r.error.message)
  assert.match(r.error.message, /ECONNREFUSED/)
  assert.match(r.error.message, /tried 4 times/)
  for (const key of ['details', 'workflowId', 'runId', 'traceId'] as const) assert.equal(r.error[key], null)
  // The other calls do not reject either.
  const quick = createJobClient({ baseUrl, retryDelayMs: 1 })
  for (const other of [await quick.getJob('job/echo/x'), await quick.cancelJob('job/echo/x'), await quick.jobTypes()]) {
    assert.ok(!other.success)
    assert.equal(other.error.code, 'UNAVAILABLE')
  }
})

test('POST body, headers and the 200 Result as is', async () => {
  const s = await stub(json(200, { success: true, data: { echoed: 1 } }))
  const jobs = createJobClient({ baseUrl: `${s.baseUrl}/`, token: 's3cret' })
  const r = await jobs.startJob('echo', { a: 1 }, 4, { waitSeconds: 5, executionId: 'e', nodeName: 'n' })
  assert.deepEqual(r, { success: true, data: { echoed: 1 } })
  const [req] = s.seen
  assert.equal(req?.method, 'POST')
  assert.equal(req?.url, '/v1/jobs')
  assert.equal(req?.headers.authorization, 'Bearer s3cret')
  assert.match(String(req?.headers['content-type']), /application\/json/)
  assert.deepEqual(Object.keys(req?.body as object).sort(),
    ['executionId', 'idempotencyKey', 'itemIndex', 'jobType', 'nodeName', 'settings', 'waitSeconds'])
  assert.deepEqual(req?.body, { ...(req?.body as object), jobType: 'echo', settings: { a: 1 }, itemIndex: 4, waitSeconds: 5 })
})

test('no token -> no Authorization header; 4xx Result bodies come back as is', async () => {
  const s = await stub(json(404, jobFailed))
  const r = await createJobClient({ baseUrl: s.baseUrl }).startJob('nope', {}, 0)
  assert.deepEqual(r, jobFailed)
  assert.equal(s.seen[0]?.headers.authorization, undefined)
})

test('202 -> long-polls GET /v1/jobs/{encoded id} until the JobStatus has a result', async () => {
  const id = 'job/echo/a b/c'
  const running = { jobId: id, status: 'RUNNING', progress: { fraction: 0.5, message: 'half', checkpoint: null } }
  const s = await stub(
    json(202, running),
    json(202, running),
    json(200, { ...running, runId: 'r1', jobType: 'echo', itemIndex: 0, attempt: 1, result: null }),
    json(200, { ...running, status: 'COMPLETED', result: { success: true, data: 'done' } }),
  )
  const r = await createJobClient({ baseUrl: s.baseUrl }).startJob('echo', {}, 0, { waitSeconds: 1 })
  assert.deepEqual(r, { success: true, data: 'done' })
  assert.equal(s.seen.length, 4)
  for (const req of s.seen.slice(1)) {
    assert.equal(req.method, 'GET')
    assert.equal(req.url, `/v1/jobs/${encodeURIComponent(id)}?waitSeconds=1`)
  }
})

test('503 is retried with the same key; the last 503 Result comes back as is', async () => {
  const unavailable = { success: false, error: { ...jobFailed.error, code: 'UNAVAILABLE', retryable: true } }
  const s = await stub(json(503, unavailable), json(200, { success: true, data: 1 }))
  const r = await createJobClient({ baseUrl: s.baseUrl, retryDelayMs: 1 }).startJob('echo', {}, 0)
  assert.deepEqual(r, { success: true, data: 1 })
  assert.equal((s.seen[0]?.body as { idempotencyKey: string }).idempotencyKey,
    (s.seen[1]?.body as { idempotencyKey: string }).idempotencyKey)

  const s2 = await stub(json(503, unavailable))
  const r2 = await createJobClient({ baseUrl: s2.baseUrl, retries: 2, retryDelayMs: 1 }).startJob('echo', {}, 0)
  assert.deepEqual(r2, unavailable)
  assert.equal(s2.seen.length, 3)
})

test('a dropped connection is retried with the same key', async () => {
  const s = await stub(dropConnection, json(200, { success: true, data: 'second' }))
  const r = await createJobClient({ baseUrl: s.baseUrl, retryDelayMs: 1 }).startJob('echo', {}, 0)
  assert.deepEqual(r, { success: true, data: 'second' })
  const keys = s.seen.map((req) => (req.body as { idempotencyKey: string }).idempotencyKey)
  assert.equal(keys.length, 2)
  assert.equal(keys[0], keys[1])
})

test('a body that is not JSON, or not a Result -> UNAVAILABLE with the status', async () => {
  const s = await stub((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<h1>proxy</h1>') })
  const r = await createJobClient({ baseUrl: s.baseUrl }).startJob('echo', {}, 0)
  assert.ok(!r.success)
  assert.equal(r.error.code, 'UNAVAILABLE')
  assert.match(r.error.message, /HTTP 200/)
  assert.deepEqual(r.error.details, { status: 200 })

  const s2 = await stub(json(404, { detail: 'Not Found' }))
  const r2 = await createJobClient({ baseUrl: s2.baseUrl }).startJob('echo', {}, 1)
  assert.ok(!r2.success)
  assert.equal(r2.error.code, 'UNAVAILABLE')
  assert.match(r2.error.message, /HTTP 404/)
  assert.equal(r2.error.itemIndex, 1)
})

test('timeoutMs aborts a request that hangs -> UNAVAILABLE after retries', async () => {
  const s = await stub(hang)
  const started = Date.now()
  const r = await createJobClient({ baseUrl: s.baseUrl, timeoutMs: 100, retries: 1, retryDelayMs: 1 })
    .startJob('echo', {}, 0)
  assert.ok(Date.now() - started < 3_000)
  assert.ok(!r.success)
  assert.equal(r.error.code, 'UNAVAILABLE')
  assert.equal(r.error.errorType, 'TimeoutError')
  assert.match(r.error.message, /within 100 ms/)
  assert.equal(s.seen.length, 2)
})

test('the caller\'s signal ends the wait: TIMEOUT, retryable, naming the job id', async () => {
  const s = await stub(json(202, { jobId: 'job/echo/k', status: 'RUNNING', progress: null }), hang)
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 200)
  const r = await createJobClient({ baseUrl: s.baseUrl }).startJob('echo', {}, 0, { signal: controller.signal })
  assert.ok(!r.success)
  assert.equal(r.error.code, 'TIMEOUT')
  assert.equal(r.error.retryable, true)
  assert.equal(r.error.workflowId, 'job/echo/k')
  assert.match(r.error.message, /aborted/)
})

test('getJob and jobTypes read the bridge\'s answers', async () => {
  const s = await stub(
    json(202, { jobId: 'job/echo/k', status: 'RUNNING', progress: null }),
    json(200, [{ name: 'echo', settingsSchema: {} }]),
  )
  const jobs = createJobClient({ baseUrl: s.baseUrl })
  const status = await jobs.getJob('job/echo/k', { waitSeconds: 2 })
  assert.ok(status.success)
  assert.equal(status.data.status, 'RUNNING')
  assert.equal(status.data.result, null)
  assert.equal(s.seen[0]?.url, '/v1/jobs/job%2Fecho%2Fk?waitSeconds=2')
  const types = await jobs.jobTypes()
  assert.ok(types.success)
  assert.equal(types.data[0]?.name, 'echo')
})

test('429 waits out Retry-After, then repeats with the same key', async () => {
  const busy = {
    success: false,
    error: { ...jobFailed.error, code: 'UNAVAILABLE', retryable: true, errorType: 'TooManyRequests' },
  }
  const tooMany = (_req: unknown, res: import('node:http').ServerResponse): void => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' })
    res.end(JSON.stringify(busy))
  }
  const s = await stub(tooMany, json(200, { success: true, data: 'after the wait' }))
  const started = Date.now()
  const r = await createJobClient({ baseUrl: s.baseUrl, retryDelayMs: 1 }).startJob('echo', {}, 0)
  assert.deepEqual(r, { success: true, data: 'after the wait' })
  assert.ok(Date.now() - started >= 950, `repeated after ${Date.now() - started} ms, before Retry-After`)
  const keys = s.seen.map((req) => (req.body as { idempotencyKey: string }).idempotencyKey)
  assert.deepEqual(keys, [keys[0], keys[0]])

  // Out of retries: the bridge's 429 Result comes back as is.
  const s2 = await stub(tooMany)
  const r2 = await createJobClient({ baseUrl: s2.baseUrl, retries: 0 }).startJob('echo', {}, 0)
  assert.deepEqual(r2, busy)
})
