import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AstExpr } from './ast.ts'
import type { Expr } from '../runtime/graph.ts'
import type { DataType } from '../runtime/types.ts'
import { WeirError } from '../runtime/errors.ts'
import { bindExpr, coerceExpr } from './bind-expr.ts'
import { formatExpr } from './format-expr.ts'
import {
  COLUMNS, at, between, bin, bool, cast, caseWhen, colRef, countStar, extract, fn, inList, interval, isNull, like, neg, not,
  nul, num, testScope, text, tsLit,
} from './expr-testing.ts'

const scope = testScope()
const bind = (ast: AstExpr): Expr => bindExpr(ast, scope)
const names = COLUMNS.map(([n]) => n)
/** Type and EXPLAIN text of the bound expression. */
const typed = (ast: AstExpr): [DataType, string] => {
  const e = bind(ast)
  return [e.type, formatExpr(e, names)]
}

function fails(ast: AstExpr, code: string, message?: string | RegExp, pos?: { line: number; column: number }): void {
  assert.throws(() => bind(ast), (err: unknown) => {
    assert.ok(err instanceof WeirError, String(err))
    assert.equal(err.code, code, err.message)
    assert.equal(err.domain, 'user')
    if (typeof message === 'string') assert.equal(err.message, message)
    else if (message !== undefined) assert.match(err.message, message)
    if (pos !== undefined) assert.deepEqual(err.position, pos)
    return true
  })
}

const id = colRef('id')
const n = colRef('n')
const amount = colRef('amount')
const name = colRef('name')
const flag = colRef('flag')
const ts = colRef('ts')
const payload = colRef('payload')

describe('literals and columns', () => {
  it('columns resolve to row positions', () => {
    assert.deepEqual(bind(colRef('amount')), { kind: 'column', index: 2, type: 'DOUBLE', name: 'amount' })
    fails(colRef('nope', at(3, 9)), 'UNKNOWN_COLUMN', undefined, at(3, 9))
  })

  it('numbers: INT, BIGINT beyond 32 bits, DOUBLE with a point; negative literals fold', () => {
    assert.deepEqual(bind(num(7)), { kind: 'literal', value: 7, type: 'INT' })
    assert.equal(bind(num(3_000_000_000)).type, 'BIGINT')
    assert.equal(bind(num(1.5)).type, 'DOUBLE')
    assert.equal(bind(num(1, at(1, 1), false)).type, 'DOUBLE')
    assert.deepEqual(bind(neg(num(2147483648))), { kind: 'literal', value: -2147483648, type: 'INT' })
    assert.deepEqual(bind(neg(num(2.5))), { kind: 'literal', value: -2.5, type: 'DOUBLE' })
  })

  it('strings, booleans, NULL, intervals, timestamps', () => {
    assert.equal(bind(text('x')).type, 'VARCHAR')
    assert.equal(bind(bool(true)).type, 'BOOLEAN')
    assert.deepEqual(bind(nul()), { kind: 'literal', value: null, type: 'NULL' })
    assert.deepEqual(bind(interval(5000, "INTERVAL '5' SECOND")), { kind: 'literal', value: 5000, type: 'INTERVAL' })
    assert.deepEqual(bind(tsLit('2026-01-01 00:00:01')), { kind: 'literal', value: Date.UTC(2026, 0, 1, 0, 0, 1), type: 'TIMESTAMP' })
    assert.equal(bind(tsLit('2026-01-01T00:00:01.5+02:00')).kind, 'literal')
    fails(tsLit('2026-02-30', at(2, 8)), 'INVALID_LITERAL', /invalid TIMESTAMP literal '2026-02-30'/, at(2, 8))
  })
})

