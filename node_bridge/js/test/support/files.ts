import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh folder for a job's `runs.log`; removed by `cleanup()`. */
export function tempDir(prefix = 'startjob-js-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The `runs.log` lines the test-* jobs wrote ("<jobType> <tag> item=<i> attempt=<n> run|done"). */
export function runLines(dir: string): string[] {
  const log = join(dir, 'runs.log')
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
}
