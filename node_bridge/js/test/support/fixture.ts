import { after, before } from 'node:test'

import { createJobClient, type JobClient } from '@startjob/client'

import { tempDir } from './files.js'
import { startStack, type Stack } from './stack.js'

/**
 * One real stack (dev server + bridge with its worker) for the enclosing `describe`: started
 * in `before`, handed to `onReady` with a client for it, stopped in `after`. Returns the temp
 * folder the tests' jobs log their runs to, removed in `after` too.
 */
export function useStack(onReady: (stack: Stack, jobs: JobClient) => void): { dir: string } {
  const tmp = tempDir()
  let stack: Stack | undefined
  before(async () => {
    stack = await startStack()
    onReady(stack, createJobClient({ baseUrl: stack.bridge.baseUrl }))
  })
  after(async () => {
    await stack?.stop()
    tmp.cleanup()
  })
  return tmp
}
