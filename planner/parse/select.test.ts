import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AstJoin, AstSubquery, AstWindowTvf } from '../ast.ts'
import { exprText } from './ast-text.ts'
import { expr, fails, select } from './test-helpers.ts'

describe('expressions', () => {
  const cases: [string, string][] = [
    ['a + b * c - d / e % f', '(- (+ a (* b c)) (% (/ d e) f))'],
    ["a || 'x' || b", "(|| (|| a 'x') b)"],
    ['a = 1 AND b <> 2 OR c != 3', '(or (and (= a 1) (<> b 2)) (<> c 3))'],
    ['a < b, a <= b, a > b, a >= b', '(< a b)'],
    ['NOT a', '(not a)'],
    ['-a * b', '(* (- a) b)'],
    ['- 5', '(- 5)'],
    ['-5.5', '-5.5f'],
    ['+a', '(+ a)'],
    ['(a + b) * c', '(* (+ a b) c)'],
    ['a IN (1, 2)', '(in a [1, 2])'],
    ["a NOT IN ('x')", "(not in a ['x'])"],
    ['a BETWEEN 1 AND 2', '(between a 1 2)'],
    ['a NOT BETWEEN b - 1 AND b + 1', '(not between a (- b 1) (+ b 1))'],
    ["a LIKE 'x%'", "(like a 'x%')"],
    ["a NOT LIKE 'x'", "(not like a 'x')"],
    ["a ILIKE 'x'", "(ilike a 'x')"],
    ["a NOT ILIKE 'x'", "(not ilike a 'x')"],
    ['a IS NULL', '(is null a)'],
    ['a IS NOT NULL', '(is not null a)'],
    ["CASE WHEN a > 1 THEN 'big' WHEN a > 0 THEN 'small' ELSE 'none' END", "(case _ [(> a 1) 'big'] [(> a 0) 'small'] 'none')"],
    ["CASE a WHEN 1 THEN 'x' END", "(case a [1 'x'] _)"],
    ['CAST(a AS BIGINT)', '(cast a BIGINT)'],
    ['a::int', '(cast a INT)'],
    ['a::int::double precision', '(cast (cast a INT) DOUBLE)'],
    ['CAST(a AS VARCHAR(10))', '(cast a VARCHAR)'],
    ['CAST(a AS TIMESTAMP)', '(cast a TIMESTAMP)'],
    ['a::jsonb', '(cast a JSON)'],
    ['EXTRACT(HOUR FROM ts)', 'extract(hour, ts)'],
    ['COUNT(*)', 'count(*)'],
    ['count(DISTINCT x)', 'count(DISTINCT x)'],
    ['SUM(DISTINCT x), avg(distinct x + 1)', 'sum(DISTINCT x)'],
    ['avg( distinct x + 1)', 'avg(DISTINCT (+ x 1))'],
    ['SUM(x), MIN(x), MAX(x), AVG(x)', 'sum(x)'],
    ['SUBSTRING(a, 1, 2)', 'substring(a, 1, 2)'],
    ['SUBSTRING(a FROM 1 FOR 2)', 'substring(a, 1, 2)'],
    ['TRIM(a)', 'trim(a)'],
    ["TRIM(BOTH 'x' FROM a)", "trim(a, 'x')"],
    ["TRIM(LEADING 'x' FROM a)", "ltrim(a, 'x')"],
    ['TRIM(TRAILING FROM a)', 'rtrim(a)'],
    ['COALESCE(a, NULLIF(b, 0))', 'coalesce(a, nullif(b, 0))'],
    ["Date_Trunc('minute', ts)", "date_trunc('minute', ts)"],
    ["payload->'a'->>'b'", "(->> (-> payload 'a') 'b')"],
    ['payload->0', '(-> payload 0)'],
    ["'it''s'", "'it's'"],
    ['TRUE, FALSE, NULL', 'TRUE'],
    ["TIMESTAMP '2026-01-01 00:00:01'", "TIMESTAMP '2026-01-01 00:00:01'"],
    ['1', '1'],
    ['1.0', '1f'],
    ['1e3', '1000f'],
    ['.5', '0.5f'],
    ['1 - -3', '(- 1 -3)'],
    ["INTERVAL '10 minutes'", 'interval:600000'],
    ["INTERVAL '5' SECOND", 'interval:5000'],
    ["INTERVAL '5' SECONDS", 'interval:5000'],
    ["INTERVAL '250' MILLISECONDS", 'interval:250'],
    ["INTERVAL '2' hours", 'interval:7200000'],
    ["INTERVAL '1' DAY", 'interval:86400000'],
    ["INTERVAL '1 hour 30 minutes'", 'interval:5400000'],
    ["INTERVAL '1.5' SECOND", 'interval:1500'],
    ['INTERVAL 5 MINUTES', 'interval:300000'],
    ["ts - INTERVAL '5' SECOND", '(- ts interval:5000)'],
    ["window(ts, '10 minutes', '5 minutes')", "window(ts, '10 minutes', '5 minutes')"],
    ["session_window(ts, '5 minutes')", "session_window(ts, '5 minutes')"],
    ['NOT (a OR b)', '(not (or a b))'],
    ['NOT (a) = b', '(not (= a b))'],
    ['NOT a IS NULL', '(not (is null a))'],
    ['t.a, "T"."B"', 't.a'],
  ]
  for (const [text, want] of cases) it(text, () => assert.equal(expr(text), want))

  it('normalises identifiers: unquoted lower-cased, quoted exact', () => {
    const s = select('SELECT Foo, "Bar", T."Baz", "T".qux FROM t')
    assert.deepEqual(s.items.map((i) => exprText(i.expr)), ['foo', 'Bar', 't.Baz', 'T.qux'])
  })

  it('distinguishes integers from decimals', () => {
    const [a, b] = select('SELECT 3, 3.0').items
    assert.deepEqual([a?.expr.kind === 'literal' && a.expr.isInteger, b?.expr.kind === 'literal' && b.expr.isInteger], [true, false])
  })

  it('keeps the interval text as written', () => {
    const e = select("SELECT INTERVAL  '5'  SECONDS").items[0]?.expr
    assert.equal(e?.kind === 'interval' && e.text, "INTERVAL  '5'  SECONDS")
  })
})

