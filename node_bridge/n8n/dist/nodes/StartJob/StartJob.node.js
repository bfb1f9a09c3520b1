// "Start Job": runs a startjob job for each input item through n8n's own `this.startJob`,
// which hands the task to n8n's task broker; the startjob n8n runner picks it up and runs it
// on Temporal. Plain CommonJS, written by hand: no build step. Installed as the community
// package `n8n-nodes-startjob` (node type `n8n-nodes-startjob.startJob`), or loaded as
// `CUSTOM.startJob` through N8N_CUSTOM_EXTENSIONS.
'use strict'

let NodeOperationError
try {
  ({ NodeOperationError } = require('n8n-workflow'))
} catch {
  // Loaded from a folder outside n8n's tree (N8N_CUSTOM_EXTENSIONS): n8n-workflow may not
  // resolve from here, and a plain Error carries the same message.
  NodeOperationError = class extends Error {
    constructor(_node, message, options = {}) {
      super(message)
      Object.assign(this, options)
    }
  }
}

const CODES = new Set([
  'UNKNOWN_JOB_TYPE', 'INVALID_SETTINGS', 'PAYLOAD_TOO_LARGE', 'JOB_FAILED', 'TIMEOUT',
  'CANCELLED', 'UNAVAILABLE', 'UNAUTHORIZED',
])

/** A JobError (the contract's shape) for anything that is not one already. */
function toJobError(error, jobType, itemIndex) {
  if (error && typeof error === 'object' && CODES.has(error.code) && typeof error.message === 'string') {
    return error
  }
  const message = error instanceof Error || (error && typeof error.message === 'string')
    ? error.message : String(error)
  const timedOut = /timed? ?out/i.test(message)
  return {
    code: timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
    message,
    jobType,
    itemIndex,
    retryable: true,
    attempts: 0,
    errorType: (error && error.name) || null,
    details: (error && error.description) || null,
    workflowId: null,
    runId: null,
    traceId: null,
  }
}

/** n8n threw instead of answering: no runner took the task within the request timeout. */
function notPickedUp(error, jobType, itemIndex) {
  const cause = error instanceof Error ? error.message : String(error)
  return {
    code: 'UNAVAILABLE',
    message: `no startjob runner is connected to n8n's task broker for job type "${jobType}" ` +
      `(start one with \`startjob n8n-runner\`, or check that it offers this job type): ${cause}`,
    jobType,
    itemIndex,
    retryable: true,
    attempts: 0,
    errorType: (error && error.name) || 'TaskRequestTimeoutError',
    details: null,
    workflowId: null,
    runId: null,
    traceId: null,
  }
}

/**
 * Continue On Fail (the node's "On Error" setting): the item goes on carrying `error`.
 * Otherwise the error stops the execution. `ctx` is n8n's execute context (`this`).
 */
function fail(ctx, out, item, error, itemIndex) {
  if (ctx.continueOnFail()) {
    out.push({ json: { ...item.json, error }, pairedItem: { item: itemIndex } })
    return
  }
  throw new NodeOperationError(ctx.getNode(), `${error.code}: ${error.message}`, {
    itemIndex,
    description: error.workflowId ? `Temporal workflow ${error.workflowId}` : undefined,
  })
}

function parseSettings(raw) {
  if (typeof raw !== 'string') return raw ?? {}
  if (raw.trim() === '') return {}
  return JSON.parse(raw)
}

class StartJob {
  constructor() {
    this.description = {
      displayName: 'Start Job',
      name: 'startJob',
      icon: 'fa:play-circle',
      group: ['transform'],
      version: 1,
      subtitle: '={{$parameter["jobType"]}}',
      description: 'Run a startjob job (durable, on Temporal) for each item and add its result',
      defaults: { name: 'Start Job' },
      inputs: ['main'],
      outputs: ['main'],
      properties: [
        {
          displayName: 'Job Type',
          name: 'jobType',
          type: 'string',
          default: '',
          required: true,
          placeholder: 'report-generator',
          description: 'A job type the startjob runner offers (`startjob job-types` lists them)',
        },
        {
          displayName: 'Settings',
          name: 'settings',
          type: 'json',
          default: '{}',
          description: "The job's settings as JSON; expressions such as {{ $json.userId }} are allowed",
        },
        {
          displayName: 'Options',
          name: 'options',
          type: 'collection',
          placeholder: 'Add Option',
          default: {},
          options: [
            {
              displayName: 'Put Result In Field',
              name: 'resultField',
              type: 'string',
              default: '',
              description: "Leave empty to merge an object result into the item's JSON; otherwise the field that receives the result",
            },
          ],
        },
      ],
    }
  }

  async execute() {
    const items = this.getInputData()
    const out = []
    for (let i = 0; i < items.length; i++) {
      const jobType = this.getNodeParameter('jobType', i)
      const options = this.getNodeParameter('options', i, {})
      let settings
      try {
        settings = parseSettings(this.getNodeParameter('settings', i))
      } catch (err) {
        const error = {
          code: 'INVALID_SETTINGS', message: `Settings are not valid JSON: ${err.message}`, jobType,
          itemIndex: i, retryable: false, attempts: 0, errorType: 'SyntaxError', details: null,
          workflowId: null, runId: null, traceId: null,
        }
        fail(this, out, items[i], error, i)
        continue
      }
      let answer
      try {
        answer = await this.startJob(jobType, settings, i)
      } catch (err) {
        fail(this, out, items[i], notPickedUp(err, jobType, i), i)
        continue
      }
      if (answer && answer.ok) {
        const json = { ...items[i].json }
        const data = answer.result
        if (options.resultField) json[options.resultField] = data
        else if (data && typeof data === 'object' && !Array.isArray(data)) Object.assign(json, data)
        else json.result = data
        out.push({ json, pairedItem: { item: i } })
      } else {
        fail(this, out, items[i], toJobError(answer && answer.error, jobType, i), i)
      }
    }
    return [out]
  }
}

module.exports = { StartJob }
