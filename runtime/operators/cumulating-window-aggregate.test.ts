import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutputMode } from '../graph.ts'
import { CumulatingWindowAggregate } from './cumulating-window-aggregate.ts'
import { OperatorHarness } from './test-changelog.ts'
import { agg, col, cumulating, windowNode } from './test-nodes.ts'

// Rows: key, ts, v. Windows [0, 10), [0, 20), [0, 30), then [30, 40) …; output start, end, key, count(*), sum(v).
const cumulate = (mode: OutputMode): Promise<OperatorHarness<CumulatingWindowAggregate>> =>
  new OperatorHarness(
    () => new CumulatingWindowAggregate(windowNode(cumulating(30, 10), [col(0)], [agg('count_star'), agg('sum', col(2))], mode)),
  ).open()

test('update: a row updates every window of its cycle that ends after it', async () => {
  const h = await cumulate('update')
  h.expect(null, '+ a 5 1 | + a 15 2', '+ 0 10 a 1 1 | + 0 20 a 2 3 | + 0 30 a 2 3')
  h.expect(10, '+ a 7 4 | + a 31 8', 'U- 0 20 a 2 3 | U+ 0 20 a 3 7 | U- 0 30 a 2 3 | U+ 0 30 a 3 7 | + 30 40 a 1 8 | + 30 50 a 1 8 | + 30 60 a 1 8')
})

test('append: each window once when closed; a row late for the first step still counts for the later ones', async () => {
  const h = await cumulate('append')
  h.expect(null, '+ a 5 1 | + a 15 2', '')
  h.expect(10, '+ a 7 4', '+ 0 10 a 1 1')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1, 'the 7 is dropped for [0, 10) only')
  h.expect(30, '+ a 29 1', '+ 0 20 a 3 7 | + 0 30 a 3 7')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1)
  assert.equal(h.progress().numRowsTotal, 0)
})

test('restore mid-cycle gives the same results', async () => {
  const straight = await cumulate('append')
  const restored = await cumulate('append')
  const batches: [number | null, string][] = [[null, '+ a 5 1 | + b 12 1'], [10, '+ a 14 1'], [20, '+ b 25 5'], [30, '']]
  for (const [wm, input] of batches) {
    const expected = straight.run(wm, input)
    await restored.restart()
    assert.equal(restored.run(wm, input), expected)
  }
})
