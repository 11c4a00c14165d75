import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LookupKey } from './group-keys.ts'
import { JoinKeyIndex } from './join-key-index.ts'
import { seededRandom as prng } from '../random.ts'

const SPECIAL: readonly LookupKey[] = [0, -0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 0.5, Number.NaN, '1', '', true, false, null]

test('answers as a Map does, over random inserts, updates and deletes (seeded)', () => {
  for (const seed of [1, 2, 3]) {
    const r = prng(seed)
    const index = new JoinKeyIndex()
    const map = new Map<LookupKey, number>()
    // Strided ids collide in the low bits; a small range forces long probe runs and shrinking.
    const key = (): LookupKey => {
      const kind = r()
      if (kind < 0.4) return Math.floor(r() * 3000)
      if (kind < 0.7) return Math.floor(r() * 300) * 1024
      if (kind < 0.8) return `k${Math.floor(r() * 100)}`
      return SPECIAL[Math.floor(r() * SPECIAL.length)]!
    }
    for (let step = 0; step < 60_000; step++) {
      const k = key()
      const op = r()
      if (op < 0.5) {
        const s = Math.floor(r() * 1e6)
        index.set(k, s)
        map.set(k, s)
      } else if (op < 0.8) {
        index.delete(k)
        map.delete(k)
      } else {
        assert.equal(index.get(k), map.get(k) ?? -1, `seed ${seed} step ${step}: get ${String(k)}`)
      }
      // Drain now and then, so the table shrinks and grows again.
      if (step % 20_000 === 19_999) {
        for (const k2 of [...map.keys()]) {
          index.delete(k2)
          map.delete(k2)
        }
        assert.equal(index.size, 0)
      }
    }
    assert.equal(index.size, map.size)
    for (const [k, s] of map) assert.equal(index.get(k), s)
  }
})

test('-0 and 0 are one key; NaN is a key', () => {
  const index = new JoinKeyIndex()
  index.set(-0, 1)
  assert.equal(index.get(0), 1)
  index.set(Number.NaN, 2)
  assert.equal(index.get(Number.NaN), 2)
  index.delete(0)
  assert.equal(index.get(-0), -1)
  assert.equal(index.size, 1)
})
