// Bad arguments are Failures made without a network call; nothing throws or rejects.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { createJobClient, type FetchLike } from '@startjob/client'

function recordingClient() {
  const calls: unknown[] = []
  const fetch: FetchLike = async (input) => {
    calls.push(input)
    throw new Error('no network call was expected')
  }
  return { calls, jobs: createJobClient({ baseUrl: 'http://127.0.0.1:9', fetch }) }
}

const badJobTypes: unknown[] = [42, '', '   ', null, undefined, { name: 'echo' }]
for (const jobType of badJobTypes) {
  test(`jobType ${JSON.stringify(jobType) ?? 'undefined'} -> UNKNOWN_JOB_TYPE`, async () => {
    const { calls, jobs } = recordingClient()
    const r = await jobs.startJob(jobType as string, {}, 0)
    assert.equal(r.success, false)
    assert.ok(!r.success)
    assert.equal(r.error.code, 'UNKNOWN_JOB_TYPE')
    assert.match(r.error.message, /jobType must be a non-empty string/)
    assert.equal(r.error.retryable, false)
    assert.equal(r.error.attempts, 0)
    assert.equal(calls.length, 0)
  })
}

const badIndexes: unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3', 2 ** 53, null, 3n]
for (const itemIndex of badIndexes) {
  test(`itemIndex ${typeof itemIndex} ${String(itemIndex)} -> INVALID_SETTINGS naming itemIndex`, async () => {
    const { calls, jobs } = recordingClient()
    const r = await jobs.startJob('echo', {}, itemIndex as number)
    assert.ok(!r.success)
    assert.equal(r.error.code, 'INVALID_SETTINGS')
    assert.match(r.error.message, /itemIndex/)
    assert.equal(r.error.jobType, 'echo')
    assert.equal(r.error.retryable, false)
    assert.equal(calls.length, 0)
  })
}

test('settings that are not JSON -> INVALID_SETTINGS', async () => {
  const { calls, jobs } = recordingClient()
  const circular: Record<string, unknown> = {}
  circular.self = circular
  for (const settings of [{ big: 1n }, circular]) {
    const r = await jobs.startJob('echo', settings, 2)
    assert.ok(!r.success)
    assert.equal(r.error.code, 'INVALID_SETTINGS')
    assert.match(r.error.message, /JSON-serializable/)
    assert.equal(r.error.itemIndex, 2)
  }
  assert.equal(calls.length, 0)
})

test('bad options -> INVALID_SETTINGS naming the option', async () => {
  const { calls, jobs } = recordingClient()
  const cases: [unknown, RegExp][] = [
    [{ waitSeconds: -1 }, /waitSeconds/],
    [{ waitSeconds: 'soon' }, /waitSeconds/],
    [{ executionId: 7 }, /executionId/],
    [{ signal: 'stop' }, /signal/],
    [null, /options/],
  ]
  for (const [options, pattern] of cases) {
    const r = await jobs.startJob('echo', {}, 0, options as never)
    assert.ok(!r.success)
    assert.equal(r.error.code, 'INVALID_SETTINGS')
    assert.match(r.error.message, pattern)
  }
  assert.equal(calls.length, 0)
})

test('bad job ids -> INVALID_SETTINGS, without a network call', async () => {
  const { calls, jobs } = recordingClient()
  for (const r of [await jobs.getJob(''), await jobs.cancelJob(3 as never), await jobs.waitForJob('')]) {
    assert.ok(!r.success)
    assert.equal(r.error.code, 'INVALID_SETTINGS')
  }
  assert.equal(calls.length, 0)
})
