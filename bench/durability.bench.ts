/**
 * Durability benchmark (prints, asserts nothing). Each section runs in its own process:
 *
 * - `commit`: per-batch checkpoint overhead (offset log write + atomic state/commit write), for a
 *   1-row batch (1 state update) and a 10k-row batch (10k state updates), LevelCheckpoint vs
 *   MemoryCheckpoint. Median of many batches.
 * - `window`: a 10 s tumbling COUNT/SUM/MAX over 10k keys, 2M pre-built rows pushed through the
 *   MicroBatchExecutor in 100k-row batches (watermark 5 s), with LevelCheckpoint and with
 *   MemoryCheckpoint in the same process, alternating; median rows/s and the ratio.
 * - `keys`: a non-windowed COUNT(*) GROUP BY over 1M distinct keys (update mode, 100k-row
 *   batches) with LevelCheckpoint; peak RSS and time.
 *
 *   npx tsx bench/durability.bench.ts [commit|window|keys]
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryCheckpoint, type QueryCheckpoint } from '../runtime/checkpoint.ts'
import { ManualClock } from '../runtime/clock.ts'
import type { AggregateCall, ColumnExpr, OperatorNode, QueryGraph, SourceNode } from '../runtime/graph.ts'
import { LevelCheckpoint } from '../runtime/level-checkpoint.ts'
import { MicroBatchExecutor } from '../runtime/micro-batch-executor.ts'
import { createOperator } from '../runtime/operators/build.ts'
import type { Sink } from '../runtime/sink.ts'
import type { ReadLimit, Source, SourceOffset } from '../runtime/source.ts'
import { openLevelDb } from '../runtime/state/level-state-store.ts'
import type { Row } from '../runtime/types.ts'

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0))

async function tempDb(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

// ------------------------------------------------------------------------------------------
async function benchCommit(): Promise<void> {
  const { dir, cleanup } = await tempDb()
  const db = await openLevelDb(join(dir, 'db'))
  for (const updates of [1, 10_000]) {
    const iterations = updates === 1 ? 300 : 30
    for (const kind of ['level', 'memory'] as const) {
      const cp: QueryCheckpoint = kind === 'level' ? new LevelCheckpoint(db, `q-${updates}`) : new MemoryCheckpoint()
      const offsetMs: number[] = []
      const commitMs: number[] = []
      for (let b = 0; b < iterations; b++) {
        const t0 = performance.now()
        await cp.writeOffsets({ batchId: b, offsets: { s: { start: b * updates, end: (b + 1) * updates } }, watermark: null, batchTimestamp: b })
        const t1 = performance.now()
        await cp.commit({ batchId: b, nextOffsets: { s: (b + 1) * updates }, batchWatermark: null, sourceWatermarks: { s: null }, nextWatermark: null }, (batch) => {
          for (let i = 0; i < updates; i++) batch.put('op-1', ['groups', 1_700_000_000_000 + b, i], [b, i * 3, i % 97, 'x'.repeat(40)])
        })
        commitMs.push(performance.now() - t1)
        offsetMs.push(t1 - t0)
      }
      const total = offsetMs.map((o, i) => o + commitMs[i]!)
      console.log(`commit ${kind.padEnd(6)} ${String(updates).padStart(6)} updates/batch: offset log ${median(offsetMs).toFixed(3)} ms, ` +
        `state+commit ${median(commitMs).toFixed(3)} ms, total ${median(total).toFixed(3)} ms median (p90 ${[...total].sort((a, b) => a - b)[Math.floor(total.length * 0.9)]!.toFixed(3)} ms)`)
    }
  }
  await db.close()
  await cleanup()
}

// ------------------------------------------------------------------------------------------
class ArraySource implements Source {
  readonly description = 'ArraySource'
  constructor(private readonly rows: Row[]) {}
  async initialOffset(): Promise<SourceOffset> { return 0 }
  async latestOffset(): Promise<SourceOffset> { return this.rows.length }
  async endOffset(start: SourceOffset, limit: ReadLimit): Promise<SourceOffset> {
    return limit.maxRows === null ? this.rows.length : Math.min(this.rows.length, (start as number) + limit.maxRows)
  }
  async read(start: SourceOffset, end: SourceOffset): Promise<Row[]> { return this.rows.slice(start as number, end as number) }
  distance(from: SourceOffset, to: SourceOffset): number { return (to as number) - (from as number) }
  async close(): Promise<void> {}
}

class NullSink implements Sink {
  readonly description = 'NullSink'
  readonly guarantee = 'exactly-once' as const
  rows = 0
  async write(_batchId: number, changes: { rows: Row[] }): Promise<void> { this.rows += changes.rows.length }
  async close(): Promise<void> {}
}

const col = (index: number, name: string): ColumnExpr => ({ kind: 'column', index, type: 'BIGINT', name })
const AGGS: AggregateCall[] = [
  { fn: 'count_star', arg: null, type: 'BIGINT', name: 'count(*)' },
  { fn: 'sum', arg: col(2, 'v'), type: 'BIGINT', name: 'sum(v)' },
  { fn: 'max', arg: col(2, 'v'), type: 'BIGINT', name: 'max(v)' },
]
const inputFields = [{ name: 'k', type: 'BIGINT' as const }, { name: 'ts', type: 'TIMESTAMP' as const }, { name: 'v', type: 'BIGINT' as const }]

function graphOf(root: OperatorNode): QueryGraph {
  return { root, outputMode: 'outputMode' in root ? root.outputMode : 'append', schema: root.schema, sources: ['bench'] }
}

async function runExecutor(graph: QueryGraph, rows: Row[], checkpoint: QueryCheckpoint, onBatch?: () => void): Promise<number> {
  const sink = new NullSink()
  const ex = await MicroBatchExecutor.start({
    queryId: 'bench', name: null, graph, sources: new Map([['bench', new ArraySource(rows)]]), sink, checkpoint,
    clock: new ManualClock(), trigger: { kind: 'default' }, limits: new Map([['bench', { maxRows: 100_000 }]]), createOperator,
  })
  const t0 = performance.now()
  while (await ex.runBatch()) onBatch?.()
  const ms = performance.now() - t0
  await ex.close()
  return ms
}

async function benchWindow(): Promise<void> {
  const ROWS = 2_000_000
  let seed = 42
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) >>> 8) % n
  const rows: Row[] = Array.from({ length: ROWS }, (_, j) => [rand(10_000), Math.floor(j / 10), rand(1000)])
  const source: SourceNode = { kind: 'source', id: 0, schema: { fields: inputFields }, source: 'bench', watermark: { column: 1, delayMs: 5000 } }
  const graph = graphOf({
    kind: 'window-aggregate', id: 1, input: source, window: { kind: 'tumbling', timeColumn: 1, size: 10_000, offset: 0 },
    keys: [col(0, 'k')], aggregates: AGGS, outputMode: 'append',
    schema: { fields: [{ name: 'window_start', type: 'TIMESTAMP' }, { name: 'window_end', type: 'TIMESTAMP' }, { name: 'k', type: 'BIGINT' }, { name: 'n', type: 'BIGINT' }, { name: 's', type: 'BIGINT' }, { name: 'm', type: 'BIGINT' }] },
  })
  const results: Record<'level' | 'memory', number[]> = { level: [], memory: [] }
  for (let round = 0; round < 5; round++) {
    for (const kind of ['memory', 'level'] as const) {
      const { dir, cleanup } = await tempDb()
      const db = kind === 'level' ? await openLevelDb(join(dir, 'db')) : null
      const cp = db ? new LevelCheckpoint(db, 'bench') : new MemoryCheckpoint()
      const ms = await runExecutor(graph, rows, cp)
      if (round > 0) results[kind].push((ROWS * 1000) / ms)
      await db?.close()
      await cleanup()
    }
  }
  const level = median(results.level)
  const memory = median(results.memory)
  console.log(`window 10s tumbling COUNT/SUM/MAX, 10k keys, 2M rows, 100k-row batches through the executor:`)
  console.log(`  MemoryCheckpoint ${fmt(memory)} rows/s, LevelCheckpoint ${fmt(level)} rows/s: ratio ${(level / memory * 100).toFixed(0)}% (median of 4 after a warm-up)`)
}

async function benchKeys(): Promise<void> {
  const ROWS = 1_000_000
  const rows: Row[] = Array.from({ length: ROWS }, (_, j) => [(j * 7919) % ROWS, j, j % 100])
  const source: SourceNode = { kind: 'source', id: 0, schema: { fields: inputFields }, source: 'bench', watermark: null }
  const graph = graphOf({
    kind: 'aggregate', id: 1, input: source, keys: [col(0, 'k')], aggregates: [AGGS[0]!], outputMode: 'update', eventTimeKey: null,
    schema: { fields: [{ name: 'k', type: 'BIGINT' }, { name: 'n', type: 'BIGINT' }] },
  })
  const { dir, cleanup } = await tempDb()
  const db = await openLevelDb(join(dir, 'db'))
  let peak = process.memoryUsage().rss
  const ms = await runExecutor(graph, rows, new LevelCheckpoint(db, 'bench'), () => (peak = Math.max(peak, process.memoryUsage().rss)))
  console.log(`COUNT(*) GROUP BY over 1M distinct keys, 100k-row batches, LevelCheckpoint: ${(ms / 1000).toFixed(1)} s ` +
    `(${fmt((ROWS * 1000) / ms)} rows/s), peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (input rows included)`)
  const t0 = performance.now()
  let restored = 0
  for await (const _ of new LevelCheckpoint(db, 'bench').store.scan('op-1')) restored++
  console.log(`  restore scan: ${restored} state entries in ${((performance.now() - t0) / 1000).toFixed(2)} s`)
  await db.close()
  await cleanup()
}

const section = process.argv[2]
if (section === 'commit') await benchCommit()
else if (section === 'window') await benchWindow()
else if (section === 'keys') await benchKeys()
else {
  for (const s of ['commit', 'window', 'keys']) {
    spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, s], { stdio: 'inherit' })
  }
}
