/**
 * End-to-end server benchmark against the real server process (`server/main.ts`, LevelDB in a
 * temporary data directory), measured from this client process. Prints, asserts nothing.
 *
 * 1. Latency: one row POSTed every 10 ms (~100 rows/s) to an embedded stream; the time from the
 *    POST to the websocket frame carrying that row, for a filter query (append) and for an
 *    update-mode aggregation. p50/p99/max (targets: p50 ≤ 5 ms, p99 ≤ 25 ms).
 * 2. Ingest throughput: 1,000-row JSON-array and NDJSON requests, 4 in flight (target ≥ 200k rows/s).
 *
 *   npx tsx bench/server.bench.ts [latencyRows=600] [ingestRequests=300]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { WebSocket } from 'ws'
import { SERVER_NODE_FLAGS } from '../server/node-flags.ts'

const LATENCY_ROWS = Number(process.argv[2] ?? 600)
const INGEST_REQUESTS = Number(process.argv[3] ?? 300)
const ROOT = resolve(import.meta.dirname, '..')

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT, env: { ...process.env, WEIR_PORT: '0', WEIR_DATA_DIR: dataDir, WEIR_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  const started = performance.now()
  const url = await new Promise<string>((res, rej) => {
    let buf = ''
    child.stdout!.on('data', (d: Buffer) => {
      buf += String(d)
      const m = /"msg":"listening on (http:\/\/[^"]+)"/.exec(buf)
      if (m) res(m[1]!)
    })
    child.on('exit', (code) => rej(new Error(`server exited with ${code}`)))
  })
  console.log(`server ready in ${Math.round(performance.now() - started)} ms (process spawn to "listening on")`)
  return { child, url }
}

async function post(url: string, body: string, contentType = 'application/json'): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })
  const json: unknown = await res.json()
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

function percentiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b)
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2)
  return `p50 ${p(0.5)} ms  p90 ${p(0.9)} ms  p99 ${p(0.99)} ms  max ${s.at(-1)!.toFixed(2)} ms  (n=${s.length})`
}

/** POSTs one row every 10 ms; `idOf` finds the ids a frame carries. */
async function latency(base: string, stream: string, sql: string, idOf: (frame: { type: string; changes?: [string, unknown[]][] }) => number[]): Promise<number[]> {
  const { results } = (await post(`${base}/v1/sql`, JSON.stringify({ sql }))) as { results: { resultsUrl: string; queryId: string }[] }
  const ws = new WebSocket(base.replace('http', 'ws') + results[0]!.resultsUrl)
  await new Promise((r) => ws.once('open', r))
  const sentAt = new Map<number, number>()
  const samples: number[] = []
  ws.on('message', (data) => {
    const now = performance.now()
    for (const id of idOf(JSON.parse(String(data)))) {
      const t = sentAt.get(id)
      if (t !== undefined) {
        samples.push(now - t)
        sentAt.delete(id)
      }
    }
  })
  const warmup = 50
  for (let i = 0; i < LATENCY_ROWS + warmup; i++) {
    const row = JSON.stringify([{ id: i, k: i % 10, v: i }])
    if (i >= warmup) sentAt.set(i, performance.now())
    else sentAt.delete(i)
    void post(`${base}/v1/streams/${stream}/rows`, row)
    await sleep(10)
  }
  const deadline = Date.now() + 5000
  while (sentAt.size > 0 && Date.now() < deadline) await sleep(20)
  ws.close()
  await fetch(`${base}/v1/queries/${results[0]!.queryId}`, { method: 'DELETE' })
  return samples
}

async function ingest(base: string, contentType: string, body: string, requests: number, rowsPer: number): Promise<number> {
  const inFlight = 4
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next++ < requests) await post(`${base}/v1/streams/bulk/rows`, body, contentType)
  }))
  return (requests * rowsPer) / ((performance.now() - started) / 1000)
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-'))
  const { child, url } = await startServer(dir)
  try {
    await post(`${url}/v1/sql`, JSON.stringify({
      sql: 'CREATE STREAM lf (id BIGINT, k BIGINT, v BIGINT); CREATE STREAM la (id BIGINT, k BIGINT, v BIGINT); ' +
        'CREATE STREAM bulk (user_id BIGINT, url VARCHAR, ts TIMESTAMP)',
    }))
    const filter = await latency(url, 'lf', 'SELECT id, v FROM lf WHERE v >= 0', (f) =>
      f.type === 'batch' ? f.changes!.map(([, r]) => r[0] as number) : [])
    console.log(`latency, filter (append):          ${percentiles(filter)}`)
    const agg = await latency(url, 'la', 'SELECT k, COUNT(*) AS n, MAX(id) AS last FROM la GROUP BY k EMIT UPDATE', (f) =>
      f.type === 'batch' ? f.changes!.filter(([op]) => op === '+' || op === 'U+').map(([, r]) => r[2] as number) : [])
    console.log(`latency, aggregation (update):     ${percentiles(agg)}`)

    const rows = Array.from({ length: 1000 }, (_, i) => ({ user_id: i, url: `https://example.com/page/${i % 97}`, ts: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z` }))
    const json = JSON.stringify(rows)
    const ndjson = rows.map((r) => JSON.stringify(r)).join('\n') + '\n'
    await ingest(url, 'application/json', json, 20, 1000)
    const a = await ingest(url, 'application/json', json, INGEST_REQUESTS, 1000)
    console.log(`ingest, JSON array, 1,000-row requests: ${Math.round(a).toLocaleString('en')} rows/s (${json.length} bytes/request)`)
    const b = await ingest(url, 'application/x-ndjson', ndjson, INGEST_REQUESTS, 1000)
    console.log(`ingest, NDJSON, 1,000-row requests:     ${Math.round(b).toLocaleString('en')} rows/s`)
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
