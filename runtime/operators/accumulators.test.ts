import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { JsonValue } from '../types.ts'
import { Accumulators } from './accumulators.ts'
import { agg, col } from './test-nodes.ts'

const all = new Accumulators([
  agg('count_star'),
  agg('count', col(0)),
  agg('count_distinct', col(0)),
  agg('sum', col(0)),
  agg('min', col(0)),
  agg('max', col(0)),
  agg('avg', col(0), 'DOUBLE'),
])

test('each function over values and NULLs; empty state results', () => {
  const s = all.create()
  assert.deepEqual(all.results(s, []), [0, 0, 0, null, null, null, null])
  for (const v of [3, null, 1, 3]) all.update(s, [v])
  assert.deepEqual(all.results(s, []), [4, 3, 2, 7, 1, 3, 7 / 3])
})

test('merge equals updating with all rows; clone and encode are independent copies', () => {
  const a = all.create()
  const b = all.create()
  for (const v of [5, 2]) all.update(a, [v])
  for (const v of [2, 9, null]) all.update(b, [v])
  const c = all.clone(a)
  all.merge(a, b)
  assert.deepEqual(all.results(a, []), [5, 4, 3, 18, 2, 9, 4.5])
  assert.deepEqual(all.results(c, []), [2, 2, 2, 7, 2, 5, 3.5])
  const restored = all.decode(JSON.parse(JSON.stringify(all.encode(a))))
  assert.deepEqual(all.results(restored, []), all.results(a, []))
})

test('column-wise states: append, merge, assign and encode agree with the array forms', () => {
  const cols = all.newColumns()
  all.appendCreated(cols)
  const a = all.create()
  for (const v of [5, 2]) all.update(a, [v])
  all.appendState(cols, a)
  const b = all.create()
  for (const v of [2, 9, null]) all.update(b, [v])
  const merged = all.create()
  all.merge(merged, a)
  all.merge(merged, b)
  const viaState = all.stateAt(cols, 0)
  all.mergeFromColumns(viaState, cols, 1)
  all.merge(viaState, b)
  assert.deepEqual(all.results(viaState, []), all.results(merged, []))
  const scratch = all.newColumns()
  all.assignColumns(scratch, 0, cols, 1)
  all.appendState(cols, b)
  all.mergeColumns(scratch, 0, cols, 2)
  all.mergeColumns(scratch, 0, cols, 0)
  assert.deepEqual(all.results(all.stateAt(scratch, 0), []), all.results(merged, []))
  all.mergeColumns(scratch, 0, cols, 1)
  assert.deepEqual(all.results(all.stateAt(cols, 1), []), all.results(a, []), 'assign copies: merging into the copy leaves the source alone')
  const flat: JsonValue[] = []
  all.encodeColumnsAt(cols, 0, flat, 0)
  all.encodeColumnsAt(cols, 1, flat, all.width)
  const stored = JSON.parse(JSON.stringify(flat)) as unknown[]
  assert.deepEqual(all.results(all.decodeAt(stored, 0), []), all.results(all.create(), []))
  assert.deepEqual(all.results(all.decodeAt(stored, all.width), []), all.results(a, []))
})

test('strings for MIN/MAX and COUNT DISTINCT; JSON values by their text', () => {
  const s = new Accumulators([agg('min', col(0, 'VARCHAR'), 'VARCHAR'), agg('max', col(0, 'VARCHAR'), 'VARCHAR')])
  const st = s.create()
  for (const v of ['b', 'a', 'c']) s.update(st, [v])
  assert.deepEqual(s.results(st, []), ['a', 'c'])
  const j = new Accumulators([agg('count_distinct', col(0, 'JSON'))])
  const jt = j.create()
  for (const v of [{ a: 1 }, { a: 1 }, '{"a":1}', [1]]) j.update(jt, [v])
  assert.deepEqual(j.results(jt, []), [3])
})

test('MIN/MAX order strings by code point in updates, merges and column merges alike', () => {
  // U+1F600 is the surrogate pair D83D DE00 in UTF-16: below U+FFFF by code unit, above it by code point.
  const values = ['\uffff', '\u{1f600}', 'a']
  const want = ['a', '\u{1f600}']
  const s = new Accumulators([agg('min', col(0, 'VARCHAR'), 'VARCHAR'), agg('max', col(0, 'VARCHAR'), 'VARCHAR')])
  const of = (vs: readonly string[]) => {
    const st = s.create()
    for (const v of vs) s.update(st, [v])
    return st
  }
  for (const order of [values, [...values].reverse(), [values[1] as string, values[0] as string, values[2] as string]]) {
    assert.deepEqual(s.results(of(order), []), want, `updates in the order ${JSON.stringify(order)}`)
  }
  for (let i = 0; i < values.length; i++) {
    const alone = values[i] as string
    const rest = values.filter((_, j) => j !== i)
    const merged = of([alone])
    s.merge(merged, of(rest))
    assert.deepEqual(s.results(merged, []), want, `merge of ${JSON.stringify([alone])} and ${JSON.stringify(rest)}`)
    const restored = s.decode(JSON.parse(JSON.stringify(s.encode(of(rest)))))
    s.update(restored, [alone])
    assert.deepEqual(s.results(restored, []), want, 'an update of a restored state')
    const cols = s.newColumns()
    s.appendState(cols, of(rest))
    s.appendState(cols, of([alone]))
    s.mergeColumns(cols, 0, cols, 1)
    assert.deepEqual(s.results(s.stateAt(cols, 0), []), want, 'column merge')
  }
})

test('MIN/MAX of JSON objects order their text by code point', () => {
  // By UTF-16 code unit the text {"a":"😀"} sorts below {"a":"～"}; by code point above it.
  const j = new Accumulators([agg('min', col(0, 'JSON'), 'JSON'), agg('max', col(0, 'JSON'), 'JSON')])
  const st = j.create()
  for (const v of [{ a: '\u{1f600}' }, { a: '\uff5e' }]) j.update(st, [v])
  assert.deepEqual(j.results(st, []), [{ a: '\uff5e' }, { a: '\u{1f600}' }])
})

test('a hostile string literal argument stays data', () => {
  const hostile = "'); globalThis.pwned = true; ('"
  const a = new Accumulators([agg('count_distinct', { kind: 'literal', value: hostile, type: 'VARCHAR' }), agg('max', { kind: 'literal', value: hostile, type: 'VARCHAR' }, 'VARCHAR')])
  const s = a.create()
  a.update(s, [])
  assert.deepEqual(a.results(s, []), [1, hostile])
  assert.equal((globalThis as Record<string, unknown>)['pwned'], undefined)
})
