/**
 * Join benchmarks (issue "Joins", item 6). Prints figures; asserts nothing.
 *
 * 1. Stream-static: a stream joined with a 100k-row embedded table, then a projection, through
 *    the whole engine (SQL → plan → micro-batches of 100k rows → noop sink), beside a
 *    hand-written loop doing the same Map lookups on the same rows (target: engine ≥ 50%).
 * 2. Stream-stream: `b.ts BETWEEN a.ts - 10 minutes AND a.ts`, both inputs advancing in event
 *    time, driven batch by batch through the join operator with a memory state store (commit
 *    every batch); prints buffered rows and RSS as the run goes: flat once the range is full.
 *    Rows are built per batch outside the timed part (event time, not wall time).
 *
 * Env: BENCH_ROWS (stream-static rows, default 2M), JOIN_ROWS (stream-stream rows, both inputs,
 * default 6M), JOIN_EVENT_RATE (rows per event-time second per input, default 2000; the
 * buffered side holds rate × 600 rows at steady state, so the run must be several times that).
 * `--quick` shrinks everything. Run with `node --expose-gc --import tsx bench/join.bench.ts`
 * for stable RSS figures.
 */
import { Engine } from '../server/engine.ts'
import { ManualClock } from '../runtime/clock.ts'
import type { Row } from '../runtime/types.ts'
import { planQuery } from '../planner/plan-query.ts'
import { parseScript } from '../planner/parse/parse.ts'
import type { Catalog } from '../planner/catalog.ts'
import { createOperator } from '../runtime/operators/build.ts'
import { MemoryStateStore } from '../runtime/state/memory-state-store.ts'
import type { OperatorNode } from '../runtime/graph.ts'
import { seededRandom } from '../runtime/random.ts'

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1'
const ROWS = Number(process.env.BENCH_ROWS ?? (quick ? 400_000 : 2_000_000))
const TABLE_ROWS = 100_000
const BATCH = 100_000
const ROUNDS = quick ? 3 : 5
const T0 = Date.parse('2026-01-01T00:00:00Z')
const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

// ---------------------------------------------------------------------------------------------
// 1. Stream-static
// ---------------------------------------------------------------------------------------------

function tableRows(): Row[] {
  const countries = ['FR', 'DE', 'US', 'JP', 'BR']
  return Array.from({ length: TABLE_ROWS }, (_, i) => [i, `user-${i}`, countries[i % countries.length]!])
}

function streamRows(): Row[] {
  const rand = seededRandom(7)
  // ~90% of the clicks find their user.
  return Array.from({ length: ROWS }, (_, i) => [Math.floor(rand() * TABLE_ROWS * 1.1), `https://example.com/${i % 1000}`, T0 + i])
}

async function engineStreamStatic(table: Row[], rows: Row[]): Promise<number> {
  const engine = await Engine.open({ clock: new ManualClock(), autoRun: false })
  await engine.execute(`CREATE TABLE users (id BIGINT, name VARCHAR, country VARCHAR);
    CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP);
    CREATE SINK out WITH (connector = 'noop'); SET 'max_rows_per_batch' = '${BATCH}'`)
  await engine.durable.putTableRows('users', table)
  await engine.durable.log('clicks').append(rows)
  await engine.execute(`INSERT INTO out SELECT c.url, u.name, u.country FROM clicks c JOIN users u ON c.user_id = u.id`)
  gc()
  const start = performance.now()
  await engine.runDueBatches()
  const ms = performance.now() - start
  await engine.close()
  return ms
}

function handStreamStatic(table: Row[], rows: Row[]): { ms: number; out: number } {
  gc()
  const start = performance.now()
  const users = new Map<number, Row>()
  for (const u of table) users.set(u[0] as number, u)
  let out = 0
  for (let b = 0; b < rows.length; b += BATCH) {
    const batch: Row[] = []
    const end = Math.min(rows.length, b + BATCH)
    for (let i = b; i < end; i++) {
      const r = rows[i]!
      const u = users.get(r[0] as number)
      if (u !== undefined) batch.push([r[1]!, u[1]!, u[2]!])
    }
    out += batch.length
  }
  return { ms: performance.now() - start, out }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rate = (rows: number, ms: number): string => `${((rows / ms) * 1000 / 1e6).toFixed(2)} M rows/s`

async function streamStatic(): Promise<void> {
  const table = tableRows()
  const rows = streamRows()
  await engineStreamStatic(table, rows.slice(0, 200_000))
  handStreamStatic(table, rows.slice(0, 200_000))
  const eng: number[] = []
  const hand: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    eng.push(await engineStreamStatic(table, rows))
    hand.push(handStreamStatic(table, rows).ms)
  }
  const e = median(eng)
  const h = median(hand)
  console.log(`stream-static join (${TABLE_ROWS} table rows) + projection, ${ROWS} rows, median of ${ROUNDS}:`)
  console.log(`  engine ${rate(ROWS, e)}   hand loop ${rate(ROWS, h)}   engine/hand = ${((h / e) * 100).toFixed(0)}%`)
}

