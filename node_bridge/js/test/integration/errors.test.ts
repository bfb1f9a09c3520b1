// Failures, end to end: every one is a Result, none is a rejection.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { createJobClient, type JobClient } from '@startjob/client'

import { runLines } from '../support/files.js'
import { useStack } from '../support/fixture.js'
import { SKIP_INTEGRATION } from '../support/skip.js'
import type { Bridge, Stack } from '../support/stack.js'

describe('failures through the bridge', { skip: SKIP_INTEGRATION }, () => {
  let stack: Stack
  let jobs: JobClient
  const tmp = useStack((s, j) => { stack = s; jobs = j })

  test('a job that always fails -> JOB_FAILED after 3 attempts, errorType ValueError', async () => {
    const r = await jobs.startJob('test-fail-always', { dir: tmp.dir, tag: 'fail' }, 4)
    assert.ok(!r.success)
    assert.deepEqual(
      { code: r.error.code, attempts: r.error.attempts, errorType: r.error.errorType },
      { code: 'JOB_FAILED', attempts: 3, errorType: 'ValueError' },
    )
    assert.match(r.error.message, /boom/)
    assert.equal(r.error.jobType, 'test-fail-always')
    assert.equal(r.error.itemIndex, 4)
    assert.match(String(r.error.workflowId), /^job\/test-fail-always\//)
    assert.equal(typeof r.error.runId, 'string')
    assert.equal(runLines(tmp.dir).length, 3)
  })

  test('an unknown job type -> UNKNOWN_JOB_TYPE, nothing launched', async () => {
    const r = await jobs.startJob('no-such-job', {}, 0)
    assert.ok(!r.success)
    assert.equal(r.error.code, 'UNKNOWN_JOB_TYPE')
    assert.match(r.error.message, /no-such-job/)
    assert.equal(r.error.attempts, 0)
    assert.equal(r.error.retryable, false)
    assert.equal(r.error.workflowId, null)
  })

  test('invalid settings -> INVALID_SETTINGS naming the field', async () => {
    const r = await jobs.startJob('report-generator', { action: 'generateReport' }, 2)
    assert.ok(!r.success)
    assert.equal(r.error.code, 'INVALID_SETTINGS')
    assert.match(r.error.message, /userId/)
    assert.equal(r.error.itemIndex, 2)
    assert.equal(r.error.attempts, 0)
    assert.ok(r.error.details !== null)
  })

  test('jobTypes() lists the example and test job types', async () => {
    const r = await jobs.jobTypes()
    assert.ok(r.success, JSON.stringify(r))
    const names = r.data.map((t) => t.name)
    for (const name of ['echo', 'data-sync', 'report-generator', 'image-processing', 'test-slow']) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`)
    }
  })

  describe('a bridge with a token', () => {
    let guarded: Bridge
    before(async () => {
      guarded = await stack.startBridge({ STARTJOB_BRIDGE_TOKEN: 's3cret-token' })
    })

    test('no token or a wrong one -> UNAUTHORIZED; the right one works', async () => {
      for (const token of [undefined, 'wrong']) {
        const r = await createJobClient({ baseUrl: guarded.baseUrl, token }).startJob('echo', { a: 1 }, 0)
        assert.ok(!r.success)
        assert.equal(r.error.code, 'UNAUTHORIZED')
        assert.equal(r.error.retryable, false)
      }
      const ok = await createJobClient({ baseUrl: guarded.baseUrl, token: 's3cret-token' }).startJob('echo', { a: 1 }, 0)
      assert.deepEqual(ok, { success: true, data: { a: 1 } })
    })

    test('the bridge stopped -> UNAVAILABLE quickly, no rejection', async () => {
      await guarded.stop()
      const client = createJobClient({ baseUrl: guarded.baseUrl, token: 's3cret-token' })
      const started = Date.now()
      const r = await client.startJob('echo', { a: 1 }, 5)
      const elapsed = Date.now() - started
      assert.ok(!r.success)
      assert.equal(r.error.code, 'UNAVAILABLE')
      assert.equal(r.error.retryable, true)
      assert.equal(r.error.attempts, 0)
      assert.equal(r.error.itemIndex, 5)
      assert.ok(r.error.message.includes(guarded.baseUrl), r.error.message)
      assert.ok(elapsed < 5_000, `took ${elapsed} ms`)
    })
  })
})
