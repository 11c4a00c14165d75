import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Expr } from '../graph.ts'
import type { Value } from '../types.ts'
import { WeirError } from '../errors.ts'
import { compileExpr, compilePredicate, compileProjection, generatedSource } from './compile.ts'
import { NULL, apply, call, col, dbl, evaluate, int, lit, str } from './testing.ts'

const T = true
const F = false
const N = null
const bools: readonly (boolean | null)[] = [T, F, N]
const b = (i: number): Expr => col(i, 'BOOLEAN')

describe('three-valued logic', () => {
  // Kleene truth tables, row-wise: left, right, AND, OR.
  const table: readonly (readonly [boolean | null, boolean | null, boolean | null, boolean | null])[] = [
    [T, T, T, T], [T, F, F, T], [T, N, N, T],
    [F, T, F, T], [F, F, F, F], [F, N, F, N],
    [N, T, N, T], [N, F, F, N], [N, N, N, N],
  ]
  for (const [x, y, and, or] of table) {
    it(`${x} AND/OR ${y}`, () => {
      const row = [x, y]
      assert.equal(evaluate(call('and', [b(0), b(1)], 'BOOLEAN'), row), and)
      assert.equal(evaluate(call('or', [b(0), b(1)], 'BOOLEAN'), row), or)
      // NOT over them exercises the isFalse paths of the predicate compiler.
      assert.equal(evaluate(call('not', [call('and', [b(0), b(1)], 'BOOLEAN')], 'BOOLEAN'), row), and === null ? null : !and)
      assert.equal(evaluate(call('not', [call('or', [b(0), b(1)], 'BOOLEAN')], 'BOOLEAN'), row), or === null ? null : !or)
    })
  }

  it('NOT NULL is NULL; NOT NOT keeps the value', () => {
    for (const x of bools) {
      assert.equal(evaluate(call('not', [b(0)], 'BOOLEAN'), [x]), x === null ? null : !x)
      assert.equal(evaluate(call('not', [call('not', [b(0)], 'BOOLEAN')], 'BOOLEAN'), [x]), x)
    }
  })

  it('n-ary AND/OR and literal operands', () => {
    const and3 = call('and', [b(0), b(1), b(2)], 'BOOLEAN')
    assert.equal(evaluate(and3, [T, N, F]), F)
    assert.equal(evaluate(and3, [T, N, T]), N)
    assert.equal(evaluate(call('or', [b(0), lit(null, 'BOOLEAN')], 'BOOLEAN'), [T]), T)
    assert.equal(evaluate(call('or', [b(0), lit(null, 'BOOLEAN')], 'BOOLEAN'), [F]), N)
    assert.equal(evaluate(call('and', [lit(false, 'BOOLEAN'), b(0)], 'BOOLEAN'), [N]), F)
  })

  it('predicates reject NULL and FALSE', () => {
    const p = compilePredicate(call('>', [col(0, 'INT'), int(1)], 'BOOLEAN'))
    assert.equal(p([2]), true)
    assert.equal(p([1]), false)
    assert.equal(p([null]), false)
    // JS would say null > -1 is true; SQL says NULL.
    assert.equal(evaluate(call('>', [col(0, 'INT'), int(-1)], 'BOOLEAN'), [null]), null)
  })

  it('IS [NOT] NULL is never NULL', () => {
    for (const x of [1, null]) {
      assert.equal(evaluate(call('is_null', [col(0, 'INT')], 'BOOLEAN'), [x]), x === null)
      assert.equal(evaluate(call('is_not_null', [col(0, 'INT')], 'BOOLEAN'), [x]), x !== null)
      assert.equal(evaluate(call('not', [call('is_null', [col(0, 'INT')], 'BOOLEAN')], 'BOOLEAN'), [x]), x !== null)
    }
  })
})

