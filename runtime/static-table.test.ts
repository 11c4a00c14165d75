import assert from 'node:assert/strict'
import { test } from 'node:test'
import { StaticTable, type StaticTableProvider, type StaticTableSnapshot } from './static-table.ts'

class Versions implements StaticTableProvider {
  readonly description = 'test table'
  current: StaticTableSnapshot = { version: 'v1', rows: [[1]] }
  kept = new Map<string, StaticTableSnapshot>()
  loads = 0
  async load(): Promise<StaticTableSnapshot> {
    this.loads++
    this.kept.set(this.current.version, this.current)
    return this.current
  }
  async loadVersion(v: string): Promise<StaticTableSnapshot | null> {
    return this.kept.get(v) ?? null
  }
}

test('without a refresh interval the table is loaded once', async () => {
  const p = new Versions()
  const t = new StaticTable('t', p, null)
  await t.load(0)
  p.current = { version: 'v2', rows: [[2]] }
  assert.equal(await t.refreshIfDue(1_000_000), false)
  assert.equal(t.version, 'v1')
})

test('a refresh applies once the interval has passed, and keeps the same rows array when unchanged', async () => {
  const p = new Versions()
  const t = new StaticTable('t', p, 60_000)
  await t.load(0)
  const rows = t.rows
  assert.equal(await t.refreshIfDue(59_999), false)
  assert.equal(await t.refreshIfDue(60_000), false)
  assert.equal(t.rows, rows)
  p.current = { version: 'v2', rows: [[2]] }
  assert.equal(await t.refreshIfDue(100_000), false, 'not due: loaded again at 60 s')
  assert.equal(await t.refreshIfDue(120_000), true)
  assert.deepEqual(t.rows, [[2]])
})

test('pin uses a logged version when the provider still has it, and says when it cannot', async () => {
  const p = new Versions()
  const t = new StaticTable('t', p, 1)
  await t.load(0)
  p.current = { version: 'v2', rows: [[2]] }
  await t.refreshIfDue(10)
  assert.equal(await t.pin('v1', 20), true)
  assert.deepEqual(t.rows, [[1]])
  assert.equal(await t.pin('v0', 30), false)
})
