import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { exprText } from './ast-text.ts'
import { parseSingleStatement } from './parse.ts'
import { fails, one, oneOf } from './test-helpers.ts'

describe('CREATE STREAM', () => {
  it('reads columns, watermark and options', () => {
    const st = oneOf(
      `CREATE STREAM IF NOT EXISTS Clicks (
        user_id BIGINT, url VARCHAR(200), "Ts" TIMESTAMP(3) NOT NULL,
        WATERMARK FOR "Ts" AS "Ts" - INTERVAL '5' SECOND
      ) WITH (connector = 'kafka', kafka.topic = 'clicks', 'Group.Id' = 'g', partitions = 3, strict = TRUE, format = json)`,
      'create_stream',
    )
    assert.equal(st.name, 'clicks')
    assert.equal(st.ifNotExists, true)
    assert.deepEqual(st.columns.map((c) => [c.name, c.type, c.notNull, c.primaryKey]), [
      ['user_id', 'BIGINT', false, false],
      ['url', 'VARCHAR', false, false],
      ['Ts', 'TIMESTAMP', true, false],
    ])
    assert.equal(st.watermark?.column, 'Ts')
    assert.equal(st.watermark && exprText(st.watermark.expr), '(- Ts interval:5000)')
    assert.deepEqual(st.options.map((o) => [o.key, o.value]), [
      ['connector', 'kafka'], ['kafka.topic', 'clicks'], ['group.id', 'g'], ['partitions', '3'], ['strict', 'TRUE'], ['format', 'json'],
    ])
    assert.deepEqual(st.pos, { line: 1, column: 1 })
  })

  it('maps every type spelling', () => {
    const st = oneOf(
      `CREATE STREAM s (a BOOLEAN, b BOOL, c INT, d INTEGER, e BIGINT, f DOUBLE, g DOUBLE PRECISION, h FLOAT,
        i REAL, j VARCHAR, k VARCHAR(10), l STRING, m TEXT, n TIMESTAMP, o TIMESTAMP(3), p JSON, q JSONB)`,
      'create_stream',
    )
    assert.deepEqual(st.columns.map((c) => c.type), [
      'BOOLEAN', 'BOOLEAN', 'INT', 'INT', 'BIGINT', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR',
      'TIMESTAMP', 'TIMESTAMP', 'JSON', 'JSON',
    ])
    assert.equal(st.watermark, null)
    assert.deepEqual(st.options, [])
  })

  it('rejects bad definitions at the right token', () => {
    fails('CREATE STREAM s (a FOO)', { code: 'SQL_PARSE_ERROR', message: 'unknown type "FOO"', column: 20 })
    fails('CREATE STREAM s (a DECIMAL(10, 2))', { code: 'SQL_UNSUPPORTED', message: /DECIMAL/, column: 20 })
    fails('CREATE STREAM s (a INT, a BIGINT)', { code: 'SQL_PARSE_ERROR', message: 'duplicate column "a"', column: 25 })
    fails('CREATE STREAM s (a INT, WATERMARK FOR b AS b)', { message: 'WATERMARK names unknown column "b"', column: 39 })
    fails("CREATE STREAM s (a INT, WATERMARK FOR a AS a - INTERVAL '5' SECOND garbage)", { message: 'syntax error at or near "garbage"', column: 68 })
    fails('CREATE STREAM s (a INT, WATERMARK FOR a AS)', { message: 'syntax error at or near ")"', column: 43 })
    fails('CREATE STREAM s (ts TIMESTAMP, WATERMARK FOR ts AS ts, WATERMARK FOR ts AS ts)', { message: /at most one WATERMARK/, column: 56 })
    fails('CREATE STREAM s (a INT PRIMARY KEY)', { code: 'SQL_UNSUPPORTED', column: 24 })
    fails('CREATE STREAM s ()', { code: 'SQL_PARSE_ERROR', column: 18 })
    fails('CREATE STREAM s (a INT', { message: 'unexpected end of input', column: 23 })
    fails("CREATE STREAM s (a INT) WITH (x = 'a', X = 'b')", { message: 'duplicate option "x"', column: 40 })
    fails('CREATE STREAM s (a INT) WITH (x)', { message: 'syntax error at or near ")"' })
    fails('CREATE STREAM select (a INT)', { message: 'syntax error at or near "select"', column: 15 })
    fails('CREATE STREAM s (a INT) extra', { message: 'syntax error at or near "extra"', column: 25 })
  })
})