describe('comparison and arithmetic', () => {
  it('comparisons over numbers, strings, booleans, NULL', () => {
    assert.equal(apply('=', 'BOOLEAN', [1, 'INT'], [1.0, 'DOUBLE']), true)
    assert.equal(apply('<>', 'BOOLEAN', ['a', 'VARCHAR'], ['b', 'VARCHAR']), true)
    assert.equal(apply('<', 'BOOLEAN', ['a', 'VARCHAR'], ['b', 'VARCHAR']), true)
    assert.equal(apply('>=', 'BOOLEAN', [false, 'BOOLEAN'], [true, 'BOOLEAN']), false)
    assert.equal(apply('<=', 'BOOLEAN', [null, 'INT'], [1, 'INT']), null)
    assert.equal(apply('=', 'BOOLEAN', [null, 'INT'], [null, 'INT']), null)
  })

  it('INT and BIGINT division truncates toward zero; by zero is NULL', () => {
    assert.equal(apply('/', 'INT', [7, 'INT'], [2, 'INT']), 3)
    assert.equal(apply('/', 'INT', [-7, 'INT'], [2, 'INT']), -3)
    assert.ok(Object.is(apply('/', 'INT', [-1, 'INT'], [2, 'INT']), 0), 'no negative zero')
    assert.equal(apply('/', 'BIGINT', [7, 'BIGINT'], [0, 'BIGINT']), null)
    assert.equal(apply('/', 'DOUBLE', [7, 'DOUBLE'], [2, 'DOUBLE']), 3.5)
    assert.equal(apply('/', 'DOUBLE', [7, 'DOUBLE'], [0, 'DOUBLE']), null)
    assert.equal(apply('%', 'INT', [-7, 'INT'], [2, 'INT']), -1)
    assert.equal(apply('%', 'INT', [7, 'INT'], [0, 'INT']), null)
    assert.equal(apply('%', 'DOUBLE', [7.5, 'DOUBLE'], [2, 'DOUBLE']), 1.5)
  })

  it('+ - * neg propagate NULL', () => {
    assert.equal(apply('+', 'INT', [2, 'INT'], [3, 'INT']), 5)
    assert.equal(apply('-', 'INT', [2, 'INT'], [null, 'INT']), null)
    assert.equal(apply('*', 'DOUBLE', [null, 'DOUBLE'], [3, 'DOUBLE']), null)
    assert.equal(apply('neg', 'INT', [5, 'INT']), -5)
    assert.ok(Object.is(apply('neg', 'INT', [0, 'INT']), 0))
    assert.equal(apply('neg', 'INT', [null, 'INT']), null)
    assert.equal(compileExpr(call('+', [NULL, NULL], 'NULL'))([]), null)
  })

  it('time arithmetic is millisecond arithmetic', () => {
    const t = Date.UTC(2024, 0, 1)
    assert.equal(apply('+', 'TIMESTAMP', [t, 'TIMESTAMP'], [5000, 'INTERVAL']), t + 5000)
    assert.equal(apply('-', 'INTERVAL', [t + 60_000, 'TIMESTAMP'], [t, 'TIMESTAMP']), 60_000)
    assert.equal(apply('*', 'INTERVAL', [1000, 'INTERVAL'], [1.5, 'DOUBLE']), 1500)
    assert.equal(apply('/', 'INTERVAL', [1000, 'INTERVAL'], [3, 'INT']), 333)
  })
})

describe('VARCHAR orders by code point', () => {
  // Spark orders strings by UTF-8 byte, i.e. by code point; JavaScript's `<` by UTF-16 code
  // unit, which puts '😀' (U+1F600, surrogates D83D DE00) below '～' (U+FF5E) and U+E000.
  const strings = ['', 'a', 'ab', 'z', '\uE000', '～', '\uFFFF', '😀', '😀a', '😁', 'a😀', 'a～']
  const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  const ops: Readonly<Record<string, (c: number) => boolean>> = {
    '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
  }
  const s = (v: string): readonly [string, 'VARCHAR'] => [v, 'VARCHAR']

  it('<, <=, >, >= and their negations agree with UTF-8 byte order', () => {
    for (const [op, holds] of Object.entries(ops)) {
      for (const a of strings) {
        for (const b of strings) {
          const want = holds(bytes(a, b))
          assert.equal(apply(op, 'BOOLEAN', s(a), s(b)), want, `'${a}' ${op} '${b}'`)
          const e = call(op, [col(0, 'VARCHAR'), str(b)], 'BOOLEAN')
          assert.equal(evaluate(call('not', [e], 'BOOLEAN'), [a]), !want, `NOT '${a}' ${op} '${b}'`)
        }
      }
    }
  })

  it('BETWEEN agrees with UTF-8 byte order, with column and literal bounds', () => {
    const lo = '～'
    const hi = '😁'
    for (const v of strings) {
      const want = bytes(v, lo) >= 0 && bytes(v, hi) <= 0
      for (const negated of [false, true]) {
        const fn = negated ? 'not_between' : 'between'
        const byColumns = call(fn, [col(0, 'VARCHAR'), col(1, 'VARCHAR'), col(2, 'VARCHAR')], 'BOOLEAN')
        const byLiterals = call(fn, [col(0, 'VARCHAR'), str(lo), str(hi)], 'BOOLEAN')
        assert.equal(evaluate(byColumns, [v, lo, hi]), want !== negated, `'${v}' ${fn} '${lo}' AND '${hi}'`)
        assert.equal(evaluate(byLiterals, [v]), want !== negated, `'${v}' ${fn} literals`)
      }
    }
  })

  it('GREATEST and LEAST agree with UTF-8 byte order', () => {
    const sorted = [...strings].sort(bytes)
    const args = strings.map(s)
    assert.equal(apply('greatest', 'VARCHAR', ...args), sorted[sorted.length - 1])
    assert.equal(apply('least', 'VARCHAR', ...args), sorted[0])
    assert.equal(apply('greatest', 'VARCHAR', s('😀'), [null, 'VARCHAR'], s('～')), '😀')
    assert.equal(apply('least', 'VARCHAR', s('😀'), s('～')), '～')
  })

  it('numeric comparisons keep the bare operator', () => {
    const src = generatedSource([call('<', [col(0, 'INT'), int(3)], 'BOOLEAN')], 'predicate')
    assert.match(src, /t0 < 3/)
    assert.doesNotMatch(src, /k\d/, 'no helper constant')
  })
})

