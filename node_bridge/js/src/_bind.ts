/**
 * `bindStartJob`: gives an n8n node's `this` the seed's `this.startJob(jobType, settings, i)`.
 *
 *     async execute(this: IExecuteFunctions) {
 *       const ctx = bindStartJob(this, jobs)
 *       const r = await ctx.startJob('echo', settings, i)
 *     }
 *
 * When the context is n8n's IExecuteFunctions (it has `getExecutionId()` and `getNode()`), each
 * call carries the execution id and node name: they become search attributes, and the derived
 * idempotency key makes a re-run of the node in the same execution attach to the jobs it already
 * started instead of running them twice.
 */

import type { JobClient, StartJobOptions } from './_client.js'
import type { Result } from './_result.js'

/** The method `bindStartJob` adds; the 3-argument form is the seed's signature. */
export interface StartJobMethod {
  <T = unknown, E = unknown>(jobType: string, settings: unknown, itemIndex: number): Promise<Result<T, E>>
  <T = unknown, E = unknown>(
    jobType: string, settings: unknown, itemIndex: number, options: StartJobOptions,
  ): Promise<Result<T, E>>
}

/** What bindStartJob reads from n8n's IExecuteFunctions, when present. */
export interface ExecutionContextLike {
  getExecutionId?: () => string | undefined
  getNode?: () => { name?: string } | undefined
}

/** Sets `ctx.startJob` (calling `client.startJob`) and returns `ctx`, now typed with it. */
export function bindStartJob<C extends object>(ctx: C, client: JobClient): C & { startJob: StartJobMethod } {
  const source = ctx as ExecutionContextLike
  const startJob = <T = unknown, E = unknown>(
    jobType: string, settings: unknown, itemIndex: number, options: StartJobOptions = {},
  ): Promise<Result<T, E>> => {
    const derived: StartJobOptions = {}
    const executionId = call(() => source.getExecutionId?.())
    const nodeName = call(() => source.getNode?.()?.name)
    if (typeof executionId === 'string' && executionId) derived.executionId = executionId
    if (typeof nodeName === 'string' && nodeName) derived.nodeName = nodeName
    return client.startJob<T, E>(jobType, settings, itemIndex, { ...derived, ...definedOnly(options) })
  }
  Object.defineProperty(ctx, 'startJob', {
    value: startJob, writable: true, configurable: true, enumerable: false,
  })
  return ctx as C & { startJob: StartJobMethod }
}

/** n8n throws from some context methods outside a run: treat that as "not available". */
function call<V>(fn: () => V): V | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

function definedOnly(options: StartJobOptions): StartJobOptions {
  if (options === null || typeof options !== 'object') return options
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as StartJobOptions
}