describe('operators', () => {
  it('arithmetic widens INT < BIGINT < DOUBLE with explicit casts', () => {
    assert.deepEqual(typed(bin('+', n, id)), ['BIGINT', 'CAST(n AS BIGINT) + id'])
    assert.deepEqual(typed(bin('*', n, num(1.5))), ['DOUBLE', 'CAST(n AS DOUBLE) * 1.5'])
    // `/` divides as DOUBLE, as in Spark.
    assert.deepEqual(typed(bin('/', id, num(2))), ['DOUBLE', 'CAST(id AS DOUBLE) / 2.0'])
    assert.deepEqual(typed(bin('+', nul(), num(1))), ['INT', 'NULL + 1'])
    assert.deepEqual(typed(neg(n)), ['INT', '-n'])
  })

  it('time arithmetic', () => {
    const five = interval(5000, "INTERVAL '5' SECOND")
    assert.deepEqual(typed(bin('-', ts, five)), ['TIMESTAMP', "ts - INTERVAL '5' SECOND"])
    assert.deepEqual(typed(bin('+', five, ts)), ['TIMESTAMP', "INTERVAL '5' SECOND + ts"])
    assert.deepEqual(typed(bin('-', ts, ts)), ['INTERVAL', 'ts - ts'])
    assert.deepEqual(typed(bin('*', five, num(2))), ['INTERVAL', "INTERVAL '5' SECOND * 2"])
    assert.deepEqual(typed(bin('-', ts, nul())), ['TIMESTAMP', 'ts - NULL'])
    fails(bin('+', ts, ts), 'TYPE_MISMATCH', 'cannot apply + to TIMESTAMP and TIMESTAMP in "ts + ts"')
    fails(bin('+', ts, num(1)), 'TYPE_MISMATCH', /cannot apply \+ to TIMESTAMP and INT/)
  })

  it('type errors name the expression and the types, at its position', () => {
    fails(bin('+', name, flag, at(4, 12)), 'TYPE_MISMATCH', 'cannot apply + to VARCHAR and BOOLEAN in "name + flag"', at(4, 12))
    fails(bin('=', name, num(1)), 'TYPE_MISMATCH', 'cannot compare VARCHAR and INT with = in "name = 1"')
    fails(bin('=', payload, payload), 'TYPE_MISMATCH', /compare JSON as text/)
    fails(bin('and', flag, n), 'TYPE_MISMATCH', 'cannot apply AND to BOOLEAN and INT in "flag AND n"')
    fails(not(n), 'TYPE_MISMATCH', 'cannot apply NOT to INT in "NOT n"')
    fails(neg(name), 'TYPE_MISMATCH', /cannot negate VARCHAR/)
    fails(bin('^', n, n), 'UNSUPPORTED_OPERATION')
  })

  it('a string literal compared with a TIMESTAMP is parsed at bind time', () => {
    const e = bind(bin('>=', ts, text('2026-01-01')))
    assert.deepEqual(e, { kind: 'call', fn: '>=', type: 'BOOLEAN', args: [bind(ts), { kind: 'literal', value: Date.UTC(2026, 0, 1), type: 'TIMESTAMP' }] })
    fails(bin('<', ts, text('soon', at(1, 20))), 'INVALID_LITERAL', /'soon'/, at(1, 20))
    fails(bin('<', ts, name), 'TYPE_MISMATCH', /cannot compare TIMESTAMP and VARCHAR/)
    assert.deepEqual(typed(between(ts, text('2026-01-01'), tsLit('2026-01-02'))), [
      'BOOLEAN', "ts BETWEEN TIMESTAMP '2026-01-01T00:00:00.000Z' AND TIMESTAMP '2026-01-02T00:00:00.000Z'",
    ])
  })

  it('|| converts non-text operands, needs one text side', () => {
    assert.deepEqual(typed(bin('||', name, n)), ['VARCHAR', 'name || CAST(n AS VARCHAR)'])
    fails(bin('||', n, n), 'TYPE_MISMATCH', /cannot apply \|\| to INT and INT/)
  })

  it('JSON access: -> gives JSON, ->> gives VARCHAR', () => {
    assert.deepEqual(typed(bin('->>', bin('->', payload, text('a')), num(0))), ['VARCHAR', "payload -> 'a' ->> 0"])
    assert.equal(bind(bin('->', payload, text('a'))).type, 'JSON')
    fails(bin('->', name, text('a')), 'TYPE_MISMATCH', /CAST the text AS JSON first/)
    fails(bin('->', payload, flag), 'TYPE_MISMATCH', /JSON key must be VARCHAR or an integer/)
  })

  it('IN, BETWEEN, LIKE, IS NULL', () => {
    assert.deepEqual(typed(inList(n, [num(1), num(2.5), nul()])), ['BOOLEAN', 'CAST(n AS DOUBLE) IN (1.0, 2.5, NULL)'])
    assert.deepEqual(typed(inList(name, [text('a')], true)), ['BOOLEAN', "name NOT IN ('a')"])
    fails(inList(n, [text('a')]), 'TYPE_MISMATCH', /cannot compare INT and VARCHAR in IN/)
    assert.deepEqual(typed(between(amount, num(1), n, true)), ['BOOLEAN', 'amount NOT BETWEEN 1.0 AND CAST(n AS DOUBLE)'])
    assert.deepEqual(typed(like(name, text('a%'), true, true)), ['BOOLEAN', "name NOT ILIKE 'a%'"])
    assert.equal(bind(like(name, text('a%'))).type, 'BOOLEAN')
    fails(like(n, text('1%')), 'TYPE_MISMATCH', /cannot apply LIKE to INT/)
    fails(like(name, text('ab\\', at(1, 15))), 'INVALID_LITERAL', /must not end with the escape character/, at(1, 15))
    assert.deepEqual(typed(isNull(payload, true)), ['BOOLEAN', 'payload IS NOT NULL'])
  })

  it('CASE unifies branch types and checks conditions', () => {
    assert.deepEqual(typed(caseWhen(null, [[bin('>', n, num(1)), n]], amount)), [
      'DOUBLE', 'CASE WHEN n > 1 THEN CAST(n AS DOUBLE) ELSE amount END',
    ])
    assert.deepEqual(typed(caseWhen(n, [[num(1), text('one')]])), ['VARCHAR', "CASE n WHEN 1 THEN 'one' END"])
    assert.deepEqual(typed(caseWhen(ts, [[text('2026-01-01'), nul()]])), [
      'NULL', "CASE ts WHEN TIMESTAMP '2026-01-01T00:00:00.000Z' THEN NULL END",
    ])
    fails(caseWhen(null, [[n, text('x')]]), 'TYPE_MISMATCH', /CASE WHEN condition must be BOOLEAN, not INT/)
    fails(caseWhen(null, [[flag, n]], text('x')), 'TYPE_MISMATCH', /incompatible types INT, VARCHAR/)
    fails(caseWhen(n, [[text('1'), n]]), 'TYPE_MISMATCH', /cannot compare INT and VARCHAR in CASE/)
  })

  it('CAST: allowed conversions; string literals to TIMESTAMP checked now', () => {
    assert.deepEqual(typed(cast(name, 'INT')), ['INT', 'CAST(name AS INT)'])
    assert.deepEqual(bind(cast(text('2026-01-01'), 'TIMESTAMP')), { kind: 'literal', value: Date.UTC(2026, 0, 1), type: 'TIMESTAMP' })
    assert.deepEqual(bind(cast(nul(), 'INT')), { kind: 'literal', value: null, type: 'INT' })
    assert.deepEqual(bind(cast(n, 'INT')), bind(n))
    fails(cast(text('nope'), 'TIMESTAMP', at(1, 6)), 'INVALID_LITERAL', /'nope'/)
    fails(cast(n, 'TIMESTAMP'), 'TYPE_MISMATCH', /cannot cast INT to TIMESTAMP; use to_timestamp\(seconds\) or from_epoch_millis\(ms\)/)
    fails(cast(ts, 'BIGINT'), 'TYPE_MISMATCH', /use to_epoch_millis\(ts\)/)
    fails(cast(flag, 'TIMESTAMP'), 'TYPE_MISMATCH')
  })

  it('star outside a select list or count(*) is refused', () => {
    fails({ kind: 'star', table: null, pos: at(1, 8) }, 'UNSUPPORTED_OPERATION', undefined, at(1, 8))
  })
})

