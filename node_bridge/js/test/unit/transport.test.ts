// The default transport (node:http with keep-alive) and a caller's own `fetch`.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { createJobClient, type FetchLike } from '@startjob/client'

import { json, stubsClosedAfterTests } from '../support/http-stub.js'

const stub = stubsClosedAfterTests()

test('sequential calls share one kept-alive connection', async () => {
  const s = await stub(json(200, { success: true, data: 'ok' }))
  const jobs = createJobClient({ baseUrl: s.baseUrl })
  for (let i = 0; i < 5; i++) assert.deepEqual(await jobs.startJob('echo', { i }, i), { success: true, data: 'ok' })
  assert.equal(s.seen.length, 5)
  assert.equal(new Set(s.seen.map((req) => req.clientPort)).size, 1, 'a new connection per call')
  assert.equal(s.seen[0]?.headers['content-type'], 'application/json')
  assert.equal(Number(s.seen[0]?.headers['content-length']), Buffer.byteLength(JSON.stringify(s.seen[0]?.body)))
})

test('a body with non-ASCII text is sent whole (content-length counts bytes)', async () => {
  const s = await stub(json(200, { success: true, data: 'ok' }))
  const settings = { text: 'grüße, 東京 🚀' }
  await createJobClient({ baseUrl: s.baseUrl }).startJob('echo', settings, 0)
  assert.deepEqual((s.seen[0]?.body as { settings: unknown }).settings, settings)
})

test('a caller\'s fetch replaces the default', async () => {
  const s = await stub(json(200, { success: true, data: 'via fetch' }))
  const urls: string[] = []
  const counting: FetchLike = (input, init) => { urls.push(input); return globalThis.fetch(input, init) }
  const r = await createJobClient({ baseUrl: s.baseUrl, fetch: counting }).startJob('echo', {}, 0)
  assert.deepEqual(r, { success: true, data: 'via fetch' })
  assert.deepEqual(urls, [`${s.baseUrl}/v1/jobs`])
})

test('a baseUrl that is not http(s) -> UNAVAILABLE naming the protocol, no rejection', async () => {
  const r = await createJobClient({ baseUrl: 'ftp://127.0.0.1:1', retries: 0 }).startJob('echo', {}, 0)
  assert.ok(!r.success)
  assert.equal(r.error.code, 'UNAVAILABLE')
  assert.match(r.error.message, /unsupported protocol ftp:/)
})

test('https to a plain-HTTP port -> UNAVAILABLE, no rejection', async () => {
  const s = await stub(json(200, { success: true, data: 'never' }))
  const r = await createJobClient({ baseUrl: s.baseUrl.replace('http:', 'https:'), retries: 0 })
    .startJob('echo', {}, 0)
  assert.ok(!r.success)
  assert.equal(r.error.code, 'UNAVAILABLE')
  assert.match(r.error.message, /cannot reach the startjob bridge at https:/)
})
