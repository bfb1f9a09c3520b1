// bindStartJob: the seed's `this.startJob(jobType, settings, i)` on an n8n node's context.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { bindStartJob, type JobClient, type Result, type StartJobOptions } from '@startjob/client'

function recordingClient() {
  const calls: { jobType: string; settings: unknown; itemIndex: number; options: StartJobOptions | undefined }[] = []
  const client = {
    baseUrl: 'http://fake',
    startJob: async (jobType: string, settings: unknown, itemIndex: number, options?: StartJobOptions) => {
      calls.push({ jobType, settings, itemIndex, options })
      return { success: true, data: itemIndex } as Result<never>
    },
  } as unknown as JobClient
  return { calls, client }
}

test('an n8n-like context gets startJob with its execution id and node name', async () => {
  const { calls, client } = recordingClient()
  const ctx = {
    getExecutionId: () => '1042',
    getNode: () => ({ name: 'Make report', type: 'n8n-nodes-base.startJob' }),
  }
  const bound = bindStartJob(ctx, client)
  assert.equal(bound, ctx)
  const r = await bound.startJob('echo', { a: 1 }, 3)
  assert.deepEqual(r, { success: true, data: 3 })
  assert.deepEqual(calls[0], {
    jobType: 'echo', settings: { a: 1 }, itemIndex: 3,
    options: { executionId: '1042', nodeName: 'Make report' },
  })
  // startJob is not enumerable: spreading or serializing the context does not carry it.
  assert.ok(!Object.keys(ctx).includes('startJob'))
})

test('explicit options win; undefined options do not erase the derived ids', async () => {
  const { calls, client } = recordingClient()
  const ctx = bindStartJob({ getExecutionId: () => 'e1', getNode: () => ({ name: 'N' }) }, client)
  await ctx.startJob('echo', {}, 0, { nodeName: 'Other', idempotencyKey: 'k', executionId: undefined })
  assert.deepEqual(calls[0]?.options, { executionId: 'e1', nodeName: 'Other', idempotencyKey: 'k' })
})

test('a plain object, or context methods that throw, give no ids', async () => {
  const { calls, client } = recordingClient()
  await bindStartJob({}, client).startJob('echo', null, 0)
  await bindStartJob({ getExecutionId: () => { throw new Error('not in a run') }, getNode: () => undefined }, client)
    .startJob('echo', null, 1)
  assert.deepEqual(calls.map((c) => c.options), [{}, {}])
})

test('the ids are read at call time, not bind time', async () => {
  const { calls, client } = recordingClient()
  let execution = 'first'
  const ctx = bindStartJob({ getExecutionId: () => execution, getNode: () => ({ name: 'N' }) }, client)
  await ctx.startJob('echo', {}, 0)
  execution = 'second'
  await ctx.startJob('echo', {}, 0)
  assert.deepEqual(calls.map((c) => c.options?.executionId), ['first', 'second'])
})