describe('functions', () => {
  it('aggregates, unknown and unsupported functions', () => {
    fails(fn('count', [n], at(2, 3)), 'AGGREGATE_NOT_ALLOWED', 'aggregate function count(n) is not allowed here', at(2, 3))
    fails(countStar(), 'AGGREGATE_NOT_ALLOWED', /count\(\*\)/)
    fails(fn('SUM', [n]), 'AGGREGATE_NOT_ALLOWED')
    fails(fn('frobnicate', [n], at(1, 30)), 'UNKNOWN_FUNCTION', 'function frobnicate() does not exist', at(1, 30))
    fails(fn('now', [], at(1, 4)), 'UNSUPPORTED_FUNCTION', /not deterministic/, at(1, 4))
    fails(fn('random', []), 'UNSUPPORTED_FUNCTION')
    fails(fn('lower', [name], at(1, 1), true), 'UNSUPPORTED_OPERATION', /DISTINCT/)
  })

  it('argument counts and types', () => {
    fails(fn('substring', [name]), 'TYPE_MISMATCH', 'substring() takes 2 or 3 arguments but got 1 in "substring(name)"')
    fails(fn('lower', [name, name]), 'TYPE_MISMATCH', /lower\(\) takes 1 argument but got 2/)
    fails(fn('coalesce', []), 'TYPE_MISMATCH', /takes at least 1 argument/)
    fails(fn('lower', [n]), 'TYPE_MISMATCH', 'cannot apply lower to (INT); expected lower(VARCHAR) in "lower(n)"')
    fails(fn('substring', [name, amount]), 'TYPE_MISMATCH', /expected substring\(VARCHAR, INT\[, INT\]\)/)
    fails(fn('coalesce', [n, name]), 'TYPE_MISMATCH', /cannot apply coalesce to \(INT, VARCHAR\)/)
    fails(fn('abs', [name]), 'TYPE_MISMATCH')
  })

  const cases: readonly (readonly [AstExpr, DataType, string])[] = [
    [fn('LOWER', [name]), 'VARCHAR', 'lower(name)'],
    [fn('char_length', [name]), 'INT', 'length(name)'],
    [fn('substr', [name, num(2), id]), 'VARCHAR', 'substring(name, 2, id)'],
    [fn('concat', [name, n, nul(), ts]), 'VARCHAR', 'concat(name, CAST(n AS VARCHAR), NULL, CAST(ts AS VARCHAR))'],
    [fn('btrim', [name, text('x')]), 'VARCHAR', "trim(name, 'x')"],
    [fn('replace', [name, text('a'), text('b')]), 'VARCHAR', "replace(name, 'a', 'b')"],
    [fn('strpos', [name, text('a')]), 'INT', "position('a', name)"],
    [fn('abs', [n]), 'INT', 'abs(n)'],
    [fn('round', [amount, num(2)]), 'DOUBLE', 'round(amount, 2)'],
    [fn('round', [id]), 'BIGINT', 'round(id)'],
    [fn('ceiling', [amount]), 'DOUBLE', 'ceil(amount)'],
    [fn('coalesce', [n, id, num(0)]), 'BIGINT', 'coalesce(CAST(n AS BIGINT), id, 0)'],
    [fn('nullif', [name, text('')]), 'VARCHAR', "nullif(name, '')"],
    [fn('greatest', [n, amount]), 'DOUBLE', 'greatest(CAST(n AS DOUBLE), amount)'],
    [fn('date_trunc', [text('Hours'), ts]), 'TIMESTAMP', "date_trunc('hour', ts)"],
    [fn('date_trunc', [text('day'), text('2026-01-01 10:00')]), 'TIMESTAMP', "date_trunc('day', TIMESTAMP '2026-01-01T10:00:00.000Z')"],
    [extract('YEAR', ts), 'INT', 'EXTRACT(YEAR FROM ts)'],
    [extract('second', ts), 'DOUBLE', 'EXTRACT(SECOND FROM ts)'],
    [extract('epoch', ts), 'DOUBLE', 'EXTRACT(EPOCH FROM ts)'],
    [fn('date_part', [text('dow'), ts]), 'INT', 'EXTRACT(DOW FROM ts)'],
    [fn('to_timestamp', [amount]), 'TIMESTAMP', 'to_timestamp(amount)'],
    [fn('to_timestamp', [name, text('YYYY')]), 'TIMESTAMP', 'to_timestamp(name)'],
    [fn('to_epoch_millis', [ts]), 'BIGINT', 'to_epoch_millis(ts)'],
    [fn('epoch_ms', [ts]), 'BIGINT', 'to_epoch_millis(ts)'],
    [fn('epoch_ms', [id]), 'TIMESTAMP', 'from_epoch_millis(id)'],
    [fn('from_epoch_millis', [id]), 'TIMESTAMP', 'from_epoch_millis(id)'],
  ]
  for (const [ast, type, explain] of cases) {
    it(`${explain}: ${type}`, () => assert.deepEqual(typed(ast), [type, explain]))
  }

  it('date_trunc and EXTRACT check their literal unit', () => {
    fails(fn('date_trunc', [text('fortnight', at(1, 19)), ts]), 'INVALID_LITERAL', /unknown date_trunc unit 'fortnight'/, at(1, 19))
    fails(fn('date_trunc', [name, ts]), 'TYPE_MISMATCH', /date_trunc unit must be a string literal/)
    fails(extract('century', ts, at(1, 2)), 'INVALID_LITERAL', /unknown EXTRACT field 'century'/, at(1, 2))
    fails(extract('year', name), 'TYPE_MISMATCH', /cannot extract year from VARCHAR/)
    fails(fn('date_trunc', [text('day'), text('garbage', at(1, 25))]), 'INVALID_LITERAL', /'garbage'/, at(1, 25))
  })
})

