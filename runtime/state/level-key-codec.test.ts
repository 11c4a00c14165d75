import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareKeys } from './key-order.ts'
import { decodeKey, encodeKey, prefixEnd } from './level-key-codec.ts'
import type { StateKey, StateKeyPart } from './state-store.ts'
import { seededRandom as prng } from '../random.ts'

const SPECIAL_NUMBERS = [0, -0, 1, -1, 0.5, -0.5, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE,
  Infinity, -Infinity, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53 + 2, 1e-300, -1e300]
const CHARS = ['a', 'b', 'z', 'A', '\u0000', '\u0001', '\u007f', '\u0080', 'é', '\uffff', '\uff5e', '\u{1f600}', '\u{10ffff}', ' ']

function randomPart(r: () => number): StateKeyPart {
  const kind = Math.floor(r() * 7)
  switch (kind) {
    case 0:
      return null
    case 1:
      return r() < 0.5
    case 2:
      return SPECIAL_NUMBERS[Math.floor(r() * SPECIAL_NUMBERS.length)]!
    case 3:
      return Math.floor((r() - 0.5) * 2000)
    case 4:
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20)
    default: {
      let s = ''
      const n = Math.floor(r() * 5)
      for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)]!
      return s
    }
  }
}

function randomKey(r: () => number): StateKey {
  const n = 1 + Math.floor(r() * 4)
  return Array.from({ length: n }, () => randomPart(r))
}

test('byte order equals key order on random keys (seeded)', () => {
  const seed = Number(process.env.WEIR_SEED ?? 20260101)
  const r = prng(seed)
  for (let round = 0; round < 20_000; round++) {
    const a = randomKey(r)
    const b = r() < 0.2 ? [...a, randomPart(r)] : randomKey(r)
    const expected = Math.sign(compareKeys(a, b))
    const actual = Math.sign(Buffer.compare(encodeKey(a), encodeKey(b)))
    assert.equal(actual, expected, `seed ${seed}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
  }
})

test('decodes what it encodes', () => {
  const r = prng(7)
  for (let round = 0; round < 5_000; round++) {
    const k = randomKey(r)
    const decoded = decodeKey(encodeKey(k))
    assert.deepEqual(decoded, k.map((p) => (Object.is(p, -0) ? 0 : p)))
  }
})

test('a prefix bounds exactly the keys that start with it', () => {
  const prefix = encodeKey(['ns', 1])
  const end = prefixEnd(prefix)
  for (const k of [['ns', 1], ['ns', 1, 'x'], ['ns', 1, null], ['ns', 1, '\uffff\u{10ffff}']] as StateKey[]) {
    const e = encodeKey(k)
    assert.ok(Buffer.compare(e, prefix) >= 0 && Buffer.compare(e, end) < 0, JSON.stringify(k))
  }
  for (const k of [['ns', 2], ['ns'], ['ns', 0.5, 'x'], ['nt']] as StateKey[]) {
    const e = encodeKey(k)
    assert.ok(Buffer.compare(e, prefix) < 0 || Buffer.compare(e, end) >= 0, JSON.stringify(k))
  }
})

test('rejects NaN and lone surrogates', () => {
  assert.throws(() => encodeKey([Number.NaN]), /NaN/)
  assert.throws(() => encodeKey(['a\ud800']), /surrogate/)
})
