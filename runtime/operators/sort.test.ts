import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Row } from '../types.ts'
import { compileExpr } from '../expr/compile.ts'
import { compareValues, sortRows } from './sort.ts'
import { col } from './test-nodes.ts'

// '😀' (U+1F600) is the surrogate pair D83D DE00 in UTF-16: JavaScript's `<` puts it below '～'
// (U+FF5E) and U+FFFF; Spark's UTF-8 byte order (code point order) puts it above.
const byCodePoint = ['', 'a', 'z', '\uff5e', '\uffff', '\u{1f600}', '\u{1f600}a', '\u{1f601}']

test('ORDER BY a VARCHAR orders by code point, ascending and descending, NULLs placed', () => {
  const rows: Row[] = [...byCodePoint, null].reverse().map((s) => [s])
  const key = { fn: compileExpr(col(0, 'VARCHAR')), desc: false, nullsFirst: false }
  assert.deepEqual(sortRows(rows, [key]).map((r) => r[0]), [...byCodePoint, null])
  const desc = { ...key, desc: true, nullsFirst: true }
  assert.deepEqual(sortRows(rows, [desc]).map((r) => r[0]), [null, ...[...byCodePoint].reverse()])
})

test('JSON values order by their text, by code point', () => {
  assert.ok(compareValues({ a: '\uff5e' }, { a: '\u{1f600}' }) < 0)
  assert.ok(compareValues(['\u{1f600}'], ['\uff5e']) > 0)
  assert.equal(compareValues({ a: 1 }, { a: 1 }), 0)
})
