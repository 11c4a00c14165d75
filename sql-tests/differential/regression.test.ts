/**
 * Fixed differential cases with hand-checked expectations: the lateness rules the random cases
 * rely on, written out once so that a change in them shows up here by name. Each case is also
 * run through the oracle (`checkCase`), so the oracle is checked against the hand-derived answer.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { T0, type Event, type EventStream } from './generator.ts'
import { checkCase, runEngine, type Case } from './harness.ts'
import { Oracle } from './oracle.ts'
import type { QExpr, Query, WindowDef } from './query-ast.ts'

const S = 1000
const at = (seconds: number, k = 1): Event => ({ k, v: 1, s: 'a', ts: T0 + seconds * S })

function stream(delayS: number, batches: readonly (readonly number[])[]): EventStream {
  return { vType: 'INT', delayS, rows: batches.flat().map((t) => at(t)), batches: batches.map((b) => b.length) }
}

function countQuery(window: WindowDef, mode: Query['mode']): Query {
  const select: QExpr[] = [{ kind: 'col', name: 'window_start' }, { kind: 'col', name: 'window_end' }, { kind: 'agg', fn: 'count_star', arg: null }]
  return { shape: 'window', select, where: null, window, groupByKey: false, having: null, mode, descriptorSpelling: false }
}

/** [window_start s, window_end s, count] rows of the sink, sorted. */
async function windows(c: Case): Promise<{ rows: number[][]; dropped: number; lastBatch: number }> {
  const run = await runEngine(c)
  const progress = run.progress
  const lastBatch = progress[progress.length - 1]?.batchId ?? -1
  const records = c.query.mode === 'complete' ? run.records.filter((r) => r.batchId === lastBatch) : run.records
  const rows = records.map((r) => [(Number(r.row[0]) - T0) / S, (Number(r.row[1]) - T0) / S, Number(r.row[2])])
  rows.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
  const dropped = progress.flatMap((p) => p.stateOperators).reduce((n, s) => n + s.numRowsDroppedByWatermark, 0)
  return { rows, dropped, lastBatch }
}

describe('differential regressions', () => {
  let oracle: Oracle
  before(async () => {
    oracle = await Oracle.open()
  })

  // TUMBLE 5 s, delay 2 s. Batch 0: 1, 3, 7 (max 7 → watermark 5). Batch 1: 4 is late for
  // [0,5) (end 5 <= 5) and dropped; 12 (max 12 → watermark 10). Batch 2: 11, 16 (watermark 14).
  const tumbling = stream(2, [[1, 3, 7], [4, 12], [11, 16]])

  test('tumbling count, append: one late row is dropped and counted; open windows are not emitted', async () => {
    const c: Case = { label: 'tumbling-append', stream: tumbling, query: countQuery({ kind: 'tumble', sizeS: 5 }, 'append') }
    const got = await windows(c)
    assert.deepEqual(got.rows, [[0, 5, 2], [5, 10, 1]])
    assert.equal(got.dropped, 1)
    assert.equal(await checkCase(c, oracle), null)
  })

  test('tumbling count, complete: the late row counts, nothing is dropped', async () => {
    const c: Case = { label: 'tumbling-complete', stream: tumbling, query: countQuery({ kind: 'tumble', sizeS: 5 }, 'complete') }
    const got = await windows(c)
    assert.deepEqual(got.rows, [[0, 5, 3], [5, 10, 1], [10, 15, 2], [15, 20, 1]])
    assert.equal(got.dropped, 0)
    assert.equal(await checkCase(c, oracle), null)
  })

  // HOP slide 5 s, size 10 s, delay 0. Batch 0: 12 (windows [5,15) [10,20); watermark 12).
  // Batch 1: 8 is late for [0,10) (one drop, counted as Spark counts (row, window) pairs) but
  // on time for [5,15), so it counts there; 21 (watermark 21). Batch 2: 3 is late for [-5,5)
  // and [0,10): two drops; 30 (watermark 30). Closed by 30: [5,15) {12, 8}, [10,20) {12},
  // [15,25) {21}, [20,30) {21}.
  const hopping = stream(0, [[12], [8, 21], [3, 30]])

  test('hop count, append: a row late for one window only still counts in the next', async () => {
    const c: Case = { label: 'hop-append', stream: hopping, query: countQuery({ kind: 'hop', slideS: 5, sizeS: 10 }, 'append') }
    const got = await windows(c)
    assert.deepEqual(got.rows, [[5, 15, 2], [10, 20, 1], [15, 25, 1], [20, 30, 1]])
    assert.equal(got.dropped, 3)
    assert.equal(await checkCase(c, oracle), null)
  })

  test('hop count, update: the final table holds every window that got an on-time row', async () => {
    const c: Case = { label: 'hop-update', stream: hopping, query: countQuery({ kind: 'hop', slideS: 5, sizeS: 10 }, 'update') }
    assert.equal(await checkCase(c, oracle), null)
    const run = await runEngine(c)
    const starts = [...new Set(run.records.map((r) => (Number(r.row[0]) - T0) / S))].sort((a, b) => a - b)
    // [0,10) never gets an on-time row; [25,35) and [30,40) are still open but were updated.
    assert.deepEqual(starts, [5, 10, 15, 20, 25, 30])
  })
})
