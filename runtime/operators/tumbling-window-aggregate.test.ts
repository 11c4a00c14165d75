import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutputMode } from '../graph.ts'
import { OperatorHarness } from './test-changelog.ts'
import { agg, col, tumbling, windowNode } from './test-nodes.ts'
import { TumblingWindowAggregate } from './tumbling-window-aggregate.ts'

// Rows: user_id, ts (ms). Output: window_start, window_end, user_id, count(*).
const perMinute = (mode: OutputMode): Promise<OperatorHarness<TumblingWindowAggregate>> =>
  new OperatorHarness(() => new TumblingWindowAggregate(windowNode(tumbling(60_000), [col(0)], [agg('count_star')], mode))).open()

test('append: the SQL-TESTS example (emitted once closed, a later row dropped and counted)', async () => {
  const h = await perMinute('append')
  h.expect(null, '+ 1 10000 | + 1 50000 | + 2 59000', '')
  h.expect(54_000, '+ 1 66000', '')
  assert.equal(h.op.wantsBatchForWatermark(61_000), true)
  h.expect(61_000, '', '+ 0 60000 1 2 | + 0 60000 2 1')
  h.expect(61_000, '+ 3 30000 | + 1 150000', '')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1)
  h.expect(145_000, '', '+ 60000 120000 1 1')
  assert.deepEqual(h.progress(), { numRowsTotal: 1, numRowsUpdated: 0, numRowsRemoved: 1, numRowsDroppedByWatermark: 0 })
  assert.equal(h.op.wantsBatchForWatermark(145_000), false)
})

test('update: the SQL-TESTS example (changed groups, late row dropped, closed windows evicted silently)', async () => {
  const h = await perMinute('update')
  h.expect(null, '+ 1 10000 | + 1 50000 | + 2 59000', '+ 0 60000 1 2 | + 0 60000 2 1')
  h.expect(54_000, '+ 1 66000', '+ 60000 120000 1 1')
  h.expect(61_000, '', '')
  assert.equal(h.progress().numRowsRemoved, 2)
  h.expect(61_000, '+ 3 30000 | + 1 150000', '+ 120000 180000 1 1')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1)
})

test('update: U-/U+ when a group changes again, across batches', async () => {
  const h = await perMinute('update')
  h.expect(null, '+ 1 1000', '+ 0 60000 1 1')
  h.expect(null, '+ 1 2000 | + 1 3000 | + 2 4000', 'U- 0 60000 1 1 | U+ 0 60000 1 3 | + 0 60000 2 1')
})

test('complete: a snapshot of every group every batch; late rows aggregated, nothing evicted', async () => {
  const h = await perMinute('complete')
  h.expect(null, '+ 1 10000 | + 1 50000 | + 2 59000', 'snapshot | + 0 60000 1 2 | + 0 60000 2 1')
  h.expect(54_000, '+ 1 66000', 'snapshot | + 0 60000 1 2 | + 0 60000 2 1 | + 60000 120000 1 1')
  assert.equal(h.op.wantsBatchForWatermark(61_000), false)
  h.expect(61_000, '+ 3 30000', 'snapshot | + 0 60000 1 2 | + 0 60000 2 1 | + 0 60000 3 1 | + 60000 120000 1 1')
  assert.deepEqual(h.progress(), { numRowsTotal: 4, numRowsUpdated: 1, numRowsRemoved: 0, numRowsDroppedByWatermark: 0 })
  h.expect(61_000, '', 'snapshot | + 0 60000 1 2 | + 0 60000 2 1 | + 0 60000 3 1 | + 60000 120000 1 1')
})

test('a window spans batches; late rows are counted per batch', async () => {
  const h = await perMinute('append')
  h.expect(null, '+ 7 1000', '')
  h.expect(null, '+ 7 2000', '')
  h.expect(0, '+ 7 59999', '')
  h.expect(60_000, '+ 7 3000 | + 7 4000 | + 7 60000', '+ 0 60000 7 3')
  assert.equal(h.progress().numRowsDroppedByWatermark, 2)
  h.expect(60_000, '+ 8 5000', '')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1, 'counters reset every batch')
})