describe('select clauses', () => {
  it('reads the select list with aliases, with and without AS', () => {
    const s = select('SELECT a AS x, b y, "C" AS "Z", *, t.* FROM t')
    assert.deepEqual(s.items.map((i) => [exprText(i.expr), i.alias]), [['a', 'x'], ['b', 'y'], ['C', 'Z'], ['*', null], ['t.*', null]])
  })

  it('reads WHERE, GROUP BY, HAVING, ORDER BY, LIMIT and DISTINCT', () => {
    const s = select('SELECT DISTINCT a, COUNT(*) FROM t WHERE b > 1 GROUP BY a, b HAVING COUNT(*) > 2 ORDER BY a DESC NULLS FIRST, 2, c ASC NULLS LAST LIMIT 10')
    assert.equal(s.distinct, true)
    assert.equal(s.where && exprText(s.where), '(> b 1)')
    assert.deepEqual(s.groupBy.map(exprText), ['a', 'b'])
    assert.equal(s.having && exprText(s.having), '(> count(*) 2)')
    assert.deepEqual(s.orderBy.map((o) => [exprText(o.expr), o.descending, o.nullsFirst]), [['a', true, true], ['2', false, null], ['c', false, false]])
    assert.equal(s.limit, 10)
    const plain = select('SELECT a FROM t')
    assert.deepEqual([plain.distinct, plain.where, plain.groupBy, plain.having, plain.orderBy, plain.limit], [false, null, [], null, [], null])
  })

  it('reads a query without FROM', () => {
    assert.equal(select('SELECT 1').from, null)
  })

  it('reads tables with aliases', () => {
    assert.deepEqual(select('SELECT * FROM Clicks AS C').from, { kind: 'table', name: 'clicks', alias: 'c', pos: { line: 1, column: 15 } })
    const f = select('SELECT * FROM "Clicks" c').from
    assert.deepEqual(f?.kind === 'table' && [f.name, f.alias], ['Clicks', 'c'])
  })

  it('reads joins left-deep, with ON', () => {
    const f = select('SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c ON c.y = a.y RIGHT JOIN d ON TRUE FULL OUTER JOIN e ON TRUE INNER JOIN f ON TRUE LEFT JOIN g ON TRUE FULL JOIN h ON TRUE').from as AstJoin
    const types: string[] = []
    let cur: unknown = f
    while ((cur as AstJoin).kind === 'join') {
      types.unshift((cur as AstJoin).joinType)
      cur = (cur as AstJoin).left
    }
    assert.deepEqual(types, ['inner', 'left', 'right', 'full', 'inner', 'left', 'full'])
    assert.equal(f.right.kind === 'table' && f.right.name, 'h')
  })

  it('reads CROSS JOIN and comma joins as cross joins', () => {
    for (const sql of ['SELECT * FROM t CROSS JOIN u', 'SELECT * FROM t, u', 'SELECT * FROM t AS x CROSS JOIN u y']) {
      const f = select(sql).from as AstJoin
      assert.equal(f.kind, 'join')
      assert.equal(f.joinType, 'cross')
      assert.equal(f.on, null)
      assert.equal(f.left.kind === 'table' && f.left.name, 't')
      assert.equal(f.right.kind === 'table' && f.right.name, 'u')
    }
  })

  it('reads subqueries in FROM', () => {
    const f = select('SELECT s.a FROM (SELECT a FROM t WHERE a > 1) AS s').from as AstSubquery
    assert.equal(f.kind, 'subquery')
    assert.equal(f.alias, 's')
    assert.equal(f.query.where && exprText(f.query.where), '(> a 1)')
    assert.deepEqual(f.pos, { line: 1, column: 17 })
    assert.deepEqual(f.query.pos, { line: 1, column: 18 })
  })
})

