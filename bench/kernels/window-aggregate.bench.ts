/**
 * Micro-benchmark: 10 s tumbling COUNT(*)/SUM/MAX by a key with 10k distinct values, over 2M
 * pre-built rows in 1024-row chunks, run as micro-batches of ~100k rows with a watermark 5 s
 * behind (append mode: closed windows emitted and evicted). Compares TumblingWindowAggregate
 * (process + finish; and with commit into a write batch) with a hand-written Map-of-Maps loop
 * doing the same work on the same rows (its output rows materialised too). Prints rows/s
 * (median of rounds) and the median of per-round ratios (side-by-side runs share the machine's
 * noise); asserts nothing. `commit` adds writing every changed group to a MemoryStateStore
 * write batch each micro-batch (mostly the store's JSON serialisation).
 *
 *   [KEYS=10000] npx tsx bench/kernels/window-aggregate.bench.ts [rounds] [operator|commit|hand]
 */
import type { ColumnExpr, WindowAggregateNode } from '../../runtime/graph.ts'
import type { BatchContext } from '../../runtime/operators/operator.ts'
import { TumblingWindowAggregate } from '../../runtime/operators/tumbling-window-aggregate.ts'
import { MemoryStateStore } from '../../runtime/state/memory-state-store.ts'
import type { Row } from '../../runtime/types.ts'

const ROWS = 2_000_000
const CHUNK = 1024
const CHUNKS_PER_BATCH = 100
const KEYS = Number(process.env.KEYS ?? 10_000)
const SIZE = 10_000
const DELAY = 5_000

function buildRows(): Row[][] {
  let seed = 42
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
    return (seed >>> 8) % n
  }
  const chunks: Row[][] = []
  for (let i = 0; i < ROWS; i += CHUNK) {
    const chunk: Row[] = []
    // 10 rows per ms: 2M rows span 200 s, 20 windows of 100k rows over 10k keys.
    for (let j = i; j < Math.min(i + CHUNK, ROWS); j++) chunk.push([rand(KEYS), Math.floor(j / 10), rand(1000)])
    chunks.push(chunk)
  }
  return chunks
}

const col = (index: number, name: string): ColumnExpr => ({ kind: 'column', index, type: 'BIGINT', name })
const node: WindowAggregateNode = {
  kind: 'window-aggregate',
  id: 1,
  schema: { fields: [] },
  input: { kind: 'source', id: 0, schema: { fields: [] }, source: 'bench', watermark: null },
  window: { kind: 'tumbling', timeColumn: 1, size: SIZE, offset: 0 },
  keys: [col(0, 'k')],
  aggregates: [
    { fn: 'count_star', arg: null, type: 'BIGINT', name: 'count(*)' },
    { fn: 'sum', arg: col(2, 'v'), type: 'BIGINT', name: 'sum(v)' },
    { fn: 'max', arg: col(2, 'v'), type: 'BIGINT', name: 'max(v)' },
  ],
  outputMode: 'append',
}

/** Runs the chunks as micro-batches; returns [elapsed ms, output rows]. */
function runOperator(chunks: Row[][], commit: boolean): [number, number] {
  const op = new TumblingWindowAggregate(node)
  const store = new MemoryStateStore()
  let out = 0
  let wm: number | null = null
  let maxTs = 0
  const t0 = performance.now()
  for (let b = 0, batchId = 0; b < chunks.length; b += CHUNKS_PER_BATCH, batchId++) {
    const ctx: BatchContext = { batchId, watermark: wm, batchTimestamp: 0 }
    for (const chunk of chunks.slice(b, b + CHUNKS_PER_BATCH)) {
      op.process({ rows: chunk, ops: null }, 0, ctx)
      maxTs = Math.max(maxTs, chunk[chunk.length - 1]?.[1] as number)
    }
    out += op.finish(ctx).rows.length
    if (commit) op.commit(store.newWriteBatch(), ctx)
    wm = maxTs - DELAY
  }
  return [performance.now() - t0, out]
}

interface HandAcc {
  count: number
  sum: number | null
  max: number | null
}

function runHand(chunks: Row[][]): [number, number] {
  const windows = new Map<number, Map<number, HandAcc>>()
  let out = 0
  let wm: number | null = null
  let maxTs = 0
  const t0 = performance.now()
  for (let b = 0; b < chunks.length; b += CHUNKS_PER_BATCH) {
    const w = wm
    // Close windows at the batch's watermark; the batch's output rows are materialised, as the operator's are.
    const emitted: Row[] = []
    if (w !== null) {
      for (const [start, groups] of windows) {
        if (start + SIZE > w) continue
        for (const [key, a] of groups) emitted.push([start, start + SIZE, key, a.count, a.sum, a.max])
        windows.delete(start)
      }
    }
    out += emitted.length
    for (const chunk of chunks.slice(b, b + CHUNKS_PER_BATCH)) {
      for (const row of chunk) {
        const ts = row[1] as number
        const start = Math.floor(ts / SIZE) * SIZE
        if (w !== null && start + SIZE <= w) continue
        let groups = windows.get(start)
        if (groups === undefined) {
          groups = new Map()
          windows.set(start, groups)
        }
        const key = row[0] as number
        const v = row[2] as number | null
        let a = groups.get(key)
        if (a === undefined) {
          a = { count: 0, sum: null, max: null }
          groups.set(key, a)
        }
        a.count++
        if (v !== null) {
          a.sum = a.sum === null ? v : a.sum + v
          if (a.max === null || v > a.max) a.max = v
        }
      }
      maxTs = Math.max(maxTs, chunk[chunk.length - 1]?.[1] as number)
    }
    wm = maxTs - DELAY
  }
  return [performance.now() - t0, out]
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

const rounds = Number(process.argv[2] ?? 7)
const only = process.argv[3]
const chunks = buildRows()
const variants = {
  operator: () => runOperator(chunks, false),
  commit: () => runOperator(chunks, true),
  hand: () => runHand(chunks),
}
const names = (Object.keys(variants) as (keyof typeof variants)[]).filter((n) => only === undefined || n === only)
const times: Record<string, number[]> = {}
const outputs: Record<string, number> = {}
for (const n of names) variants[n]() // warm-up
for (let r = 0; r < rounds; r++) {
  for (const n of names) {
    const [ms, out] = variants[n]()
    ;(times[n] ??= []).push(ms)
    outputs[n] = out
  }
}
const rate: Record<string, number> = {}
for (const n of names) {
  rate[n] = ROWS / (median(times[n] as number[]) / 1000)
  console.log(`${n.padEnd(9)} ${((rate[n] as number) / 1e6).toFixed(2).padStart(6)} M rows/s   (median of ${rounds}, ${outputs[n]} output rows)`)
}
// Ratios per round (runs side by side share the machine's noise), then their median.
const ratio = (n: string): string => {
  const a = times[n] as number[]
  const h = times.hand as number[]
  return `${(median(a.map((t, i) => (h[i] as number) / t)) * 100).toFixed(0)}%`
}
if (times.hand !== undefined) {
  if (times.operator !== undefined) console.log(`operator / hand = ${ratio('operator')} (median of per-round ratios)`)
  if (times.commit !== undefined) console.log(`operator+commit / hand = ${ratio('commit')}`)
}
