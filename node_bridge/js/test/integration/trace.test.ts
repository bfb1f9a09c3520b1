// One trace from Node to every activity attempt (issue 4): the client sends the active span's
// traceparent; the bridge's server span, start_job and Temporal's spans join that trace; the
// JobError's traceId is the caller's. The bridge runs under the `startjob` CLI with the console
// span exporter writing JSON lines to a file (STARTJOB_OTEL_CONSOLE_FILE), which this test reads.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { ROOT_CONTEXT, TraceFlags, context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { createJobClient, type JobClient } from '@startjob/client'

import { tempDir } from '../support/files.js'
import { SKIP_INTEGRATION } from '../support/skip.js'
import { startStack, type Stack } from '../support/stack.js'

/** One line of the console exporter's output (`ReadableSpan.to_json()`), as far as we read it. */
interface SpanLine {
  name: string
  kind: string
  context: { trace_id: string; span_id: string }
  parent_id: string | null
  status: { status_code: string }
}

const SPAN_WAIT_MS = 5_000 // the server span ends just after the response is sent

describe('one trace from Node to every activity attempt', { skip: SKIP_INTEGRATION }, () => {
  let stack: Stack
  let jobs: JobClient
  const tmp = tempDir()
  const spansFile = join(tmp.dir, 'spans.jsonl')

  before(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    stack = await startStack(
      { OTEL_TRACES_EXPORTER: 'console', STARTJOB_OTEL_CONSOLE_FILE: spansFile },
      { cli: true },
    )
    jobs = createJobClient({ baseUrl: stack.bridge.baseUrl })
  })
  after(async () => {
    await stack?.stop()
    propagation.disable()
    context.disable()
    tmp.cleanup()
  })

  test('a failing job: the bridge and Temporal join the caller\'s trace, traceId matches', async () => {
    const caller = {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: TraceFlags.SAMPLED,
    }
    const r = await context.with(trace.setSpanContext(ROOT_CONTEXT, caller),
      () => jobs.startJob('test-fail-always', { tag: 'traced' }, 1))
    assert.ok(!r.success)
    assert.equal(r.error.code, 'JOB_FAILED')
    assert.equal(r.error.traceId, caller.traceId)

    const spans = await spansOfTrace(spansFile, caller.traceId, 'POST /v1/jobs')
    const one = (name: string): SpanLine => {
      const found = spans.filter((s) => s.name === name)
      assert.equal(found.length, 1, `${name} in ${spans.map((s) => s.name).join(', ')}`)
      return found[0]!
    }
    const server = one('POST /v1/jobs')
    const startJob = one('startjob.start_job')
    const startWorkflow = one('StartWorkflow:StartJob')
    const runWorkflow = one('RunWorkflow:StartJob')
    const startActivity = one('StartActivity:test-fail-always')
    const attempts = spans.filter((s) => s.name === 'RunActivity:test-fail-always')

    assert.equal(server.kind, 'SpanKind.SERVER')
    assert.equal(server.parent_id, `0x${caller.spanId}`)
    assert.equal(startJob.parent_id, server.context.span_id)
    assert.equal(startWorkflow.parent_id, startJob.context.span_id)
    assert.equal(runWorkflow.parent_id, startWorkflow.context.span_id)
    assert.equal(startActivity.parent_id, runWorkflow.context.span_id)
    assert.equal(attempts.length, 3)
    for (const attempt of attempts) {
      assert.equal(attempt.parent_id, startActivity.context.span_id)
      assert.equal(attempt.status.status_code, 'ERROR')
    }
    assert.equal(startJob.status.status_code, 'ERROR')
  })
})

/** The spans of one trace in the exporter's file, once the span named `until` is there. */
async function spansOfTrace(file: string, traceId: string, until: string): Promise<SpanLine[]> {
  const deadline = Date.now() + SPAN_WAIT_MS
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
    const spans = lines.map((line) => JSON.parse(line) as SpanLine)
      .filter((s) => s.context.trace_id === `0x${traceId}`)
    if (spans.some((s) => s.name === until) || Date.now() > deadline) return spans
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