// ---------------------------------------------------------------------------------------------
// 2. Stream-stream state over a long run
// ---------------------------------------------------------------------------------------------

const JOIN_ROWS = Number(process.env.JOIN_ROWS ?? (quick ? 600_000 : 6_000_000))
const EVENT_RATE = Number(process.env.JOIN_EVENT_RATE ?? (quick ? 500 : 2000))
const SS_BATCH = 10_000
const KEYS = 1_000_000
const DELAY_MS = 5000

function joinNode(): OperatorNode {
  const fields = [{ name: 'k', type: 'INT' as const }, { name: 'ts', type: 'TIMESTAMP' as const }]
  const rel = (name: string) => ({ name, kind: 'stream' as const, fields, watermark: { column: 'ts', delayMs: DELAY_MS }, primaryKey: [] })
  const catalog: Catalog = {
    relation: (n) => (n === 'a' || n === 'b' ? rel(n) : undefined),
    sink: () => undefined,
  }
  const [parsed] = parseScript(`SELECT a.k, a.ts, b.ts FROM a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '10' MINUTE AND a.ts`)
  const stmt = parsed!.statement
  if (stmt.kind !== 'query') throw new Error('expected a query')
  let node = planQuery(stmt.select, catalog, { emit: null }).graph.root
  while (node.kind !== 'join') {
    if (node.kind === 'source' || node.kind === 'static-table') throw new Error('no join in the plan')
    node = node.input
  }
  return node
}

async function streamStream(): Promise<void> {
  const node = joinNode()
  const op = createOperator(node)
  const store = new MemoryStateStore()
  await op.open({ store, namespace: 'op-join' })
  const rand = seededRandom(11)
  const perSide = SS_BATCH / 2
  const spanMs = (perSide / EVENT_RATE) * 1000
  let t = T0
  let wm: number | null = null
  let processed = 0
  let outputRows = 0
  let opMs = 0
  let nextReport = 0
  const reportEvery = Math.max(JOIN_ROWS / 12, SS_BATCH)
  console.log(`stream-stream join, range 10 min, ${EVENT_RATE} rows per event-time second per input, ${JOIN_ROWS} rows, ${SS_BATCH}-row batches:`)
  for (let batchId = 0; processed < JOIN_ROWS; batchId++) {
    const make = (): Row[] => Array.from({ length: perSide }, (_, i) => [Math.floor(rand() * KEYS), Math.round(t + (i * spanMs) / perSide)])
    const a = make()
    const b = make()
    const ctx = { batchId, watermark: wm, batchTimestamp: batchId }
    const start = performance.now()
    outputRows += op.process({ rows: a, ops: null }, 0, ctx).rows.length
    outputRows += op.process({ rows: b, ops: null }, 1, ctx).rows.length
    outputRows += op.finish(ctx).rows.length
    const write = store.newWriteBatch()
    op.commit(write, ctx)
    store.commit(write)
    opMs += performance.now() - start
    processed += SS_BATCH
    t += spanMs
    wm = Math.max(wm ?? -Infinity, t - DELAY_MS)
    if (processed >= nextReport) {
      gc()
      const state = op.stateProgress()
      const mem = process.memoryUsage()
      const rss = mem.rss / 1e6
      const heap = mem.heapUsed / 1e6
      const eventMin = ((t - T0) / 60_000).toFixed(1)
      console.log(`  ${String(processed).padStart(9)} rows  event time +${eventMin.padStart(5)} min  buffered ${String(state?.numRowsTotal ?? 0).padStart(8)}  RSS ${rss.toFixed(0)} MB  heap ${heap.toFixed(0)} MB  output ${outputRows}`)
      nextReport += reportEvery
    }
  }
  console.log(`  operator throughput ${rate(processed, opMs)} (process + finish + commit to a memory state store)`)
}

await streamStatic()
await streamStream()
