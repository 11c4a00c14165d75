import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Aggregate } from './aggregate.ts'
import { OperatorHarness } from './test-changelog.ts'
import { agg, aggregateNode, col } from './test-nodes.ts'

// Rows: user, ts, amount.
test('update without a watermark: + then U-/U+, state never evicted, no no-data batches', async () => {
  const h = await new OperatorHarness(() => new Aggregate(aggregateNode([col(0)], [agg('count_star'), agg('sum', col(2)), agg('max', col(2))], 'update'))).open()
  h.expect(null, '+ u2 1 5 | + u1 2 3 | + u2 3 NULL', '+ u2 2 5 5 | + u1 1 3 3')
  h.expect(1000, '+ u1 4 10', 'U- u1 1 3 3 | U+ u1 2 13 10')
  assert.equal(h.op.wantsBatchForWatermark(5000), false)
  assert.deepEqual(h.progress(), { numRowsTotal: 2, numRowsUpdated: 1, numRowsRemoved: 0, numRowsDroppedByWatermark: 0 })
  h.expect(2000, '', '')
})

test('complete: a snapshot every batch, in creation order; NULL is a key', async () => {
  const h = await new OperatorHarness(() => new Aggregate(aggregateNode([col(0)], [agg('count', col(2))], 'complete'))).open()
  h.expect(null, '+ b 1 1 | + NULL 1 1 | + a 1 NULL', 'snapshot | + b 1 | + NULL 1 | + a 0')
  await h.restart()
  h.expect(null, '+ c 2 2', 'snapshot | + b 1 | + NULL 1 | + a 0 | + c 1')
})

test('no keys: one global group', async () => {
  const h = await new OperatorHarness(() => new Aggregate(aggregateNode([], [agg('count_star'), agg('avg', col(2), 'DOUBLE')], 'update'))).open()
  h.expect(null, '+ a 1 1 | + b 1 2', '+ 2 1.5')
  await h.restart()
  h.expect(null, '+ c 1 6', 'U- 2 1.5 | U+ 3 3')
})

test('append with an event-time key: closed groups emitted once, late rows dropped, restore', async () => {
  // GROUP BY user, ts (event-time key at index 1).
  const make = (): Aggregate => new Aggregate(aggregateNode([col(0), col(1)], [agg('sum', col(2))], 'append', 1))
  const h = await new OperatorHarness(make).open()
  h.expect(null, '+ a 10 1 | + a 10 2 | + b 20 5 | + a NULL 7', '')
  assert.equal(h.op.wantsBatchForWatermark(10), true)
  await h.restart()
  h.expect(10, '+ a 10 100 | + a 11 1', '+ a 10 3')
  assert.deepEqual(h.progress(), { numRowsTotal: 3, numRowsUpdated: 1, numRowsRemoved: 1, numRowsDroppedByWatermark: 1 })
  h.expect(30, '', '+ b 20 5 | + a 11 1')
  assert.equal(h.progress().numRowsTotal, 1, 'the NULL event-time group never closes')
})

test('append without an event-time key is rejected', () => {
  assert.throws(() => new Aggregate(aggregateNode([col(0)], [agg('count_star')], 'append')), /append/)
})
