import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Expr } from '../runtime/graph.ts'
import type { DataType, Value } from '../runtime/types.ts'
import { formatAst, formatExpr, formatIdent, formatInterval } from './format-expr.ts'
import {
  between, bin, bool, cast, caseWhen, colRef, countStar, extract, fn, inList, interval, isNull, like, neg, not, nul, num, text, tsLit,
} from './expr-testing.ts'

const a = colRef('a')
const b = colRef('b')
const c = colRef('c')

describe('formatAst', () => {
  it('parenthesises only where precedence needs it', () => {
    assert.equal(formatAst(bin('*', bin('+', a, b), c)), '(a + b) * c')
    assert.equal(formatAst(bin('+', a, bin('*', b, c))), 'a + b * c')
    assert.equal(formatAst(bin('-', a, bin('-', b, c))), 'a - (b - c)')
    assert.equal(formatAst(bin('-', bin('-', a, b), c)), 'a - b - c')
    assert.equal(formatAst(bin('and', a, bin('or', b, c))), 'a AND (b OR c)')
    assert.equal(formatAst(bin('or', bin('and', a, b), c)), 'a AND b OR c')
    assert.equal(formatAst(not(bin('and', a, b))), 'NOT (a AND b)')
    assert.equal(formatAst(bin('and', not(a), b)), 'NOT a AND b')
    assert.equal(formatAst(bin('=', bin('+', a, num(1)), b)), 'a + 1 = b')
    assert.equal(formatAst(neg(neg(a))), '-(-a)')
    assert.equal(formatAst(neg(bin('+', a, b))), '-(a + b)')
    assert.equal(formatAst(bin('-', a, num(-1))), 'a - -1')
    assert.equal(formatAst(isNull(bin('+', a, b))), 'a + b IS NULL')
    assert.equal(formatAst(isNull(bin('and', a, b), true)), '(a AND b) IS NOT NULL')
    assert.equal(formatAst(bin('->>', bin('->', a, text('x')), num(0))), "a -> 'x' ->> 0")
  })

  it('every node kind', () => {
    assert.equal(formatAst(colRef('x', undefined, 't')), 't.x')
    assert.equal(formatAst(colRef('My Col')), '"My Col"')
    assert.equal(formatAst(colRef('a"b')), '"a""b"')
    assert.equal(formatAst(text("it's")), "'it''s'")
    assert.equal(formatAst(num(1, undefined, false)), '1.0')
    assert.equal(formatAst(num(2.5)), '2.5')
    assert.equal(formatAst(bool(false)), 'FALSE')
    assert.equal(formatAst(nul()), 'NULL')
    assert.equal(formatAst(tsLit('2026-01-01 00:00:00')), "TIMESTAMP '2026-01-01 00:00:00'")
    assert.equal(formatAst(interval(5000, "INTERVAL '5' SECOND")), "INTERVAL '5' SECOND")
    assert.equal(formatAst(interval(5000, "'5' SECOND")), "INTERVAL '5' SECOND")
    assert.equal(formatAst(countStar()), 'count(*)')
    assert.equal(formatAst(fn('count', [a], undefined, true)), 'count(DISTINCT a)')
    assert.equal(formatAst(fn('substring', [a, num(1), num(2)])), 'substring(a, 1, 2)')
    assert.equal(formatAst(cast(a, 'BIGINT')), 'CAST(a AS BIGINT)')
    assert.equal(formatAst(inList(a, [num(1), num(2)], true)), 'a NOT IN (1, 2)')
    assert.equal(formatAst(between(a, num(1), bin('+', b, num(1)))), 'a BETWEEN 1 AND b + 1')
    assert.equal(formatAst(like(a, text('x%'), false, true)), "a ILIKE 'x%'")
    assert.equal(formatAst(extract('year', a)), 'EXTRACT(YEAR FROM a)')
    assert.equal(formatAst(caseWhen(null, [[a, num(1)]], num(0))), 'CASE WHEN a THEN 1 ELSE 0 END')
    assert.equal(formatAst(caseWhen(a, [[num(1), b]])), 'CASE a WHEN 1 THEN b END')
    assert.equal(formatAst({ kind: 'star', table: 't', pos: { line: 1, column: 1 } }), 't.*')
  })
})

