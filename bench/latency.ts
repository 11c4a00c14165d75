/**
 * End-to-end latency at a fixed low rate, and server start time, against the real server
 * (`server/main.ts` in a child process, LevelDB in a temporary data directory):
 *
 * - start: process spawn until the server logs `listening on …` (median of `starts` starts);
 * - latency: one bid POSTed to the ingest endpoint every 10 ms (100 rows/s) into a fresh embedded
 *   stream, and the time until a websocket frame of the workload's push query carries it.
 *   Stateless queries (q0–q2) run in append mode; the windowed ones (q5, q7) in update mode, so a
 *   row's effect is visible in the next batch rather than when its 10 s window closes. Each bid
 *   carries a unique value in the column the output shows (bidder, price or auction).
 *
 *   node --import tsx bench/latency.ts [rowsPerQuery=1000] [starts=3]   → one JSON line
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { WebSocket } from 'ws'
import { median, quantile } from './report/stats.ts'
import { SERVER_NODE_FLAGS } from '../server/node-flags.ts'

const ROOT = resolve(import.meta.dirname, '..')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface LatencyResult {
  readonly startMs: readonly number[]
  readonly queries: readonly { readonly name: string; readonly mode: string; readonly p50: number; readonly p99: number; readonly max: number; readonly n: number; readonly lost: number }[]
}

interface Probe {
  readonly name: string
  readonly sql: (stream: string) => string
  /** The bid for sequence number i. */
  readonly bid: (i: number, now: string) => Record<string, unknown>
  /** The output column holding i. */
  readonly column: number
}

const PROBES: readonly Probe[] = [
  { name: 'q0', column: 1, sql: (s) => `SELECT auction, bidder, price, channel, url, date_time, extra FROM ${s}`,
    bid: (i, now) => ({ auction: 1000, bidder: i, price: 100, channel: 'Google', url: 'https://www.nexmark.com/', date_time: now, extra: '' }) },
  { name: 'q1', column: 1, sql: (s) => `SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM ${s}`,
    bid: (i, now) => ({ auction: 1000, bidder: i, price: 100, channel: 'Google', url: 'https://www.nexmark.com/', date_time: now, extra: '' }) },
  { name: 'q2', column: 1, sql: (s) => `SELECT auction, price FROM ${s} WHERE auction % 123 = 0`,
    bid: (i, now) => ({ auction: 123 * 10, bidder: 1, price: i, channel: 'Google', url: 'https://www.nexmark.com/', date_time: now, extra: '' }) },
  { name: 'q5', column: 2, sql: (s) => `SELECT window_start, window_end, auction, COUNT(*) AS num
      FROM HOP(${s}, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY window_start, window_end, auction EMIT UPDATE`,
    bid: (i, now) => ({ auction: i, bidder: 1, price: 100, channel: 'Google', url: 'https://www.nexmark.com/', date_time: now, extra: '' }) },
  { name: 'q7', column: 2, sql: (s) => `SELECT window_start, window_end, MAX(price) AS maxprice
      FROM TUMBLE(${s}, date_time, INTERVAL '10' SECOND) GROUP BY window_start, window_end EMIT UPDATE`,
    bid: (i, now) => ({ auction: 1000, bidder: 1, price: i, channel: 'Google', url: 'https://www.nexmark.com/', date_time: now, extra: '' }) },
]

const BID_COLUMNS = `auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND`

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT, env: { ...process.env, WEIR_PORT: '0', WEIR_DATA_DIR: dataDir, WEIR_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((res, rej) => {
    let buf = ''
    child.stdout!.on('data', (d: Buffer) => {
      buf += String(d)
      const m = /listening on (http:\/\/[^"\s]+)/.exec(buf)
      if (m) res(m[1]!)
    })
    child.on('exit', (code) => rej(new Error(`server exited with ${code}`)))
  })
  child.stdout!.resume()
  return { child, url, ms: performance.now() - started }
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const json: unknown = await res.json()
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

async function probe(base: string, p: Probe, rows: number): Promise<LatencyResult['queries'][number]> {
  const stream = `lat_${p.name}`
  await post(`${base}/v1/sql`, { sql: `CREATE STREAM ${stream} (${BID_COLUMNS})` })
  const { results } = (await post(`${base}/v1/sql`, { sql: p.sql(stream) })) as { results: { resultsUrl: string; queryId: string; outputMode: string }[] }
  const q = results[0]!
  const ws = new WebSocket(base.replace('http', 'ws') + q.resultsUrl)
  await new Promise((r) => ws.once('open', r))
  const sentAt = new Map<number, number>()
  const samples: number[] = []
  ws.on('message', (data) => {
    const now = performance.now()
    const frame = JSON.parse(String(data)) as { type: string; changes?: [string, unknown[]][] }
    if (frame.type !== 'batch') return
    for (const [op, row] of frame.changes ?? []) {
      if (op !== '+' && op !== 'U+') continue
      const t = sentAt.get(row[p.column] as number)
      if (t !== undefined) {
        samples.push(now - t)
        sentAt.delete(row[p.column] as number)
      }
    }
  })
  const warmup = 50
  for (let i = 1; i <= rows + warmup; i++) {
    const body = [p.bid(i, new Date().toISOString())]
    if (i > warmup) sentAt.set(i, performance.now())
    void post(`${base}/v1/streams/${stream}/rows`, body)
    await sleep(10)
  }
  const deadline = Date.now() + 5000
  while (sentAt.size > 0 && Date.now() < deadline) {
    if ([...sentAt.keys()].every((k) => k <= warmup)) break
    await sleep(20)
  }
  ws.close()
  await fetch(`${base}/v1/queries/${q.queryId}`, { method: 'DELETE' })
  const lost = [...sentAt.keys()].filter((k) => k > warmup).length
  return { name: p.name, mode: q.outputMode, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), max: Math.max(...samples), n: samples.length, lost }
}

export async function measureLatency(rowsPerQuery: number, starts: number): Promise<LatencyResult> {
  const startMs: number[] = []
  for (let i = 0; i < starts; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'weir-bench-start-'))
    const s = await startServer(dir)
    startMs.push(s.ms)
    await stopServer(s.child)
    await rm(dir, { recursive: true, force: true })
  }
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-latency-'))
  const { child, url } = await startServer(dir)
  try {
    const queries = []
    for (const p of PROBES) queries.push(await probe(url, p, rowsPerQuery))
    return { startMs, queries }
  } finally {
    await stopServer(child)
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('latency.ts')) {
  const r = await measureLatency(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 3))
  process.stdout.write(JSON.stringify({ ...r, startMedianMs: median(r.startMs) }) + '\n')
}
