// Waiting: 202 long-polls, a connection dropped mid-wait, attaching, cancelling.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'

import { createJobClient, type FetchLike, type JobClient } from '@startjob/client'

import { runLines, tempDir } from '../support/files.js'
import { useStack } from '../support/fixture.js'
import { SKIP_INTEGRATION } from '../support/skip.js'
import type { Stack } from '../support/stack.js'

interface Slow { slept: number; attempt: number }

/** The global fetch, recording each request's method, path, status (or error) and body. */
function recordingFetch() {
  const log: { method: string; path: string; status: number | string; body: Record<string, unknown> | null }[] = []
  const fetch: FetchLike = async (input, init) => {
    const entry = {
      method: String(init.method), path: new URL(input).pathname + new URL(input).search, status: 0 as number | string,
      body: init.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : null,
    }
    log.push(entry)
    try {
      const response = await globalThis.fetch(input, init)
      entry.status = response.status
      return response
    } catch (err) {
      entry.status = (err as Error).name
      throw err
    }
  }
  return { log, fetch }
}

describe('waiting for jobs', { skip: SKIP_INTEGRATION }, () => {
  let stack: Stack
  let jobs: JobClient
  const tmp = useStack((s, j) => { stack = s; jobs = j })

  test('a connection dropped mid-wait is retried with the same key: one run, same Result', async () => {
    const { log, fetch } = recordingFetch()
    // Each request may take 1.2 s, but asks the bridge to wait 10 s: the first ones are cut off.
    const client = createJobClient({ baseUrl: stack.bridge.baseUrl, fetch, timeoutMs: 1_200, retries: 6, retryDelayMs: 100 })
    const r = await client.startJob<Slow>('test-slow', { seconds: 3, dir: tmp.dir, tag: 'dropped' }, 0, { waitSeconds: 10 })
    assert.ok(r.success, JSON.stringify(r))
    assert.equal(r.data.attempt, 1)
    assert.ok(log.length >= 2, JSON.stringify(log))
    assert.equal(log[0].status, 'TimeoutError')
    assert.ok(log.every((entry) => entry.method === 'POST'))
    assert.equal(new Set(log.map((entry) => entry.body?.idempotencyKey)).size, 1)
    const lines = runLines(tmp.dir).filter((line) => line.includes(' dropped '))
    assert.equal(lines.filter((line) => line.endsWith(' done')).length, 1, lines.join('\n'))
    assert.equal(lines.filter((line) => line.endsWith(' run')).length, 1, lines.join('\n'))
    // Asking again with the same key attaches to the same job: same Result, still one run.
    const key = String(log[0].body?.idempotencyKey)
    const again = await jobs.startJob<Slow>('test-slow', { seconds: 3, dir: tmp.dir, tag: 'dropped' }, 0, { idempotencyKey: key })
    assert.deepEqual(again, r)
    assert.equal(runLines(tmp.dir).filter((line) => line.includes(' dropped ')).length, 2)
  })

  test('202 answers are followed by long-polling until the job ends', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const { log, fetch } = recordingFetch()
      const client = createJobClient({ baseUrl: stack.bridge.baseUrl, fetch })
      const key = randomUUID()
      const jobId = `job/test-slow/${key}`
      const pending = client.startJob<Slow>('test-slow', { seconds: 3, dir, tag: 'poll' }, 7, { waitSeconds: 1, idempotencyKey: key })
      // Meanwhile, anyone can look at the job by its id.
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      const status = await jobs.getJob(jobId)
      assert.ok(status.success, JSON.stringify(status))
      assert.equal(status.data.status, 'RUNNING')
      assert.equal(status.data.result, null)
      const r = await pending
      assert.ok(r.success, JSON.stringify(r))
      assert.ok(r.data.slept >= 2.9, JSON.stringify(r.data))
      assert.equal(log[0].method, 'POST')
      assert.equal(log[0].status, 202)
      const polls = log.slice(1)
      assert.ok(polls.length >= 1)
      for (const poll of polls) {
        assert.equal(poll.method, 'GET')
        assert.equal(poll.path, `/v1/jobs/${encodeURIComponent(jobId)}?waitSeconds=1`)
      }
      assert.equal(polls.at(-1)?.status, 200)
      // Attaching later by id gives the same Result.
      assert.deepEqual(await jobs.waitForJob(jobId), r)
      const done = await jobs.getJob<Slow>(jobId)
      assert.ok(done.success)
      assert.equal(done.data.status, 'COMPLETED')
      assert.deepEqual(done.data.result, r)
    } finally {
      cleanup()
    }
  })

  test('cancelJob: the waiting caller gets CANCELLED', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const key = randomUUID()
      const jobId = `job/test-slow/${key}`
      const pending = jobs.startJob('test-slow', { seconds: 20, dir, tag: 'cancel' }, 0, { idempotencyKey: key, waitSeconds: 2 })
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      const cancelled = await jobs.cancelJob(jobId)
      assert.ok(cancelled.success, JSON.stringify(cancelled))
      assert.deepEqual(cancelled.data, { jobId, status: 'CANCEL_REQUESTED' })
      const r = await pending
      assert.ok(!r.success)
      assert.equal(r.error.code, 'CANCELLED')
      assert.equal(r.error.workflowId, jobId)
    } finally {
      cleanup()
    }
  })

  test('an unknown job id -> a Failure, not a rejection', async () => {
    const r = await jobs.getJob('job/echo/does-not-exist')
    assert.ok(!r.success)
    assert.equal(r.error.code, 'UNKNOWN_JOB_TYPE')
    const w = await jobs.waitForJob('job/echo/does-not-exist')
    assert.ok(!w.success)
  })
})