describe('IN, BETWEEN, CASE', () => {
  const inList = (negated: boolean, list: readonly Expr[]): Expr =>
    call(negated ? 'not_in' : 'in', [col(0, 'INT'), ...list], 'BOOLEAN')
  const small = [int(1), int(2)]
  const large = [1, 2, 3, 4, 5, 6, 7, 8].map(int)

  for (const [name, list] of [['small', small], ['large (Set)', large]] as const) {
    it(`IN over a ${name} literal list, with and without NULL`, () => {
      assert.equal(evaluate(inList(false, list), [2]), true)
      assert.equal(evaluate(inList(false, list), [9]), false)
      assert.equal(evaluate(inList(false, list), [null]), null)
      assert.equal(evaluate(inList(false, [...list, NULL]), [9]), null)
      assert.equal(evaluate(inList(false, [...list, NULL]), [1]), true)
      assert.equal(evaluate(inList(true, list), [9]), true)
      assert.equal(evaluate(inList(true, list), [1]), false)
      assert.equal(evaluate(inList(true, [...list, NULL]), [9]), null)
      assert.equal(evaluate(inList(true, list), [null]), null)
      assert.equal(evaluate(call('not', [inList(false, [...list, NULL])], 'BOOLEAN'), [9]), null)
      assert.equal(evaluate(call('not', [inList(false, list)], 'BOOLEAN'), [9]), true)
    })
  }

  it('IN over a non-literal list', () => {
    const e = call('in', [col(0, 'INT'), col(1, 'INT'), int(5)], 'BOOLEAN')
    assert.equal(evaluate(e, [3, 3]), true)
    assert.equal(evaluate(e, [5, null]), true)
    assert.equal(evaluate(e, [4, null]), null)
    assert.equal(evaluate(e, [4, 3]), false)
    assert.equal(evaluate(call('not_in', [col(0, 'INT'), col(1, 'INT')], 'BOOLEAN'), [4, null]), null)
  })

  it('BETWEEN follows x >= lo AND x <= hi', () => {
    const x = (lo: Expr, hi: Expr, negated = false): Expr =>
      call(negated ? 'not_between' : 'between', [col(0, 'INT'), lo, hi], 'BOOLEAN')
    for (const v of [0, 1, 5, 10, 11, null]) {
      for (const lo of [1, null]) {
        for (const hi of [10, null]) {
          const ge = v === null || lo === null ? null : v >= lo
          const le = v === null || hi === null ? null : v <= hi
          const want = ge === false || le === false ? false : ge === null || le === null ? null : true
          const bounds = [col(1, 'INT'), col(2, 'INT')] as const
          assert.equal(evaluate(x(...bounds), [v, lo, hi]), want, `${v} BETWEEN ${lo} AND ${hi}`)
          assert.equal(evaluate(x(...bounds, true), [v, lo, hi]), want === null ? null : !want)
          assert.equal(evaluate(x(lo === null ? NULL : int(lo), hi === null ? NULL : int(hi)), [v]), want)
        }
      }
    }
  })

  it('searched CASE takes the first TRUE branch; NULL conditions do not match', () => {
    const e: Expr = {
      kind: 'case', operand: null, type: 'VARCHAR', else: str('other'),
      whens: [
        { when: call('>', [col(0, 'INT'), int(10)], 'BOOLEAN'), then: str('big') },
        { when: call('>', [col(0, 'INT'), int(0)], 'BOOLEAN'), then: str('small') },
      ],
    }
    assert.deepEqual([20, 5, -1, null].map((v) => evaluate(e, [v])), ['big', 'small', 'other', 'other'])
  })

  it('simple CASE compares with =; a NULL operand matches nothing; no ELSE gives NULL', () => {
    const e: Expr = {
      kind: 'case', operand: col(0, 'INT'), type: 'VARCHAR', else: null,
      whens: [{ when: int(1), then: str('one') }, { when: lit(null, 'INT'), then: str('null?') }],
    }
    assert.deepEqual([1, 2, null].map((v) => evaluate(e, [v])), ['one', null, null])
  })
})

