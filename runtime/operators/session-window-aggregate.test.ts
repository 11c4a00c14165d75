import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutputMode } from '../graph.ts'
import { SessionWindowAggregate } from './session-window-aggregate.ts'
import { OperatorHarness } from './test-changelog.ts'
import { agg, col, session, windowNode } from './test-nodes.ts'

// Rows: key, ts. Sessions with a gap of 10; output start, end, key, count(*).
const sessions = (mode: OutputMode): Promise<OperatorHarness<SessionWindowAggregate>> =>
  new OperatorHarness(() => new SessionWindowAggregate(windowNode(session(10), [col(0)], [agg('count_star')], mode))).open()

test('update: sessions grow, merge, and merged-away sessions are retracted', async () => {
  const h = await sessions('update')
  h.expect(null, '+ a 1 | + a 30 | + b 2', '+ 1 11 a 1 | + 2 12 b 1 | + 30 40 a 1')
  // [20, 30) touches [30, 40) (Spark merges when the next start <= the end): the start moves back.
  h.expect(null, '+ a 20', 'U- 30 40 a 1 | U+ 20 40 a 2')
  // [11, 21) bridges [1, 11) and [20, 40).
  h.expect(null, '+ a 11', 'U- 1 11 a 1 | U+ 1 40 a 4 | - 20 40 a 2')
  assert.deepEqual(h.progress(), { numRowsTotal: 2, numRowsUpdated: 1, numRowsRemoved: 0, numRowsDroppedByWatermark: 0 })
  await h.restart()
  h.expect(null, '+ a 45 | + b 3', 'U- 2 12 b 1 | U+ 2 13 b 2 | + 45 55 a 1')
})

test('append: a session is emitted once its end passes the watermark; late rows dropped', async () => {
  const h = await sessions('append')
  h.expect(null, '+ a 1 | + a 5 | + b 8', '')
  h.expect(15, '+ a 4 | + b 20', '+ 1 15 a 2')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1, 'a 4: its own window [4, 14) ends before 15')
  // b 20 did not touch [8, 18) (20 > 18): two sessions, both closed at 30.
  h.expect(30, '', '+ 8 18 b 1 | + 20 30 b 1')
  // A row touching a closed session starts a new one (Spark does the same).
  h.expect(30, '+ b 25', '')
  h.expect(40, '', '+ 25 35 b 1')
  assert.equal(h.progress().numRowsTotal, 0)
  assert.equal(h.store.count('op-1'), 1)
})

test('complete: every session each batch, nothing dropped', async () => {
  const h = await sessions('complete')
  h.expect(null, '+ a 1 | + a 50', 'snapshot | + 1 11 a 1 | + 50 60 a 1')
  h.expect(100, '+ a 5', 'snapshot | + 1 15 a 2 | + 50 60 a 1')
})

test('rows out of order within a batch; restore after merges gives the same results', async () => {
  const straight = await sessions('update')
  const restored = await sessions('update')
  const batches: [number | null, string][] = [
    [null, '+ a 30 | + a 1 | + a 50 | + a 15'],
    [null, '+ a 40 | + b 1'],
    [20, '+ a 5 | + a 60 | + b 9'],
    [45, '+ a 70'],
  ]
  for (const [wm, input] of batches) {
    const expected = straight.run(wm, input)
    await restored.restart()
    assert.equal(restored.run(wm, input), expected)
    assert.deepEqual(restored.progress(), straight.progress())
  }
  assert.equal(straight.run(100, ''), '')
  assert.equal(straight.progress().numRowsTotal, 0)
})
