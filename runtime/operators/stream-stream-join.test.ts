import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Expr, JoinNode, SourceNode } from '../graph.ts'
import { MemoryStateStore } from '../state/memory-state-store.ts'
import type { Row } from '../types.ts'
import type { BatchContext } from './operator.ts'
import { StreamStreamJoin } from './stream-stream-join.ts'
import { col } from './test-nodes.ts'

// a (k, ts) LEFT JOIN b (k, ts) ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + 10:
// a rows are dropped at ts <= watermark - 11, b rows at ts <= watermark - 1.
const input = (id: number, source: string): SourceNode => ({
  kind: 'source', id, source, watermark: { column: 1, delayMs: 0 },
  schema: { fields: [{ name: 'k', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }] },
})
const ts = (i: number): Expr => col(i, 'TIMESTAMP')
const condition: Expr = {
  kind: 'call', fn: 'between', type: 'BOOLEAN',
  args: [ts(3), ts(1), { kind: 'call', fn: '+', type: 'TIMESTAMP', args: [ts(1), { kind: 'literal', type: 'INTERVAL', value: 10 }] }],
}
const node: JoinNode = {
  kind: 'join', id: 3, joinType: 'left', inputs: 'stream-stream', left: input(1, 'a'), right: input(2, 'b'),
  schema: { fields: [] }, leftKeys: [col(0)], rightKeys: [col(0)], condition, leftFilter: null, rightFilter: null,
  leftTime: { late: { column: 1, lagMs: 0 }, evict: { column: 1, offsetMs: -11 } },
  rightTime: { late: { column: 1, lagMs: 0 }, evict: { column: 1, offsetMs: -1 } },
}

/** Runs batches through the join on a memory store, committing each; can restart from the store. */
class Driver {
  readonly store = new MemoryStateStore()
  op = new StreamStreamJoin(node)
  private batchId = 0

  async open(): Promise<this> {
    await this.op.open({ store: this.store, namespace: 'op-3' })
    return this
  }

  run(watermark: number | null, a: Row[], b: Row[]): string[] {
    const ctx: BatchContext = { batchId: this.batchId++, watermark, batchTimestamp: 0 }
    const out = [
      ...this.op.process({ rows: a, ops: null }, 0, ctx).rows,
      ...this.op.process({ rows: b, ops: null }, 1, ctx).rows,
      ...this.op.finish(ctx).rows,
    ]
    const wb = this.store.newWriteBatch()
    this.op.commit(wb, ctx)
    this.store.commit(wb)
    return out.map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join(' '))
  }

  async restart(): Promise<void> {
    this.op.close()
    this.op = new StreamStreamJoin(node)
    await this.open()
  }
}

type Step = readonly [watermark: number | null, a: Row[], b: Row[]]

// Rows in the same batch span several state bounds, so segments are evicted in part; a rows
// match b rows of later batches (after their segment was written), or never.
const STEPS: readonly Step[] = [
  [null, [[1, 100], [2, 100], [3, 150], [4, 160]], [[9, 100]]],
  [95, [[5, 200]], [[1, 105], [3, 155]]],
  [112, [[6, 210], [1, 205]], [[5, 205], [7, 300]]],
  [150, [], [[4, 165], [6, 215], [1, 210]]],
  [170, [[7, 295]], []],
  [240, [], [[5, 209]]],
  [400, [], []],
]

async function outputs(restartEvery: boolean): Promise<string[][]> {
  const d = await new Driver().open()
  const all: string[][] = []
  for (const [wm, a, b] of STEPS) {
    if (restartEvery) await d.restart()
    all.push(d.run(wm, a, b))
  }
  return all
}

test('outputs are the same with a restart before every batch', async () => {
  const straight = await outputs(false)
  assert.deepEqual(straight, [
    [],
    ['1 100 1 105', '3 150 3 155'],
    // At 112 - 11, a 1 (ts 100, matched) goes silently and a 2 with NULLs.
    ['5 200 5 205', '2 100 NULL NULL'],
    ['4 160 4 165', '6 210 6 215', '1 205 1 210'],
    ['7 295 7 300'],
    // b 5 at 209 is late at 240; every a row left had matched.
    [],
    [],
  ])
  assert.deepEqual(await outputs(true), straight)
})

