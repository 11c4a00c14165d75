import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AstExpr, CreateStream, InsertValues, Pos, QueryStatement } from '../ast.ts'
import { exprText } from './ast-text.ts'
import { parseScript } from './parse.ts'
import { fails, select } from './test-helpers.ts'

/** Every expression node in `e`, pre-order, as [rendering, line:column]. */
function walk(e: AstExpr, out: [string, string][] = []): [string, string][] {
  out.push([exprText(e), `${e.pos.line}:${e.pos.column}`])
  switch (e.kind) {
    case 'binary':
      walk(e.left, out)
      walk(e.right, out)
      break
    case 'unary':
      walk(e.operand, out)
      break
    case 'function':
      e.args.forEach((a) => walk(a, out))
      break
    case 'cast':
      walk(e.expr, out)
      break
    case 'case':
      if (e.operand) walk(e.operand, out)
      e.whens.forEach((w) => (walk(w.when, out), walk(w.then, out)))
      if (e.else) walk(e.else, out)
      break
    case 'in':
      walk(e.expr, out)
      e.list.forEach((a) => walk(a, out))
      break
    case 'between':
      ;[e.expr, e.low, e.high].forEach((a) => walk(a, out))
      break
    case 'like':
      walk(e.expr, out)
      walk(e.pattern, out)
      break
    case 'is_null':
      walk(e.expr, out)
      break
    case 'extract':
      walk(e.source, out)
      break
    default:
      break
  }
  return out
}

const at = (p: Pos): string => `${p.line}:${p.column}`

/** Column positions of every leaf, as `name@line:col`. */
function leaves(e: AstExpr): string[] {
  return walk(e)
    .filter(([text]) => !text.startsWith('('))
    .map(([text, pos]) => `${text}@${pos}`)
}

