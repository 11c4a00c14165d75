import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ResultTable } from './result-table.ts'

describe('ResultTable', () => {
  it('applies inserts, updates in place and deletes', () => {
    const t = new ResultTable()
    t.applyChanges(0, null, [['+', [1, 1]], ['+', [2, 1]], ['+', [3, 1]]])
    t.applyChanges(1, '2026-01-01T00:00:00.000Z', [['U-', [1, 1]], ['U+', [1, 2]], ['-', [2, 1]]])
    assert.deepEqual(t.rows, [[1, 2], [3, 1]])
    assert.equal(t.batchId, 1)
    assert.equal(t.watermark, '2026-01-01T00:00:00.000Z')
    assert.deepEqual([...t.changed], [[1, 2]])
    assert.equal(t.received, 6)
  })

  it('keeps the last watermark across batches without one', () => {
    const t = new ResultTable()
    t.applyChanges(0, 'w1', [])
    t.applyChanges(1, null, [])
    assert.equal(t.watermark, 'w1')
    assert.equal(t.batches, 2)
  })

  it('replaces everything with a snapshot and marks new or changed rows', () => {
    const t = new ResultTable()
    t.applySnapshot(0, null, [[1, 1], [2, 1]])
    t.applySnapshot(1, null, [[1, 1], [2, 2]])
    assert.deepEqual(t.rows, [[1, 1], [2, 2]])
    assert.deepEqual([...t.changed], [[2, 2]])
  })
})
