// traceparent: with @opentelemetry/api installed (a dev dependency here, an optional peer for
// users), the active context goes along with each request.
import assert from 'node:assert/strict'
import { AsyncLocalStorage } from 'node:async_hooks'
import { after, before, test } from 'node:test'

import {
  ROOT_CONTEXT, context, propagation, trace,
  type Context, type ContextManager, type TextMapPropagator,
} from '@opentelemetry/api'
import { createJobClient } from '@startjob/client'

import { json, startStub, type Stub } from '../support/http-stub.js'
import { freePort } from '../support/ports.js'

/** Just enough of the SDK: an AsyncLocalStorage context manager and a W3C traceparent writer. */
class StorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>()
  active(): Context { return this.#storage.getStore() ?? ROOT_CONTEXT }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args))
  }
  bind<T>(_ctx: Context, target: T): T { return target }
  enable(): this { return this }
  disable(): this { return this }
}

const traceparentWriter: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const span = trace.getSpanContext(ctx)
    if (span) setter.set(carrier, 'traceparent', `00-${span.traceId}-${span.spanId}-0${span.traceFlags}`)
  },
  extract: (ctx) => ctx,
  fields: () => ['traceparent'],
}

const SPAN = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }
let stub: Stub

before(async () => {
  context.setGlobalContextManager(new StorageContextManager())
  propagation.setGlobalPropagator(traceparentWriter)
  stub = await startStub([json(200, { success: true, data: null })])
})
after(async () => { await stub.close() })

test('the active span\'s traceparent is sent', async () => {
  const jobs = createJobClient({ baseUrl: stub.baseUrl })
  await context.with(trace.setSpanContext(context.active(), SPAN), () => jobs.startJob('echo', {}, 0))
  assert.equal(stub.seen[0]?.headers.traceparent, `00-${SPAN.traceId}-${SPAN.spanId}-01`)
  await jobs.startJob('echo', {}, 0)
  assert.equal(stub.seen[1]?.headers.traceparent, undefined)
})

test('a Failure made by the client carries the trace id', async () => {
  const jobs = createJobClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, retries: 0 })
  const r = await context.with(trace.setSpanContext(context.active(), SPAN), () => jobs.startJob('echo', {}, 0))
  assert.ok(!r.success)
  assert.equal(r.error.code, 'UNAVAILABLE')
  assert.equal(r.error.traceId, SPAN.traceId)
})