test('a restart drops the rows the last watermark evicted from segments that stay', async () => {
  const d = await new Driver().open()
  d.run(null, [[1, 100], [1, 500]], [])
  // The watermark 200 evicts (1, 100) but not (1, 500): their segment is kept whole in the store.
  assert.deepEqual(d.run(200, [], []), ['1 100 NULL NULL'])
  await d.restart()
  assert.equal(d.op.stateProgress()?.numRowsTotal, 1)
  assert.deepEqual(d.run(200, [], [[1, 505]]), ['1 500 1 505'])
  assert.deepEqual(d.run(600, [], []), [])
})

test('partly evicted segments are rewritten once their dead rows outnumber the live ones', async () => {
  const d = await new Driver().open()
  // Batch i: 600 a rows at i s + 0..599 ms, evicted by the next batch's watermark, and one row
  // at 10 s, so every segment keeps one live row.
  const far = (i: number): string => `${1_000_000 + i} 10000 NULL NULL`
  for (let i = 0; i < 6; i++) {
    const a: Row[] = Array.from({ length: 600 }, (_, j) => [j, i * 1000 + j])
    a.push([1_000_000 + i, 10_000])
    d.run(i === 0 ? null : i * 1000 - 100, a, [])
  }
  // meta + 6 segments. After batch 3, 1800 dead rows outnumbered 603 live + 1024: segments 0-2
  // were rewritten with their one live row; segments 3 and 4 still hold 600 dead rows each.
  assert.equal(d.store.count('op-3'), 7)
  assert.equal(await storedRows(d.store), 3 + 3 * 601)
  await d.restart()
  assert.equal(d.op.stateProgress()?.numRowsTotal, 606)
  // Everything goes unmatched, in insertion order: far rows 0-4, the last 600, far row 5.
  const out = d.run(20_000, [], [])
  assert.deepEqual(out.slice(0, 5), [0, 1, 2, 3, 4].map(far))
  assert.deepEqual(out.slice(5, 605), Array.from({ length: 600 }, (_, j) => `${j} ${5000 + j} NULL NULL`))
  assert.deepEqual(out.slice(605), [far(5)])
  assert.equal(d.store.count('op-3'), 1)
})

test('a commit writes its rows in segments of at most 4096', async () => {
  const d = await new Driver().open()
  d.run(null, Array.from({ length: 10_000 }, (_, j) => [j, j]), [])
  assert.equal(d.store.count('op-3'), 1 + 3)
  await d.restart()
  assert.equal(d.op.stateProgress()?.numRowsTotal, 10_000)
  // The first segment goes whole, the second in part (the rest stays, dropped again on restore).
  assert.equal(d.run(5_010, [], []).length, 5_000)
  assert.equal(d.store.count('op-3'), 1 + 2)
  await d.restart()
  assert.equal(d.op.stateProgress()?.numRowsTotal, 5_000)
  assert.deepEqual(d.run(5_010, [], [[5_005, 5_011]]), ['5005 5005 5005 5011'])
})

test('a match after the row was written is kept by a small entry, and deleted with the row', async () => {
  const d = await new Driver().open()
  d.run(null, [[1, 100]], [])
  const before = d.store.count('op-3')
  d.run(50, [], [[1, 105]])
  assert.equal(d.store.count('op-3'), before + 2, 'a segment for the b row and a mark for the a row')
  await d.restart()
  // Matched before the restart: dropped silently.
  assert.deepEqual(d.run(200, [], []), [])
  assert.equal(d.store.count('op-3'), 1, 'only meta is left')
})

test('restores the per-row layout of earlier versions and moves it into segments', async () => {
  const store = new MemoryStateStore()
  const wb = store.newWriteBatch()
  wb.put('op-3', ['meta'], { watermark: 50 })
  wb.put('op-3', ['rows', 0, 0], [[1, 100], 0])
  wb.put('op-3', ['rows', 0, 2], [[2, 100], 1])
  wb.put('op-3', ['rows', 1, 1], [[3, 104], 0])
  store.commit(wb)
  const d = new Driver()
  Object.assign(d, { store })
  await d.open()
  assert.deepEqual(d.run(60, [[3, 95]], [[1, 101]]), ['3 95 3 104', '1 100 1 101'])
  for await (const e of store.scan('op-3')) assert.notEqual(e.key[0], 'rows', JSON.stringify(e.key))
  await d.restart()
  // a 1 and a 2 matched (a 2 in the old layout); a 3 matched now: nothing is emitted with NULLs.
  assert.deepEqual(d.run(500, [], []), [])
})

async function storedRows(store: MemoryStateStore): Promise<number> {
  let n = 0
  for await (const e of store.scan('op-3')) if (e.key[0] === 'segments') n += (e.value as [unknown, Row[], number[]])[1].length
  return n
}