test('eviction frees state', async () => {
  const h = await perMinute('append')
  h.expect(null, '+ 1 1000 | + 2 2000 | + 3 61000', '')
  assert.equal(h.progress().numRowsTotal, 3)
  const before = h.op.stateProgress()?.memoryUsedBytes ?? 0
  assert.ok(before > 0)
  assert.equal(h.store.count('op-1'), 3, 'one state chunk per pane (three groups in two panes) and the meta entry')
  h.expect(60_000, '', '+ 0 60000 1 1 | + 0 60000 2 1')
  assert.equal(h.progress().numRowsTotal, 1)
  assert.equal(h.progress().numRowsRemoved, 2)
  assert.equal(h.store.count('op-1'), 2)
  assert.ok((h.op.stateProgress()?.memoryUsedBytes ?? 0) < before)
  h.expect(120_000, '', '+ 60000 120000 3 1')
  assert.equal(h.op.stateProgress()?.memoryUsedBytes, 0)
  assert.equal(h.store.count('op-1'), 1)
})

test('NULL keys form a group; NULL event times are skipped', async () => {
  const h = await new OperatorHarness(
    () => new TumblingWindowAggregate(windowNode(tumbling(10), [col(0)], [agg('count_star'), agg('sum', col(2)), agg('avg', col(2), 'DOUBLE'), agg('min', col(2)), agg('max', col(2)), agg('count', col(2))], 'update')),
  ).open()
  h.expect(null, '+ NULL 1 NULL | + NULL 2 4 | + a NULL 5 | + a 3 NULL', '+ 0 10 NULL 2 4 4 4 4 1 | + 0 10 a 1 NULL NULL NULL NULL 0')
  assert.equal(h.progress().numRowsDroppedByWatermark, 0)
})

test('COUNT DISTINCT counts each value once, across batches and NULLs ignored', async () => {
  const h = await new OperatorHarness(
    () => new TumblingWindowAggregate(windowNode(tumbling(10), [col(0)], [agg('count_distinct', col(2)), agg('count', col(2))], 'update')),
  ).open()
  h.expect(null, '+ k 1 x | + k 2 y | + k 3 x | + k 4 NULL', '+ 0 10 k 2 3')
  await h.restart()
  h.expect(null, '+ k 5 y | + k 6 z', 'U- 0 10 k 2 3 | U+ 0 10 k 3 5')
})

test('no keys: one group per window; several keys; SUM of doubles', async () => {
  const none = await new OperatorHarness(() => new TumblingWindowAggregate(windowNode(tumbling(10), [], [agg('sum', col(0), 'DOUBLE')], 'append'))).open()
  none.expect(null, '+ 1.5 1 | + 2 2 | + 4 12', '')
  none.expect(10, '', '+ 0 10 3.5')
  const two = await new OperatorHarness(() => new TumblingWindowAggregate(windowNode(tumbling(10), [col(0), col(2, 'VARCHAR')], [agg('count_star')], 'update'))).open()
  two.expect(null, '+ 1 1 b | + 1 2 a | + 1 3 b | + NULL 4 a', '+ 0 10 1 b 2 | + 0 10 1 a 1 | + 0 10 NULL a 1')
})

test('restore: a fresh operator opened from the store gives the same results, in the same order', async () => {
  const straight = await perMinute('update')
  const restored = await perMinute('update')
  const batches: [number | null, string][] = [
    [null, '+ 9 1000 | + 2 2000 | + 1 1500'],
    [null, '+ 1 3000 | + 1 70000 | + 9 6000 | + 2 7000'],
    [5000, '+ 2 4000 | + 3 80000'],
    [65_000, '+ 1 5000 | + 1 90000'],
  ]
  for (const [wm, input] of batches) {
    const expected = straight.run(wm, input)
    await restored.restart()
    assert.equal(restored.run(wm, input), expected)
    assert.deepEqual(restored.progress(), straight.progress())
  }
})

test('an abandoned batch re-runs from committed state with the same output', async () => {
  const h = await perMinute('append')
  h.expect(null, '+ 1 1000 | + 1 2000', '')
  const first = h.runUncommitted(60_000, '+ 1 3000 | + 2 61000')
  assert.equal(first, '+ 0 60000 1 2')
  await h.restart()
  h.expect(60_000, '+ 1 3000 | + 2 61000', '+ 0 60000 1 2')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1)
  assert.equal(h.op.wantsBatchForWatermark(120_000), true)
})

test('rejects non-insert input', async () => {
  const h = await perMinute('update')
  assert.throws(() => h.run(null, '- 1 1000'), /append-only/)
})