describe('window table functions', () => {
  const tvf = (sql: string): AstWindowTvf => {
    const f = select(sql).from
    assert.equal(f?.kind, 'window_tvf')
    return f as AstWindowTvf
  }

  it('reads TUMBLE, HOP, SESSION and CUMULATE', () => {
    const t = tvf("SELECT * FROM TUMBLE(clicks, ts, INTERVAL '1' MINUTE)")
    assert.deepEqual([t.fn, t.table.name, t.timeColumn.name, t.args.map(exprText), t.alias], ['tumble', 'clicks', 'ts', ['interval:60000'], null])
    const h = tvf("SELECT * FROM hop(clicks, ts, INTERVAL '1' MINUTE, INTERVAL '5' MINUTES) AS w")
    assert.deepEqual([h.fn, h.args.map(exprText), h.alias], ['hop', ['interval:60000', 'interval:300000'], 'w'])
    const s = tvf("SELECT * FROM Session(clicks, ts, INTERVAL '30 seconds') w")
    assert.deepEqual([s.fn, s.args.map(exprText), s.alias], ['session', ['interval:30000'], 'w'])
    const c = tvf("SELECT * FROM CUMULATE(clicks, ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR)")
    assert.deepEqual([c.fn, c.args.length], ['cumulate', 2])
  })

  it('accepts TABLE src and DESCRIPTOR(ts), keeping positions', () => {
    const t = tvf("SELECT * FROM TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE) AS w")
    assert.deepEqual([t.table.name, t.timeColumn.name, t.alias], ['clicks', 'ts', 'w'])
    assert.deepEqual(t.table.pos, { line: 1, column: 28 })
    assert.deepEqual(t.timeColumn.pos, { line: 1, column: 47 })
    assert.deepEqual(t.pos, { line: 1, column: 15 })
  })

  it('accepts an optional offset after the size', () => {
    const t = tvf("SELECT * FROM TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '15' SECOND)")
    assert.deepEqual(t.args.map(exprText), ['interval:60000', 'interval:15000'])
  })

  it("accepts Flink's TABLE(…) wrapper", () => {
    const t = tvf("SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) AS w")
    assert.deepEqual([t.fn, t.table.name, t.timeColumn.name, t.args.map(exprText), t.alias], ['tumble', 'clicks', 'ts', ['interval:600000'], 'w'])
    assert.deepEqual(t.pos, { line: 1, column: 21 })
  })

  it('joins a window TVF with a table', () => {
    const f = select("SELECT * FROM TUMBLE(c, ts, INTERVAL '1' MINUTE) w JOIN u ON w.a = u.a").from as AstJoin
    assert.equal(f.left.kind, 'window_tvf')
  })

  it('checks the arguments', () => {
    fails("SELECT * FROM HOP(c, ts, INTERVAL '1' MINUTE)", { code: 'SQL_PARSE_ERROR', message: /HOP expects 4 or 5 arguments/, column: 15 })
    fails("SELECT * FROM SESSION(c, ts, INTERVAL '1' MINUTE, INTERVAL '1' MINUTE)", { message: /SESSION expects 3 arguments/ })
    fails("SELECT * FROM TUMBLE(c.x, ts, INTERVAL '1' MINUTE)", { message: /first argument of TUMBLE must be a table name/ })
    fails("SELECT * FROM TUMBLE(c, 1, INTERVAL '1' MINUTE)", { message: /second argument of TUMBLE must be a time column/, column: 25 })
    fails('SELECT * FROM generate_series(1, 2)', { code: 'SQL_UNSUPPORTED', column: 15 })
  })
})