describe('formatExpr', () => {
  const col = (index: number, name?: string): Expr => (name === undefined ? { kind: 'column', index, type: 'INT' } : { kind: 'column', index, type: 'INT', name })
  const call = (fn: string, args: Expr[]): Expr => ({ kind: 'call', fn, args, type: 'BOOLEAN' })
  const lit = (value: Value, type: DataType): Expr => ({ kind: 'literal', value, type })

  it('names columns from the input schema, then the bound name, then the index', () => {
    assert.equal(formatExpr(col(0, 'old'), ['x']), 'x')
    assert.equal(formatExpr(col(1, 'old'), ['x']), 'old')
    assert.equal(formatExpr(col(2), ['x']), '"#2"')
    assert.equal(formatExpr(col(0), ['user id']), '"user id"')
  })

  it('literals by type', () => {
    assert.equal(formatExpr(lit(Date.UTC(2026, 0, 1), 'TIMESTAMP'), []), "TIMESTAMP '2026-01-01T00:00:00.000Z'")
    assert.equal(formatExpr(lit(90_000, 'INTERVAL'), []), "INTERVAL '90' SECOND")
    assert.equal(formatExpr(lit(3, 'DOUBLE'), []), '3.0')
    assert.equal(formatExpr(lit(-3, 'INT'), []), '-3')
    assert.equal(formatExpr(lit({ k: ["'"] }, 'JSON'), []), `CAST('{"k":["''"]}' AS JSON)`)
    assert.equal(formatExpr(lit(null, 'VARCHAR'), []), 'NULL')
    assert.equal(formatInterval(1500), "INTERVAL '1500' MILLISECOND")
    assert.equal(formatInterval(7_200_000), "INTERVAL '2' HOUR")
  })

  it('operators and special forms', () => {
    const x = col(0, 'x')
    const y = col(1, 'y')
    assert.equal(formatExpr(call('and', [call('or', [x, y]), call('not', [x])]), []), '(x OR y) AND NOT x')
    assert.equal(formatExpr(call('*', [call('+', [x, y]), call('neg', [y])]), []), '(x + y) * -y')
    assert.equal(formatExpr(call('in', [x, lit(1, 'INT'), lit(2, 'INT')]), []), 'x IN (1, 2)')
    assert.equal(formatExpr(call('not_between', [x, lit(1, 'INT'), y]), []), 'x NOT BETWEEN 1 AND y')
    assert.equal(formatExpr(call('not_like', [x, lit('a%', 'VARCHAR')]), []), "x NOT LIKE 'a%'")
    assert.equal(formatExpr(call('is_not_null', [x]), []), 'x IS NOT NULL')
    assert.equal(formatExpr(call('concat', [x, y]), []), 'x || y')
    assert.equal(formatExpr(call('concat_skip_nulls', [x, y]), []), 'concat(x, y)')
    assert.equal(formatExpr(call('json_get_text', [call('json_get', [x, lit('a', 'VARCHAR')]), lit(0, 'INT')]), []), "x -> 'a' ->> 0")
    assert.equal(formatExpr(call('extract', [lit('dow', 'VARCHAR'), x]), []), 'EXTRACT(DOW FROM x)')
    assert.equal(formatExpr({ kind: 'cast', expr: x, type: 'DOUBLE' }, []), 'CAST(x AS DOUBLE)')
    assert.equal(formatExpr(call('constructor', [x]), []), 'constructor(x)')
  })

  it('identifiers quote when they would not read back unquoted', () => {
    assert.equal(formatIdent('ok_1'), 'ok_1')
    assert.equal(formatIdent('Upper'), '"Upper"')
    assert.equal(formatIdent('1st'), '"1st"')
    assert.equal(formatIdent('"; DROP'), '"""; DROP"')
  })
})
