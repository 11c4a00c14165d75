import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { compareKeys } from './key-order.ts'
import { encodeKey } from './level-key-codec.ts'
import { LevelStateStore, openLevelDb, type LevelDb, type LevelWriteBatch } from './level-state-store.ts'
import type { StateEntry, StateKey, StateStore } from './state-store.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function open(): Promise<{ db: LevelDb; store: LevelStateStore; location: string }> {
  const location = await mkdtemp(join(tmpdir(), 'weir-state-'))
  dirs.push(location)
  const db = await openLevelDb(location)
  return { db, store: new LevelStateStore(db, encodeKey(['query', 'q1', 'state'])), location }
}

async function commit(db: LevelDb, store: LevelStateStore, b: LevelWriteBatch): Promise<void> {
  const chained = db.batch()
  await store.addTo(chained, b)
  await chained.write({ sync: true })
}

async function all(store: StateStore, ns: string): Promise<StateEntry[]> {
  const out: StateEntry[] = []
  for await (const e of store.scan(ns)) out.push(e)
  return out
}

test('scan returns committed entries in key order, per namespace', async () => {
  const { db, store } = await open()
  const b = store.newWriteBatch()
  b.put('op-1', ['b', 2], 'x')
  b.put('op-1', [10], 1)
  b.put('op-1', [9], 2)
  b.put('op-1', [-1.5], 2)
  b.put('op-1', [null], 3)
  b.put('op-10', ['other'], 4)
  assert.deepEqual(await all(store, 'op-1'), [], 'writes are invisible before commit')
  await commit(db, store, b)
  assert.deepEqual((await all(store, 'op-1')).map((e) => e.key), [[null], [-1.5], [9], [10], ['b', 2]])
  assert.deepEqual(await all(store, 'op-10'), [{ key: ['other'], value: 4 }])
  await db.close()
})

test('applies put, del and clear in order; later writes win', async () => {
  const { db, store } = await open()
  const b = store.newWriteBatch()
  b.put('ns', [1], 'a')
  b.del('ns', [1])
  b.put('ns', [2], 'b')
  b.put('ns', [2], 'c')
  b.put('ns2', [2], 'keep')
  await commit(db, store, b)
  assert.deepEqual(await all(store, 'ns'), [{ key: [2], value: 'c' }])
  const c = store.newWriteBatch()
  c.put('ns', [4], 'gone')
  c.clear('ns')
  c.put('ns', [3], 'd')
  await commit(db, store, c)
  assert.deepEqual(await all(store, 'ns'), [{ key: [3], value: 'd' }])
  assert.deepEqual(await all(store, 'ns2'), [{ key: [2], value: 'keep' }])
  await db.close()
})

test('state survives reopening, in key order, for random keys', async () => {
  const { db, store, location } = await open()
  let seed = 99
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff)
  const keys = new Map<string, StateKey>()
  const b = store.newWriteBatch()
  for (let i = 0; i < 2000; i++) {
    const key: StateKey = [rand() < 0.5 ? Math.round((rand() - 0.5) * 1e6) / 7 : `k${Math.floor(rand() * 1000)}`, rand() < 0.5]
    keys.set(JSON.stringify(key), key)
    b.put('groups', key, { n: i })
  }
  await commit(db, store, b)
  await db.close()
  const db2 = await openLevelDb(location)
  const store2 = new LevelStateStore(db2, encodeKey(['query', 'q1', 'state']))
  const read = (await all(store2, 'groups')).map((e) => e.key)
  assert.deepEqual(read, [...keys.values()].sort(compareKeys))
  await db2.close()
})