describe('scope hooks and coercion', () => {
  it('intercept replaces nodes before binding', () => {
    const replaced: Expr = { kind: 'column', index: 9, type: 'BIGINT', name: 'count(*)' }
    const s = testScope((ast) => (ast.kind === 'function' && ast.name === 'count' ? replaced : undefined))
    const e = bindExpr(bin('>', countStar(), num(10)), s)
    assert.deepEqual(e, { kind: 'call', fn: '>', type: 'BOOLEAN', args: [replaced, { kind: 'literal', value: 10, type: 'BIGINT' }] })
  })

  it('coerceExpr assigns with implicit casts only', () => {
    const lit = text('2026-01-01')
    assert.deepEqual(coerceExpr(bind(lit), lit, 'TIMESTAMP'), { kind: 'literal', value: Date.UTC(2026, 0, 1), type: 'TIMESTAMP' })
    assert.deepEqual(coerceExpr(bind(n), n, 'DOUBLE'), { kind: 'cast', expr: bind(n), type: 'DOUBLE' })
    assert.throws(() => coerceExpr(bind(name), name, 'INT'), /cannot assign VARCHAR to INT/)
  })

  it('bound expressions are frozen, JSON-serialisable data', () => {
    const e = bind(bin('and', like(name, text('a%')), bin('>', ts, text('2026-01-01'))))
    assert.ok(Object.isFrozen(e))
    assert.deepEqual(JSON.parse(JSON.stringify(e)), e)
  })
})