describe('CREATE TABLE and SINK', () => {
  it('reads a column primary key', () => {
    const st = oneOf("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR) WITH (connector = 'file', path = 'users.csv')", 'create_table')
    assert.deepEqual(st.primaryKey, ['id'])
    assert.deepEqual(st.columns.map((c) => c.primaryKey), [true, false])
    assert.equal(st.options.length, 2)
  })

  it('reads a PRIMARY KEY clause', () => {
    const st = oneOf('CREATE TABLE IF NOT EXISTS t (a INT, b TEXT, PRIMARY KEY (a, b))', 'create_table')
    assert.deepEqual(st.primaryKey, ['a', 'b'])
    assert.deepEqual(st.columns.map((c) => c.primaryKey), [true, true])
    assert.equal(st.ifNotExists, true)
  })

  it('rejects table-only and stream-only clauses in the wrong place', () => {
    fails('CREATE TABLE t (a INT, WATERMARK FOR a AS a)', { code: 'SQL_UNSUPPORTED', column: 24 })
    fails('CREATE TABLE t (a INT PRIMARY KEY, PRIMARY KEY (a))', { message: 'multiple primary keys', column: 36 })
    fails('CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY)', { message: /multiple primary keys/, column: 36 })
    fails('CREATE TABLE t (a INT, PRIMARY KEY (b))', { message: 'PRIMARY KEY names unknown column "b"' })
  })

  it('reads a sink, which must have options', () => {
    const st = oneOf("CREATE SINK alerts WITH (connector = 'memory')", 'create_sink')
    assert.deepEqual([st.name, st.options[0]?.key, st.options[0]?.value], ['alerts', 'connector', 'memory'])
    fails('CREATE SINK alerts', { message: 'unexpected end of input', column: 19 })
    fails('CREATE SINK alerts (a INT)', { message: 'syntax error at or near "("' })
  })

  it('names unsupported CREATE kinds', () => {
    fails('CREATE VIEW v AS SELECT 1', { code: 'SQL_UNSUPPORTED', message: 'CREATE VIEW is not supported', column: 8 })
    fails('CREATE FOO x', { code: 'SQL_PARSE_ERROR', message: 'syntax error at or near "FOO"' })
  })
})