describe('positions', () => {
  const script = [
    'SHOW STREAMS;', // line 1
    'CREATE STREAM s (', // 2
    '  a BIGINT,', // 3
    '  ts TIMESTAMP,', // 4
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND", // 5
    ');', // 6
    'SELECT a,', // 7
    '       b + 1 AS c', // 8
    'FROM s', // 9
    "WHERE x = 'y' AND z > 3;", // 10
  ].join('\n')

  it('point into the whole script, not the statement', () => {
    const [show, create, query] = parseScript(script)
    assert.deepEqual(show?.statement.pos, { line: 1, column: 1 })
    const st = create?.statement as CreateStream
    assert.deepEqual(st.pos, { line: 2, column: 1 })
    assert.deepEqual(st.columns.map((c) => at(c.pos)), ['3:3', '4:3'])
    assert.equal(st.watermark && at(st.watermark.pos), '5:3')
    assert.deepEqual(st.watermark && walk(st.watermark.expr), [
      ['(- ts interval:5000)', '5:23'],
      ['ts', '5:23'],
      ['interval:5000', '5:28'],
    ])
    const q = (query?.statement as QueryStatement).select
    assert.equal(at(q.pos), '7:1')
    assert.deepEqual(q.items.map((i) => walk(i.expr)), [[['a', '7:8']], [['(+ b 1)', '8:8'], ['b', '8:8'], ['1', '8:12']]])
    assert.equal(q.from && at(q.from.pos), '9:6')
    assert.deepEqual(q.where && leaves(q.where), ['x@10:7', "'y'@10:11", 'z@10:19', '3@10:23'])
  })

  it('tell repeated names apart', () => {
    const s = select('SELECT a, a AS b, b FROM t WHERE a > 1 GROUP BY a, b ORDER BY a')
    assert.deepEqual(s.items.map((i) => at(i.expr.pos)), ['1:8', '1:11', '1:19'])
    assert.deepEqual(s.where && leaves(s.where), ['a@1:34', '1@1:38'])
    assert.deepEqual(s.groupBy.map((g) => at(g.pos)), ['1:49', '1:52'])
    assert.equal(at(s.orderBy[0]?.pos as Pos), '1:63')
  })

  it('skip function names, EXTRACT fields, strings and comments that look like columns', () => {
    const s = select("SELECT lower(lower), EXTRACT(hour FROM hour), 'a', /* a */ a FROM t")
    assert.deepEqual(s.items.map((i) => leaves(i.expr)), [['lower(lower)@1:8', 'lower@1:14'], ['extract(hour, hour)@1:22', 'hour@1:40'], ["'a'@1:47", ], ['a@1:60']])
  })

  it('cover every expression form', () => {
    const sql = "SELECT CASE WHEN a IN (1, b) THEN CAST(c AS INT) ELSE d::text END, COUNT(*), t.*, -e, NOT f, g BETWEEN h AND i, j LIKE 'k', l IS NULL, TIMESTAMP '2026-01-01', TRUE, NULL, INTERVAL '1' HOUR FROM t"
    const items = select(sql).items.map((i) => walk(i.expr))
    const flat = items.flat().map(([text, pos]) => `${text.length > 12 ? text.slice(0, 12) : text}@${pos}`)
    const col = (needle: string, from = 0): string => `1:${sql.indexOf(needle, from) + 1}`
    assert.deepEqual(flat, [
      `(case _ [(in@${col('CASE')}`, `(in a [1, b]@${col('a IN')}`, `a@${col('a IN')}`, `1@${col('1,')}`, `b@${col('b)')}`,
      `(cast c INT)@${col('CAST')}`, `c@${col('c AS')}`, `(cast d VARC@${col('d::')}`, `d@${col('d::')}`,
      `count(*)@${col('COUNT')}`, `t.*@${col('t.*')}`, `(- e)@${col('-e')}`, `e@${col('e,')}`, `(not f)@${col('NOT f')}`, `f@${col('f,')}`,
      `(between g h@${col('g BETWEEN')}`, `g@${col('g BETWEEN')}`, `h@${col('h AND')}`, `i@${col('i,')}`,
      `(like j 'k')@${col('j LIKE')}`, `j@${col('j LIKE')}`, `'k'@${col("'k'")}`, `(is null l)@${col('l IS')}`, `l@${col('l IS')}`,
      `TIMESTAMP '2@${col('TIMESTAMP')}`, `TRUE@${col('TRUE')}`, `NULL@1:${sql.lastIndexOf('NULL,') + 1}`, `interval:360@${col('INTERVAL')}`,
    ])
  })

  it('survive the AND/OR precedence repair', () => {
    const s = select('SELECT x AND y OR z FROM t')
    assert.deepEqual(s.items[0] && walk(s.items[0].expr), [
      ['(or (and x y) z)', '1:8'], ['(and x y)', '1:8'], ['x', '1:8'], ['y', '1:14'], ['z', '1:19'],
    ])
  })

  it('match a prefix operator to its own token, not the binary operator before it', () => {
    const [a, b] = select('SELECT a - -b, x NOT IN (1) AND NOT y FROM t').items
    assert.deepEqual(a && walk(a.expr).map(([, p]) => p), ['1:8', '1:8', '1:12', '1:13'])
    assert.deepEqual(b && walk(b.expr).map(([, p]) => p), ['1:16', '1:16', '1:16', '1:26', '1:33', '1:37'])
  })

  it('locate columns in JOIN conditions and window TVFs', () => {
    const s = select("SELECT *\nFROM TUMBLE(c, ts, INTERVAL '1' MINUTE) AS w\n  JOIN u ON w.id = u.id")
    const f = s.from
    assert.ok(f?.kind === 'join' && f.on)
    assert.deepEqual(leaves(f.on), ['w.id@3:13', 'u.id@3:20'])
  })

  it('locate VALUES items', () => {
    const st = parseScript("SHOW SINKS;\nINSERT INTO t VALUES\n  (1, 'a'),\n  (2, upper(b))")[1]?.statement as InsertValues
    assert.deepEqual(st.rows.map((r) => r.map((e) => at(e.pos))), [['3:4', '3:7'], ['4:4', '4:7']])
    assert.equal(st.rows[1]?.[1]?.kind === 'function' && at(st.rows[1][1].args[0]?.pos as Pos), '4:13')
  })

  it('report errors in statement 2 of 3 at the script position', () => {
    fails('SHOW STREAMS;\nSELECT a\n  FROM t x y;\nSHOW SINKS', { code: 'SQL_PARSE_ERROR', message: 'syntax error at or near "y"', line: 3, column: 12 })
    fails('SHOW STREAMS;\nSELECT a FROM\n;SHOW SINKS', { message: 'unexpected end of input', line: 2, column: 14 })
    fails("SHOW STREAMS;\n\nCREATE STREAM s (\n  a BIGINT,\n  b FOO\n)", { message: 'unknown type "FOO"', line: 5, column: 5 })
    fails("SELECT 1;\nSELECT INTERVAL '5' YEARS", { code: 'SQL_UNSUPPORTED', line: 2, column: 21 })
  })
})
