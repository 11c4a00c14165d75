/**
 * Guards against node-sql-parser 5.4 reading invalid or unsupported SQL as something else
 * without complaint. Each case here was found by experiment.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { exprText } from './ast-text.ts'
import { expr, fails, select } from './test-helpers.ts'

describe('operator precedence repair', () => {
  // node-sql-parser reads the first in a select list as `a AND (b OR c)`, and the WHERE ones
  // as `(NOT a OR b) AND c`; PostgreSQL binds AND tighter than OR and NOT tighter than AND.
  const cases: [string, string][] = [
    ['a AND b OR c', '(or (and a b) c)'],
    ['a OR b AND c', '(or a (and b c))'],
    ['a AND b AND c OR d', '(or (and (and a b) c) d)'],
    ['a OR b AND c OR d', '(or (or a (and b c)) d)'],
    ['NOT a AND b OR c', '(or (and (not a) b) c)'],
    ['NOT a OR b AND c', '(or (not a) (and b c))'],
    ['x = 1 AND NOT y OR z', '(or (and (= x 1) (not y)) z)'],
    ['a IN (1) OR b AND c', '(or (in a [1]) (and b c))'],
    ['a AND (b OR c)', '(and a (or b c))'],
    ['(a OR b) AND c', '(and (or a b) c)'],
    ['a + b || c', '(|| (+ a b) c)'],
  ]
  for (const [text, want] of cases) {
    it(`select list: ${text}`, () => assert.equal(expr(text), want))
    it(`WHERE: ${text}`, () => {
      const w = select(`SELECT 1 FROM t WHERE ${text}`).where
      assert.equal(w && exprText(w), want)
    })
  }

  it('inside CASE, function arguments and HAVING', () => {
    assert.equal(expr('CASE WHEN a AND b OR c THEN 1 END'), '(case _ [(or (and a b) c) 1] _)')
    assert.equal(expr('f(a OR b AND c)'), 'f((or a (and b c)))')
    const h = select('SELECT 1 FROM t GROUP BY x HAVING NOT a OR b AND c').having
    assert.equal(h && exprText(h), '(or (not a) (and b c))')
  })
})

describe('reserved words never become aliases', () => {
  it('CROSS JOIN is a join, not table t aliased CROSS', () => {
    const f = select('SELECT * FROM t CROSS JOIN u').from
    assert.equal(f?.kind === 'join' && f.joinType, 'cross')
  })

  const rejected: [string, string, number][] = [
    ['SELECT * FROM t NATURAL JOIN u', 'SQL_UNSUPPORTED', 17],
    ['SELECT * FROM t CROSS', 'SQL_PARSE_ERROR', 17],
    ['SELECT * FROM t FETCH', 'SQL_PARSE_ERROR', 17],
    ['SELECT a FETCH', 'SQL_PARSE_ERROR', 10],
    ['SELECT * FROM t LEFT', 'SQL_PARSE_ERROR', 21],
    ['SELECT * FROM t LEFT JOIN', 'SQL_PARSE_ERROR', 26],
    ['SELECT * FROM t WINDOW', 'SQL_PARSE_ERROR', 23],
    ['SELECT * FROM t EMIT', 'SQL_PARSE_ERROR', 21],
    ['SELECT * FROM ONLY t', 'SQL_PARSE_ERROR', 15],
    ['SELECT * FROM t AS LEFT JOIN u ON x', 'SQL_PARSE_ERROR', 25],
    ["SELECT INTERVAL '5' SECONDS", 'ok', 0],
    ["SELECT INTERVAL '5' MILLISECOND", 'ok', 0],
  ]
  for (const [sql, code, column] of rejected) {
    it(sql, () => {
      if (code === 'ok') {
        assert.equal(select(sql).items[0]?.alias, null)
        return
      }
      fails(sql, { code, column })
    })
  }

  it('quoted reserved words are fine as aliases', () => {
    assert.equal(select('SELECT a AS "from" FROM t').items[0]?.alias, 'from')
    const f = select('SELECT 1 FROM t AS "join"').from
    assert.equal(f?.kind === 'table' && f.alias, 'join')
  })
})

describe('nothing is silently dropped', () => {
  const rejected: [string, string, RegExp, number][] = [
    ['SELECT a FROM t WHERE a = 1 foo', 'SQL_PARSE_ERROR', /"foo"/, 29],
    ['SELECT a FROM t x y', 'SQL_PARSE_ERROR', /"y"/, 19],
    ['SELECT a FROM t ORDER BY a DESC x', 'SQL_PARSE_ERROR', /"x"/, 33],
    ['SELECT a FROM t LIMIT 1 2', 'SQL_PARSE_ERROR', /"2"/, 25],
    ['SELECT a FROM t WHERE a = 1 )', 'SQL_PARSE_ERROR', /"\)"/, 29],
    ['SELECT * FROM t JOIN u', 'SQL_PARSE_ERROR', /ON condition/, 22],
    ['SELECT * FROM t JOIN u USING (a)', 'SQL_UNSUPPORTED', /USING/, 22],
    ["SELECT a FROM t WHERE a LIKE 'x' ESCAPE '!'", 'SQL_UNSUPPORTED', /ESCAPE/, 34],
    ['SELECT a FROM t TABLESAMPLE SYSTEM (1)', 'SQL_UNSUPPORTED', /TABLESAMPLE/, 17],
    ['SELECT a COLLATE "C" FROM t', 'SQL_UNSUPPORTED', /COLLATE/, 10],
    ['SELECT a FROM t OFFSET 5', 'SQL_UNSUPPORTED', /OFFSET/, 17],
    ['SELECT a FROM t LIMIT 5 OFFSET 5', 'SQL_UNSUPPORTED', /OFFSET/, 25],
    ['SELECT a FROM t LIMIT 1.5', 'SQL_PARSE_ERROR', /LIMIT/, 23],
    ['SELECT DISTINCT ON (a) a FROM t', 'SQL_UNSUPPORTED', /DISTINCT ON/, 8],
    ['SELECT a FROM t AS x(b)', 'SQL_UNSUPPORTED', /alias lists/, 17],
    ['SELECT a FROM s.t', 'SQL_UNSUPPORTED', /schema-qualified/, 15],
    ['SELECT a.b.c FROM t', 'SQL_UNSUPPORTED', /three-part/, 8],
    ["SELECT INTERVAL '1' HOUR TO MINUTE", 'SQL_UNSUPPORTED', /TO/, 26],
    ["SELECT INTERVAL '5' YEAR", 'SQL_UNSUPPORTED', /YEAR/, 21],
    ["SELECT INTERVAL '5'", 'INVALID_LITERAL', /invalid interval/, 17],
    ["SELECT INTERVAL 'abc' SECOND", 'INVALID_LITERAL', /invalid interval value "abc"/, 17],
    ["SELECT INTERVAL '5 fortnights'", 'INVALID_LITERAL', /unknown interval unit "fortnights"/, 17],
    ['SELECT INTERVAL 5', 'SQL_PARSE_ERROR', /needs a unit/, 17],
    ['SELECT INTERVAL x', 'SQL_PARSE_ERROR', /interval literal/, 8],
    ['SELECT CAST(a AS foo) FROM t', 'SQL_PARSE_ERROR', /unknown type "foo"/, 18],
    ['SELECT a::decimal FROM t', 'SQL_UNSUPPORTED', /DECIMAL/, 11],
    ['SELECT a IS TRUE FROM t', 'SQL_UNSUPPORTED', /IS TRUE/, 13],
    ['SELECT a IS DISTINCT FROM b FROM t', 'SQL_UNSUPPORTED', /DISTINCT FROM/, 13],
    ["SELECT a FROM t WHERE a SIMILAR TO 'x'", 'SQL_UNSUPPORTED', /SIMILAR TO/, 23],
    ["SELECT DATE '2020-01-01'", 'SQL_UNSUPPORTED', /DATE/, 8],
    ['SELECT count(*) FILTER (WHERE a) FROM t', 'SQL_UNSUPPORTED', /FILTER/, 8],
    ['SELECT $1', 'SQL_UNSUPPORTED', /parameters/, 8],
    ['SELECT a[1] FROM t', 'SQL_UNSUPPORTED', /subscripts/, 8],
  ]
  for (const [sql, code, message, column] of rejected) it(sql, () => void fails(sql, { code, message, column }))
})

describe('unsupported features are named, with a position', () => {
  const rejected: [string, RegExp, number][] = [
    ['SELECT a FROM t UNION SELECT b FROM u', /UNION/, 17],
    ['SELECT a FROM t INTERSECT SELECT b FROM u', /INTERSECT/, 17],
    ['SELECT a FROM t EXCEPT SELECT b FROM u', /EXCEPT/, 17],
    ['WITH x AS (SELECT 1) SELECT * FROM x', /WITH/, 1],
    ['SELECT sum(a) OVER (PARTITION BY b) FROM t', /OVER/, 15],
    ['SELECT a FROM t WHERE a IN (SELECT b FROM u)', /subqueries/, 29],
    ['SELECT (SELECT 1) FROM t', /subqueries/, 9],
    ['SELECT a FROM t WHERE EXISTS (SELECT 1)', /subqueries/, 31],
    ['SELECT * FROM generate_series(1, 2)', /table function/, 15],
    ['UPDATE t SET a = 1', /UPDATE/, 1],
    ['DELETE FROM t', /DELETE/, 1],
  ]
  for (const [sql, message, column] of rejected) it(sql, () => void fails(sql, { code: 'SQL_UNSUPPORTED', message, column }))
})