describe('other statements', () => {
  it('SHOW', () => {
    for (const what of ['streams', 'tables', 'sinks', 'queries'] as const) {
      assert.equal(oneOf(`SHOW ${what.toUpperCase()}`, 'show').what, what)
    }
    fails('SHOW VIEWS', { code: 'SQL_PARSE_ERROR', column: 6 })
    fails('SHOW', { message: 'unexpected end of input' })
  })

  it('DESCRIBE', () => {
    assert.equal(oneOf('DESCRIBE Clicks', 'describe').name, 'clicks')
    assert.equal(oneOf('describe "Clicks"', 'describe').name, 'Clicks')
    fails('DESCRIBE a b', { message: 'syntax error at or near "b"', column: 12 })
  })

  it('STOP QUERY', () => {
    assert.equal(oneOf("STOP QUERY 'q-12'", 'stop_query').queryId, 'q-12')
    assert.equal(oneOf('stop query q12', 'stop_query').queryId, 'q12')
    fails('STOP q1', { message: 'syntax error at or near "q1"' })
  })

  it('DROP', () => {
    const st = oneOf('DROP STREAM IF EXISTS Clicks', 'drop')
    assert.deepEqual([st.objectKind, st.name, st.ifExists], ['stream', 'clicks', true])
    assert.equal(oneOf('DROP TABLE t', 'drop').objectKind, 'table')
    assert.equal(oneOf('DROP SINK s', 'drop').ifExists, false)
    fails('DROP VIEW v', { code: 'SQL_UNSUPPORTED', column: 6 })
    fails('DROP QUERY q', { code: 'SQL_PARSE_ERROR', message: /STOP QUERY/ })
  })

  it('SET, quoted and unquoted', () => {
    const a = oneOf("SET 'Output_Mode' = 'update'", 'set')
    assert.deepEqual([a.option, a.value], ['output_mode', 'update'])
    const b = oneOf('SET max_rows_per_batch = 500', 'set')
    assert.deepEqual([b.option, b.value], ['max_rows_per_batch', '500'])
    const c = oneOf('SET trigger TO processing', 'set')
    assert.deepEqual([c.option, c.value], ['trigger', 'processing'])
    const d = oneOf("SET pipeline.name = 'x'", 'set')
    assert.equal(d.option, 'pipeline.name')
    fails("SET 'a' 'b'", { message: "syntax error at or near \"'b'\"", column: 9 })
  })

  it('INSERT … VALUES', () => {
    const st = oneOf("INSERT INTO clicks VALUES (1, 'https://a', TIMESTAMP '2026-01-01 00:00:01'), (-2.5, NULL, upper('x') || 'y')", 'insert_values')
    assert.equal(st.target, 'clicks')
    assert.equal(st.columns, null)
    assert.deepEqual(st.rows.map((r) => r.map(exprText)), [
      ['1', "'https://a'", "TIMESTAMP '2026-01-01 00:00:01'"],
      ['-2.5f', 'NULL', "(|| upper('x') 'y')"],
    ])
    const withCols = oneOf('INSERT INTO t (a, "B") VALUES (TRUE, false)', 'insert_values')
    assert.deepEqual(withCols.columns, ['a', 'B'])
    assert.deepEqual(withCols.rows[0]?.map(exprText), ['TRUE', 'FALSE'])
  })

  it('INSERT … VALUES with expressions that need the full parser', () => {
    const st = oneOf("INSERT INTO t VALUES (INTERVAL '5' SECOND, CAST('1' AS INT), CASE WHEN TRUE THEN 1 END, -x)", 'insert_values')
    assert.deepEqual(st.rows[0]?.map(exprText), ['interval:5000', "(cast '1' INT)", '(case _ [TRUE 1] _)', '(- x)'])
    fails('INSERT INTO t VALUES ((SELECT 1))', { code: 'SQL_UNSUPPORTED', message: /subqueries/, column: 24 })
  })

  it('rejects malformed VALUES', () => {
    fails('INSERT INTO t VALUES ()', { message: 'syntax error at or near ")"', column: 23 })
    fails('INSERT INTO t VALUES (1,)', { message: 'syntax error at or near ")"', column: 25 })
    fails('INSERT INTO t VALUES (1', { message: 'unexpected end of input' })
    fails('INSERT INTO t VALUES (1) x', { message: 'syntax error at or near "x"', column: 26 })
    fails('INSERT INTO t VALUES (1 2)', { message: 'syntax error at or near "2"', column: 25 })
    fails('INSERT INTO t VALUES (a AS b)', { message: 'syntax error at or near "AS"', column: 25 })
    fails('INSERT INTO t VALUES (DISTINCT a)', { message: 'syntax error at or near "DISTINCT"', column: 23 })
    fails('INSERT INTO t VALUES (1, *)', { message: 'syntax error at or near "*"', column: 26 })
    fails('INSERT INTO t VALUES (1), (2 FROM x)', { message: 'syntax error at or near "FROM"', column: 30 })
  })

  it('INSERT … SELECT with EMIT', () => {
    const st = oneOf('INSERT INTO alerts SELECT a FROM t EMIT CHANGES', 'insert_query')
    assert.deepEqual([st.target, st.emit, st.select.items.length], ['alerts', 'update', 1])
    fails('INSERT INTO alerts (a) SELECT a FROM t', { code: 'SQL_UNSUPPORTED', column: 24 })
  })

  it('EMIT modes', () => {
    const modes = { APPEND: 'append', UPDATE: 'update', COMPLETE: 'complete', CHANGES: 'update', FINAL: 'append' }
    for (const [word, mode] of Object.entries(modes)) assert.equal(oneOf(`SELECT a FROM t EMIT ${word}`, 'query').emit, mode)
    assert.equal(oneOf('SELECT a FROM t', 'query').emit, null)
    fails('SELECT a FROM t EMIT SOON', { message: /unknown EMIT mode "SOON"/, column: 22 })
    fails('SELECT a FROM t EMIT', { message: 'unexpected end of input', column: 21 })
    fails('SELECT a FROM t EMIT UPDATE LIMIT 1', { message: /EMIT must end the statement/, column: 29 })
  })

  it('EXPLAIN of a query or an INSERT … SELECT', () => {
    const a = oneOf('EXPLAIN SELECT a FROM t EMIT FINAL', 'explain')
    assert.equal(a.statement.kind, 'query')
    assert.equal(a.statement.emit, 'append')
    const b = oneOf('EXPLAIN INSERT INTO s SELECT a FROM t', 'explain')
    assert.equal(b.statement.kind, 'insert_query')
    fails('EXPLAIN SHOW STREAMS', { code: 'SQL_UNSUPPORTED', column: 9 })
    fails('EXPLAIN INSERT INTO t VALUES (1)', { code: 'SQL_UNSUPPORTED', column: 9 })
    fails('EXPLAIN', { message: 'unexpected end of input' })
  })

  it('names unsupported statements', () => {
    fails('UPDATE t SET a = 1', { code: 'SQL_UNSUPPORTED', message: /UPDATE/, column: 1 })
    fails('DELETE FROM t', { code: 'SQL_UNSUPPORTED', message: /DELETE/, column: 1 })
    fails('WITH x AS (SELECT 1) SELECT * FROM x', { code: 'SQL_UNSUPPORTED', message: /WITH/, column: 1 })
    fails('GRANT ALL ON t TO bob', { code: 'SQL_PARSE_ERROR', message: 'syntax error at or near "GRANT"', column: 1 })
  })

  it('parseSingleStatement wants exactly one statement', () => {
    assert.equal(parseSingleStatement('SHOW STREAMS;').statement.kind, 'show')
    assert.throws(() => parseSingleStatement('SHOW STREAMS; SHOW SINKS'), { code: 'SQL_UNSUPPORTED', position: { line: 1, column: 15 } })
    assert.throws(() => parseSingleStatement(' -- nothing'), { code: 'SQL_PARSE_ERROR' })
  })

  it('gives every statement its position', () => {
    assert.deepEqual(one('\n  SHOW STREAMS').pos, { line: 2, column: 3 })
  })
})