describe('LIKE', () => {
  const like = (s: string | null, p: string | null, fn = 'like'): Value => apply(fn, 'BOOLEAN', [s, 'VARCHAR'], [p, 'VARCHAR'])
  it('% and _ and escapes', () => {
    assert.equal(like('abc', 'abc'), true)
    assert.equal(like('abc', 'a%'), true)
    assert.equal(like('abc', '%c'), true)
    assert.equal(like('abc', '%b%'), true)
    assert.equal(like('abc', 'a_c'), true)
    assert.equal(like('abbc', 'a_c'), false)
    assert.equal(like('', '%'), true)
    assert.equal(like('', ''), true)
    assert.equal(like('a\nb', 'a_b'), true)
    assert.equal(like('a\nb', 'a%'), true)
    assert.equal(like('50%', '50\\%'), true)
    assert.equal(like('500', '50\\%'), false)
    assert.equal(like('a_c', 'a\\_c'), true)
    assert.equal(like('abc', 'a\\_c'), false)
    assert.equal(like('a.c', 'a.c'), true)
    assert.equal(like('abc', 'a.c'), false)
    assert.equal(like('(x)+[y]', '(x)+[y]'), true)
    assert.equal(like('😀', '_'), true)
    assert.equal(like('x\\', 'x\\'), true, 'a trailing escape matches itself')
  })
  it('NULLs, NOT LIKE, ILIKE', () => {
    assert.equal(like(null, 'a%'), null)
    assert.equal(like('abc', null), null)
    assert.equal(like('abc', 'a%', 'not_like'), false)
    assert.equal(like(null, 'a%', 'not_like'), null)
    assert.equal(like('ABC', 'a%', 'ilike'), true)
    assert.equal(like('ABC', 'a%', 'like'), false)
    assert.equal(like('ABC', 'x%', 'not_ilike'), true)
  })
  it('a pattern from a column is compiled per distinct pattern', () => {
    const e = call('like', [col(0, 'VARCHAR'), col(1, 'VARCHAR')], 'BOOLEAN')
    assert.equal(evaluate(e, ['abc', 'a%']), true)
    assert.equal(evaluate(e, ['abc', 'b%']), false)
    assert.equal(evaluate(call('not', [e], 'BOOLEAN'), ['abc', 'b%']), true)
  })
})

describe('compiled functions', () => {
  it('a projection is one function returning a fresh array', () => {
    const p = compileProjection([col(1, 'VARCHAR'), call('+', [col(0, 'INT'), int(1)], 'INT'), lit('k', 'VARCHAR')])
    const a = p([1, 'x'])
    assert.deepEqual(a, ['x', 2, 'k'])
    assert.notEqual(p([1, 'x']), a)
    assert.deepEqual(compileProjection([])([1]), [])
  })

  it('constant subtrees are folded at compile time', () => {
    const src = generatedSource([call('+', [col(0, 'INT'), call('*', [int(6), int(7)], 'INT')], 'INT')], 'value')
    assert.match(src, /\+ 42/)
    assert.doesNotMatch(src, /\*/)
  })

  it('predicates avoid materialising NULL', () => {
    const e = call('and', [call('>', [col(2, 'DOUBLE'), dbl(100)], 'BOOLEAN'), call('=', [col(1, 'VARCHAR'), str('x')], 'BOOLEAN')], 'BOOLEAN')
    const src = generatedSource([e], 'predicate')
    assert.match(src, /\(t0 = row\[2\]\) != null && t0 > 100/)
  })

  it('malformed graphs are internal errors, not code', () => {
    const bad = (e: Expr): void => {
      assert.throws(() => compileExpr(e), (err: unknown) => err instanceof WeirError && err.code === 'INTERNAL_ERROR')
    }
    bad(call('no_such_fn', [], 'INT'))
    bad(call('constructor', [], 'INT'))
    bad(col(-1, 'INT'))
    bad({ kind: 'column', index: '0]; process.exit(1); //' as unknown as number, type: 'INT' })
    bad(call('date_trunc', [str('fortnight'), col(0, 'TIMESTAMP')], 'TIMESTAMP'))
  })
})
