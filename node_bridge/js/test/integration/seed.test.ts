// The seed's three TypeScript examples, in the seed's own shape, against the real bridge and
// a real Temporal dev server.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'

import { bindStartJob, deriveIdempotencyKey, type JobClient } from '@startjob/client'

import { runLines, tempDir } from '../support/files.js'
import { useStack } from '../support/fixture.js'
import { SKIP_INTEGRATION } from '../support/skip.js'

interface Item { json: Record<string, unknown> }

/** What the seed's examples use of n8n's IExecuteFunctions. */
function fakeThis(items: Item[], executionId: string, nodeName = 'Start Job') {
  return {
    getInputData: () => items,
    getExecutionId: () => executionId,
    getNode: () => ({ name: nodeName, type: 'n8n-nodes-startjob.startJob', typeVersion: 1 }),
  }
}

describe('the seed examples', { skip: SKIP_INTEGRATION }, () => {
  let jobs: JobClient
  const tmp = useStack((_stack, j) => { jobs = j })

  test('(1) the per-item loop, with this.startJob from bindStartJob', async () => {
    const items: Item[] = [{ json: { name: 'a' } }, { json: { name: 'b' } }, { json: { name: 'c' } }]
    const node = bindStartJob(fakeThis(items, 'exec-seed-1'), jobs)

    async function execute(this: typeof node): Promise<Item[][]> {
      const items = this.getInputData()
      for (let i = 0; i < items.length; i++) {
        const settings = { greeting: `hello ${items[i].json.name}`, index: i }
        const r = await this.startJob('echo', settings, i)
        if (r.success) items[i].json.result = r.data
        else items[i].json.error = r.error
      }
      return [items]
    }

    const [out] = await execute.call(node)
    assert.deepEqual(out.map((item) => item.json), [
      { name: 'a', result: { greeting: 'hello a', index: 0 } },
      { name: 'b', result: { greeting: 'hello b', index: 1 } },
      { name: 'c', result: { greeting: 'hello c', index: 2 } },
    ])
    // The execution id and node name made the key: the job id is job/echo/<derived key>.
    const key = deriveIdempotencyKey({
      jobType: 'echo', executionId: 'exec-seed-1', nodeName: 'Start Job', itemIndex: 1,
      settingsJson: JSON.stringify({ greeting: 'hello b', index: 1 }),
    })
    const status = await jobs.getJob(`job/echo/${key}`)
    assert.ok(status.success, JSON.stringify(status))
    assert.equal(status.data.status, 'COMPLETED')
    assert.equal(status.data.itemIndex, 1)
    assert.deepEqual(status.data.result, { success: true, data: { greeting: 'hello b', index: 1 } })
  })

  test('(1b) an item that fails lands in items[i].json.error, the others go on', async () => {
    const items: Item[] = [{ json: { userId: 1 } }, { json: {} }]
    const node = bindStartJob(fakeThis(items, 'exec-seed-1b'), jobs)
    for (let i = 0; i < items.length; i++) {
      const settings = { ...items[i].json, action: 'echo-check' }
      const r = await node.startJob('echo', settings, i)
      if (r.success) items[i].json.result = r.data
      else items[i].json.error = r.error
    }
    const bad = await node.startJob<unknown, unknown>('report-generator', { action: 'generateReport' }, 1)
    if (!bad.success) items[1].json.error = bad.error
    assert.deepEqual(items[0].json.result, { userId: 1, action: 'echo-check' })
    assert.equal((items[1].json.error as { code: string }).code, 'INVALID_SETTINGS')
  })

  test('(2) the caller\'s retry loop: fails twice, then succeeds', async () => {
    const dir = tmp.dir
    const settings = { dir, tag: 'caller-loop' }
    const seen: string[] = []
    let r = await jobs.startJob<{ fixed: boolean }>('test-needs-flag', settings, 0)
    for (let call = 1; !r.success; call++) {
      seen.push(r.error.code)
      assert.ok(call <= 3, `still failing after ${call} calls: ${JSON.stringify(r.error)}`)
      assert.equal(r.error.retryable, true)
      // Between the second failure and the third call, "someone fixes the cause".
      if (call === 2) writeFileSync(join(dir, 'flag'), '')
      await new Promise((resolve) => setTimeout(resolve, 100 * call))
      r = await jobs.startJob<{ fixed: boolean }>('test-needs-flag', settings, 0)
    }
    assert.deepEqual(seen, ['JOB_FAILED', 'JOB_FAILED'])
    assert.equal(r.data.fixed, true)
    // Each call was a new job (no key given: a random one per call), 2 attempts per failed call.
    assert.equal(runLines(dir).filter((line) => line.includes(' caller-loop ')).length, 5)
  })

  test('(2b) the same retry loop through bindStartJob: a failed key may run again', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const node = bindStartJob(fakeThis([], 'exec-seed-2b'), jobs)
      const settings = { dir, tag: 'bound-loop' }
      let r = await node.startJob('test-needs-flag', settings, 0)
      let calls = 1
      while (!r.success && calls < 3) {
        if (calls === 2) writeFileSync(join(dir, 'flag'), '')
        r = await node.startJob('test-needs-flag', settings, 0)
        calls++
      }
      assert.ok(r.success, JSON.stringify(r))
      assert.equal(calls, 3)
      // The derived key is the same on every call, yet each failed run could run again.
      assert.equal(runLines(dir).length, 5)
    } finally {
      cleanup()
    }
  })

  test('(2c) the retry-policy path: one call succeeds on the 3rd attempt', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const r = await jobs.startJob<{ attempt: number; tag: string }>('test-flaky', { failures: 2, dir, tag: 'policy' }, 0)
      assert.ok(r.success, JSON.stringify(r))
      assert.deepEqual(r.data, { attempt: 3, tag: 'policy' })
      assert.equal(runLines(dir).length, 3)
    } finally {
      cleanup()
    }
  })

  test('(3) Promise.all launches 50 jobs; results come back in item order', async () => {
    const items: Item[] = Array.from({ length: 50 }, (_, i) => ({ json: { n: i } }))
    const node = bindStartJob(fakeThis(items, 'exec-seed-3'), jobs)
    const started = Date.now()
    const results = await Promise.all(
      items.map((item, i) => node.startJob<{ n: number; square: number }>('echo', { n: item.json.n, square: i * i }, i)),
    )
    const elapsed = Date.now() - started
    assert.equal(results.length, 50)
    results.forEach((r, i) => {
      assert.ok(r.success, JSON.stringify(r))
      assert.deepEqual(r.data, { n: i, square: i * i })
    })
    assert.ok(elapsed < 30_000, `50 jobs took ${elapsed} ms`)
  })
})
