import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Deduplicate } from './deduplicate.ts'
import { OperatorHarness } from './test-changelog.ts'
import { deduplicateNode } from './test-nodes.ts'

// Rows: id, ts.
test('emits each row the first time, within and across batches', async () => {
  const h = await new OperatorHarness(() => new Deduplicate(deduplicateNode(null))).open()
  h.expect(null, '+ 1 10 | + 1 10 | + 2 10 | + NULL NULL | + NULL NULL', '+ 1 10 | + 2 10 | + NULL NULL')
  await h.restart()
  h.expect(50, '+ 1 10 | + 1 11', '+ 1 11')
  assert.equal(h.op.wantsBatchForWatermark(100), false)
  assert.deepEqual(h.progress(), { numRowsTotal: 4, numRowsUpdated: 1, numRowsRemoved: 0, numRowsDroppedByWatermark: 0 })
})

test('with a watermark: late rows dropped and counted, old state evicted', async () => {
  const h = await new OperatorHarness(() => new Deduplicate(deduplicateNode(1))).open()
  h.expect(null, '+ a 10 | + b 20 | + c NULL', '+ a 10 | + b 20 | + c NULL')
  assert.equal(h.op.wantsBatchForWatermark(10), true)
  h.expect(10, '+ a 10 | + b 20 | + d 11', '+ d 11')
  assert.deepEqual(h.progress(), { numRowsTotal: 3, numRowsUpdated: 1, numRowsRemoved: 1, numRowsDroppedByWatermark: 1 })
  await h.restart()
  h.expect(20, '+ c NULL', '')
  assert.equal(h.progress().numRowsTotal, 1, 'NULL event times are never evicted')
  assert.equal(h.store.count('op-1'), 2)
})
