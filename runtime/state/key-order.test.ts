import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkKey, compareKeyParts, compareKeys, compareStrings, stringLess } from './key-order.ts'
import { MemoryStateStore } from './memory-state-store.ts'
import type { StateKey } from './state-store.ts'

test('orders null < booleans < numbers < strings', () => {
  const parts = ['a', 3, true, null, -1, false, '', 'b', 2.5]
  parts.sort(compareKeyParts)
  assert.deepEqual(parts, [null, false, true, -1, 2.5, 3, '', 'a', 'b'])
})

test('compares tuples element-wise, a prefix first', () => {
  const keys: StateKey[] = [[1, 'b'], [1], [0, 'z'], [1, 'a', 0], [1, 'a'], ['x'], [null, 5]]
  keys.sort(compareKeys)
  assert.deepEqual(keys, [[null, 5], [0, 'z'], [1], [1, 'a'], [1, 'a', 0], [1, 'b'], ['x']])
})

test('compares strings by code point (UTF-8 byte order)', () => {
  // U+FF5E (BMP) is below U+1F600 (astral, a surrogate pair in UTF-16), although its code unit is higher.
  assert.ok(compareStrings('\uff5e', '\u{1f600}') < 0)
  assert.ok(compareStrings('ab', 'abc') < 0)
  assert.equal(compareStrings('é', 'é'), 0)
})

test('stringLess agrees with compareStrings, where `<` on code units does not', () => {
  // Units from each range that matters: ASCII, the rest of the BMP below the surrogates, high
  // and low surrogates (paired or lone), and U+E000–U+FFFF, which `<` puts above the surrogates.
  const units = ['', 'a', 'b', '\u00e9', '\ud7ff', '\ud83d', '\ude00', '\ud800', '\udfff', '\ue000', '\uff5e', '\uffff']
  const strings = new Set(['\u{1f600}', '\u{10000}', '\u{10ffff}'])
  for (const x of units) for (const y of units) for (const z of units) strings.add(x + y + z)
  const all = [...strings]
  let unitOrderWrong = 0
  for (const a of all) {
    for (const b of all) {
      const want = compareStrings(a, b) < 0
      assert.equal(stringLess(a, b), want, `${JSON.stringify(a)} < ${JSON.stringify(b)}`)
      if ((a < b) !== want) unitOrderWrong++
    }
  }
  assert.ok(unitOrderWrong > 0)
  assert.ok(stringLess('\uffff', '\u{1f600}') && !stringLess('\u{1f600}', '\uffff'))
})

test('treats -0 as 0 and rejects NaN', () => {
  assert.equal(compareKeyParts(-0, 0), 0)
  assert.throws(() => compareKeyParts(Number.NaN, 1), /NaN/)
  assert.throws(() => checkKey([1, Number.NaN]), /NaN/)
})

// Key identity is the in-memory store's (a Map per key part): the same rules as the order.
test('the store keeps key types apart and treats -0 as 0', () => {
  const store = new MemoryStateStore()
  const b = store.newWriteBatch()
  for (const key of [[1], ['1'], [true], ['true'], [null], ['null'], [-0], [0]]) b.put('ns', key, String(key[0]))
  store.commit(b)
  assert.equal(store.count('ns'), 7, '[-0] and [0] are one key; 1, "1", true, "true", null, "null" are six others')
})
