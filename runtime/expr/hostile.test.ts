/**
 * User text must stay data: string literals, JSON keys, LIKE patterns and column names reach
 * the generated code only as closure constants, never as source text.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Expr } from '../graph.ts'
import { compileExpr, compilePredicate, compileProjection, generatedSource } from './compile.ts'
import { call, col, int, lit, str } from './testing.ts'

const HOSTILE: readonly string[] = [
  `'`, `"`, '\\', '\\\\"', '\u2028', '\u2029', '\u2028"); globalThis.pwned = 1; ("',
  `"); process.exit(1); ("`,
  `'); process.exit(1); ('`,
  '${process.exit(1)}',
  '`; process.exit(1); `',
  '*/ process.exit(1); /*',
  '// \n process.exit(1)',
  '\n}); process.exit(1); ({',
  '</script><script>process.exit(1)</script>',
  '\u0000\ud800',
  '__proto__',
  'constructor',
  'k0',
  'row[0]',
]

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, '\\$&')

const pwned = (): unknown => (globalThis as Record<string, unknown>)['pwned']

function assertNoUserText(exprs: readonly Expr[], mode: 'value' | 'predicate' | 'projection'): void {
  const src = generatedSource(exprs, mode)
  assert.doesNotMatch(src, /process|pwned|script/, src)
}

describe('hostile string literals stay data', () => {
  for (const h of HOSTILE) {
    it(JSON.stringify(h), () => {
      const exprs: Expr[] = [
        str(h),
        call('concat', [col(0, 'VARCHAR'), str(h)], 'VARCHAR'),
        call('concat_skip_nulls', [str(h), col(0, 'VARCHAR')], 'VARCHAR'),
        call('replace', [col(0, 'VARCHAR'), str('x'), str(h)], 'VARCHAR'),
        call('json_get_text', [col(1, 'JSON'), str(h)], 'VARCHAR'),
        call('=', [col(0, 'VARCHAR'), str(h)], 'BOOLEAN'),
        call('in', [col(0, 'VARCHAR'), str(h), str('a')], 'BOOLEAN'),
        call('in', [col(0, 'VARCHAR'), ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(str), str(h)], 'BOOLEAN'),
        call('like', [col(0, 'VARCHAR'), str(escapeLike(h))], 'BOOLEAN'),
        call('like', [col(0, 'VARCHAR'), col(2, 'VARCHAR')], 'BOOLEAN'),
        { kind: 'case', operand: col(0, 'VARCHAR'), whens: [{ when: str(h), then: str(h) }], else: str('no'), type: 'VARCHAR' },
        call('coalesce', [lit(null, 'VARCHAR'), str(h)], 'VARCHAR'),
      ]
      const json = { [h]: 'member' }
      const row = ['x', json, escapeLike(h)]
      const out = compileProjection(exprs)(row)
      assert.deepEqual(out, [h, `x${h}`, `${h}x`, h, Object.hasOwn(json, h) ? 'member' : null, false, false, false, false, false, 'no', h])
      const same = compileProjection(exprs)([h, json, escapeLike(h)])
      assert.deepEqual(same.slice(5, 11), [true, true, true, true, true, h])
      for (const e of exprs) assert.equal(compilePredicate(call('is_not_null', [e], 'BOOLEAN'))(row), true)
      assertNoUserText(exprs, 'projection')
      assert.equal(pwned(), undefined)
    })
  }

  it('a JSON object literal with hostile keys and values is a constant', () => {
    const value = Object.fromEntries(HOSTILE.map((h, i) => [h, [h, i]]))
    const e = lit(value, 'JSON')
    assert.deepEqual(compileExpr(e)([]), value)
    assertNoUserText([e], 'value')
  })

  it('non-finite and odd numbers are constants, not source text', () => {
    for (const n of [NaN, Infinity, -Infinity, -0, 1e21, 5e-324, -1]) {
      assert.ok(Object.is(compileExpr(lit(n, 'DOUBLE'))([]), n), String(n))
      assert.equal(compileExpr(call('-', [int(0), lit(n, 'DOUBLE')], 'DOUBLE'))([]), 0 - n)
    }
  })
})

describe('hostile column names stay data', () => {
  it('names are never part of the generated code', () => {
    const names = HOSTILE
    const exprs = names.map((n, i) => col(i, 'VARCHAR', n))
    const row = names.map((n) => n.toUpperCase())
    assert.deepEqual(compileProjection(exprs)(row), row)
    const pred = call('and', exprs.map((e) => call('is_not_null', [e], 'BOOLEAN')), 'BOOLEAN')
    assert.equal(compilePredicate(pred)(row), true)
    assertNoUserText(exprs, 'projection')
    assertNoUserText([pred], 'predicate')
    assert.equal(pwned(), undefined)
  })
})
