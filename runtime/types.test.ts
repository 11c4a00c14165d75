import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatTimestamp, parseTimestamp } from './types.ts'

test('canonical ISO timestamps (the fast path) agree with Date for 1846–2096, with and without millis', () => {
  let seed = 7
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  for (let i = 0; i < 100_000; i++) {
    const ms = Math.floor((rand() * 2 - 0.5) * 4e12)
    const iso = formatTimestamp(ms)!
    assert.equal(parseTimestamp(iso), ms, iso)
    assert.equal(parseTimestamp(iso.replace(/\.\d{3}Z$/, 'Z')), Math.floor(ms / 1000) * 1000, iso)
  }
  assert.equal(parseTimestamp('2024-02-29T12:00:00Z'), Date.UTC(2024, 1, 29, 12))
})

test('impossible dates and malformed digits are refused on both paths', () => {
  for (const bad of ['2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-01T00:00:00Z',
    '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:0xZ', '2026-01-01T00:00:00.12xZ', 'not a time']) {
    assert.equal(parseTimestamp(bad), null, bad)
  }
})

test('other spellings take the general path: offsets, spaces, short fractions', () => {
  assert.equal(parseTimestamp('2026-01-01 00:00:01'), Date.UTC(2026, 0, 1, 0, 0, 1))
  assert.equal(parseTimestamp('2026-01-01T02:00:00+02:00'), Date.UTC(2026, 0, 1))
  assert.equal(parseTimestamp('2026-01-01T00:00:00.5Z'), Date.UTC(2026, 0, 1, 0, 0, 0, 500))
})
