/**
 * Engine overhead on pre-built in-memory rows (issue "Engine core", item 10): filter+project and
 * a 10-second tumbling COUNT/SUM/MAX by a key with 10k distinct values, each run through the
 * whole engine (SQL → plan → micro-batches of 100k rows → noop sink) beside a hand-written
 * JavaScript loop doing the same work on the same rows in the same process.
 *
 * Prints rows/s for both and the ratio (target: engine ≥ 50% of the hand loop). Asserts nothing.
 * `BENCH_ROWS` overrides the row count; `--quick` uses fewer rows and rounds.
 */
import { Engine } from '../server/engine.ts'
import { ManualClock } from '../runtime/clock.ts'
import type { Row } from '../runtime/types.ts'

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1'
const ROWS = Number(process.env.BENCH_ROWS ?? (quick ? 400_000 : 2_000_000))
const ROUNDS = quick ? 3 : 5
const BATCH = Number(process.env.BENCH_BATCH ?? 100_000)
const KEYS = 10_000
const T0 = Date.parse('2026-01-01T00:00:00Z')

function makeRows(): Row[] {
  const rows: Row[] = new Array(ROWS)
  let seed = 42
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  for (let i = 0; i < ROWS; i++) {
    // ~10k rows per event-time second, slightly out of order.
    rows[i] = [i, Math.floor(rand() * KEYS), Math.round(rand() * 10000) / 100, T0 + Math.floor(i / 10) - Math.floor(rand() * 50)]
  }
  return rows
}

const FILTER_SQL = `INSERT INTO out SELECT id, v * 2 AS v2, k FROM events WHERE v > 50`
const TUMBLE_SQL = `INSERT INTO out SELECT window_start, k, COUNT(*) AS n, SUM(v) AS total, MAX(v) AS top
  FROM TUMBLE(events, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, k EMIT APPEND`

async function engineRun(rows: Row[], sql: string): Promise<number> {
  const engine = await Engine.open({ clock: new ManualClock(), autoRun: false })
  await engine.execute(`CREATE STREAM events (id BIGINT, k INT, v DOUBLE, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
    CREATE SINK out WITH (connector = 'noop'); SET 'max_rows_per_batch' = '${BATCH}'`)
  await engine.durable.log('events').append(rows)
  await engine.execute(sql)
  collectGarbage()
  const start = performance.now()
  await engine.runDueBatches()
  const ms = performance.now() - start
  await engine.close()
  return ms
}

/** The same filter and projection by hand, over the same 100k-row batches. */
function handFilter(rows: Row[]): number {
  collectGarbage()
  const start = performance.now()
  let kept = 0
  for (let b = 0; b < rows.length; b += BATCH) {
    const out: Row[] = []
    const end = Math.min(rows.length, b + BATCH)
    for (let i = b; i < end; i++) {
      const r = rows[i]!
      const v = r[2] as number
      if (v > 50) out.push([r[0]!, v * 2, r[1]!])
    }
    kept += out.length
  }
  if (kept < 0) console.log(kept)
  return performance.now() - start
}

/** The same tumbling aggregation by hand: Map of Maps with numeric keys, append on watermark. */
function handTumble(rows: Row[]): number {
  collectGarbage()
  const start = performance.now()
  const size = 10_000
  const windows = new Map<number, Map<number, { n: number; sum: number; max: number }>>()
  let watermark = -Infinity
  let emitted = 0
  for (let b = 0; b < rows.length; b += BATCH) {
    const end = Math.min(rows.length, b + BATCH)
    let maxTs = -Infinity
    for (let i = b; i < end; i++) {
      const r = rows[i]!
      const ts = r[3] as number
      if (ts > maxTs) maxTs = ts
      const ws = ts - (ts % size)
      if (ws + size <= watermark) continue
      let w = windows.get(ws)
      if (!w) windows.set(ws, (w = new Map()))
      const k = r[1] as number
      const v = r[2] as number
      const acc = w.get(k)
      if (acc === undefined) w.set(k, { n: 1, sum: v, max: v })
      else {
        acc.n++
        acc.sum += v
        if (v > acc.max) acc.max = v
      }
    }
    watermark = Math.max(watermark, maxTs - 1000)
    const out: Row[] = []
    for (const [ws, w] of windows) {
      if (ws + size > watermark) continue
      for (const [k, a] of w) out.push([ws, k, a.n, a.sum, a.max])
      windows.delete(ws)
    }
    emitted += out.length
  }
  if (emitted < 0) console.log(emitted)
  return performance.now() - start
}

/** Start every timed run from a clean heap, so one variant does not pay for another's garbage. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) gc()
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

const rows = makeRows()
console.log(`engine overhead: ${ROWS.toLocaleString('en')} pre-built rows, batches of ${BATCH.toLocaleString('en')}, median of ${ROUNDS} rounds`)
const only = process.env.BENCH_ONLY
for (const [name, sql, hand] of [['filter+project', FILTER_SQL, handFilter], ['tumbling 10s COUNT/SUM/MAX, 10k keys', TUMBLE_SQL, handTumble]] as const) {
  if (only && !name.startsWith(only)) continue
  await engineRun(rows.slice(0, 50_000), sql)
  hand(rows.slice(0, 50_000))
  const e: number[] = []
  const h: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    e.push(await engineRun(rows, sql))
    h.push(hand(rows))
  }
  const engineRate = ROWS / (median(e) / 1000)
  const handRate = ROWS / (median(h) / 1000)
  console.log(
    `${name.padEnd(38)} engine ${(engineRate / 1e6).toFixed(2)} M rows/s   hand loop ${(handRate / 1e6).toFixed(2)} M rows/s   ratio ${(engineRate / handRate * 100).toFixed(0)}%`,
  )
}
