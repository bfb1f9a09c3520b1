// Sequential startJob calls through the bridge with the TypeScript client, for `python -m bench`.
//
//   node bench/node/bridge_client.mjs http://127.0.0.1:PORT
//
// Reads one JSON command per stdin line, {"n": 20, "jobType": "echo", "settings": {...}}, runs
// n calls one after another and prints one JSON line: {"latencies": [seconds, ...]}.
// A failed Result is printed as {"error": ...} and ends the process with code 1.
import { createInterface } from 'node:readline'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const { createJobClient } = await import(path.join(here, '../../node_bridge/js/dist/index.js'))

const jobs = createJobClient({ baseUrl: process.argv[2] })
let index = 0
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  const { n, jobType, settings } = JSON.parse(line)
  const latencies = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    const result = await jobs.startJob(jobType, settings, index++)
    latencies.push((performance.now() - started) / 1000)
    if (!result.success) {
      process.stdout.write(JSON.stringify({ error: result.error }) + '\n')
      process.exit(1)
    }
  }
  process.stdout.write(JSON.stringify({ latencies }) + '\n')
}
