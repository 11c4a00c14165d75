import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryStateStore } from './memory-state-store.ts'
import type { StateEntry, StateStore } from './state-store.ts'

async function all(store: StateStore, ns: string): Promise<StateEntry[]> {
  const out: StateEntry[] = []
  for await (const e of store.scan(ns)) out.push(e)
  return out
}

test('scan returns committed entries in key order, per namespace', async () => {
  const store = new MemoryStateStore()
  const b = store.newWriteBatch()
  b.put('op-1', ['b', 2], 'x')
  b.put('op-1', [10], 1)
  b.put('op-1', [9], 2)
  b.put('op-1', [null], 3)
  b.put('op-2', ['other'], 4)
  assert.deepEqual(await all(store, 'op-1'), [], 'writes are invisible before commit')
  store.commit(b)
  assert.deepEqual(
    (await all(store, 'op-1')).map((e) => e.key),
    [[null], [9], [10], ['b', 2]],
  )
  assert.deepEqual(await all(store, 'op-2'), [{ key: ['other'], value: 4 }])
})

test('applies put, del and clear in order; later writes win', async () => {
  const store = new MemoryStateStore()
  const b = store.newWriteBatch()
  b.put('ns', [1], 'a')
  b.del('ns', [1])
  b.put('ns', [2], 'b')
  b.put('ns', [2], 'c')
  store.commit(b)
  assert.deepEqual(await all(store, 'ns'), [{ key: [2], value: 'c' }])
  const c = store.newWriteBatch()
  c.clear('ns')
  c.put('ns', [3], 'd')
  store.commit(c)
  assert.deepEqual(await all(store, 'ns'), [{ key: [3], value: 'd' }])
})

test('owns values once put, and copies on read (no aliasing of restored state)', async () => {
  const store = new MemoryStateStore()
  const value = { n: [1, 2] }
  const b = store.newWriteBatch()
  b.put('ns', ['k'], value)
  store.commit(b)
  const [entry] = await all(store, 'ns')
  assert.deepEqual(entry?.value, { n: [1, 2] })
  ;(entry?.value as { n: number[] }).n.push(4)
  assert.deepEqual((await all(store, 'ns'))[0]?.value, { n: [1, 2] })
})

test('a failing batch changes nothing', async () => {
  const store = new MemoryStateStore()
  const ok = store.newWriteBatch()
  ok.put('ns', [1], 1)
  store.commit(ok)
  const bad = store.newWriteBatch()
  bad.put('ns', [2], 2)
  assert.throws(() => bad.put('ns', [Number.NaN], 3), /NaN/)
  assert.throws(() => bad.put('ns', [4], undefined), /undefined/)
  store.commit(bad)
  assert.deepEqual((await all(store, 'ns')).map((e) => e.key), [[1], [2]])
})

test('deleting every key empties the namespace, prefix keys included', async () => {
  const store = new MemoryStateStore()
  const b = store.newWriteBatch()
  for (let i = 0; i < 100; i++) b.put('ns', ['panes', i % 3, i], i)
  b.put('ns', ['panes', 1], 'prefix')
  store.commit(b)
  assert.equal(store.count('ns'), 101)
  const d = store.newWriteBatch()
  for (let i = 0; i < 100; i++) d.del('ns', ['panes', i % 3, i])
  store.commit(d)
  assert.deepEqual(await all(store, 'ns'), [{ key: ['panes', 1], value: 'prefix' }])
  const e = store.newWriteBatch()
  e.del('ns', ['panes', 1])
  e.del('ns', ['absent'])
  store.commit(e)
  assert.equal(store.count('ns'), 0)
  assert.deepEqual(await all(store, 'ns'), [])
})
