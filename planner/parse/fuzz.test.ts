/**
 * Random damage to valid statements must never crash the parser: every input either parses or
 * fails with a WeirError whose position lies inside the text.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { WeirError } from '../../runtime/errors.ts'
import { parseScript } from './parse.ts'

const CORPUS = [
  "CREATE STREAM IF NOT EXISTS clicks (user_id BIGINT, url VARCHAR(20), ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = 'kafka', kafka.topic = 'c')",
  "CREATE TABLE users (id BIGINT, name VARCHAR NOT NULL, PRIMARY KEY (id)) WITH (path = 'u.csv')",
  "CREATE SINK alerts WITH (connector = 'memory')",
  "INSERT INTO clicks VALUES (1, 'https://a', TIMESTAMP '2026-01-01 00:00:01'), (-2, NULL, upper('x'))",
  "INSERT INTO alerts SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE) GROUP BY window_start, user_id EMIT APPEND",
  "SELECT DISTINCT a, CASE WHEN b IN (1, 2) THEN 'x' ELSE c::text END AS k FROM t LEFT JOIN u ON t.id = u.id WHERE a BETWEEN 1 AND 2 AND NOT b LIKE 'z%' GROUP BY a HAVING COUNT(DISTINCT b) > 1 ORDER BY 1 DESC NULLS LAST LIMIT 5 EMIT CHANGES",
  "SELECT payload->'a'->>'b', EXTRACT(hour FROM ts), SUBSTRING(s FROM 1 FOR 2), TRIM(BOTH 'x' FROM s) FROM HOP(c, ts, INTERVAL '1' MINUTE, INTERVAL '10 minutes') w CROSS JOIN (SELECT 1 AS one) AS o",
  "SHOW STREAMS; DESCRIBE \"Clicks\"; STOP QUERY 'q1'; DROP STREAM IF EXISTS s; SET 'output_mode' = 'update'",
  'EXPLAIN SELECT a FROM t /* comment */ -- line\n WHERE a IS NOT NULL',
]

const GARBAGE = [
  "'", '"', '(', ')', ',', ';', '--', '/*', '*/', '::', '->>', '.', '*', '-', 'SELECT', 'FROM', 'WHERE', 'JOIN', 'ON', 'EMIT',
  'INTERVAL', 'TABLE', 'DESCRIPTOR', 'CROSS', 'CASE', 'END', 'NOT', 'IN', 'AS', 'WATERMARK', 'WITH', 'NULL', '1e', '.5', '\n',
  '$', '@', '#', '~', '`', '\\', 'é', '😀', '\u0000', 'OVER', 'UNION', 'VALUES', 'PRIMARY KEY', '__wiv0__',
]

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mutate(sql: string, rand: () => number): string {
  const at = Math.floor(rand() * (sql.length + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  switch (Math.floor(rand() * 4)) {
    case 0:
      return sql.slice(0, at)
    case 1:
      return sql.slice(0, at) + sql.slice(at + 1 + Math.floor(rand() * 8))
    case 2:
      return `${sql.slice(0, at)} ${pick(GARBAGE)} ${sql.slice(at)}`
    default: {
      const other = Math.floor(rand() * (sql.length + 1))
      return sql.slice(0, Math.min(at, other)) + sql.slice(Math.max(at, other)) + sql.slice(Math.min(at, other), Math.max(at, other))
    }
  }
}

function checkPosition(sql: string, e: WeirError): void {
  assert.ok(e.position, `no position for ${JSON.stringify(sql)}: ${e.message}`)
  const lines = sql.split('\n')
  const { line, column } = e.position
  assert.ok(line >= 1 && line <= lines.length, `line ${line} outside ${JSON.stringify(sql)}`)
  assert.ok(column >= 1 && column <= (lines[line - 1] as string).length + 1, `column ${column} outside line ${line} of ${JSON.stringify(sql)}`)
  assert.ok(e.message.length < 200, `message too long: ${e.message}`)
  assert.ok(['SQL_PARSE_ERROR', 'SQL_UNSUPPORTED', 'INVALID_LITERAL'].includes(e.code), e.code)
}

it('parses every corpus statement', () => {
  for (const sql of CORPUS) assert.doesNotThrow(() => parseScript(sql), sql)
})

it('survives random damage with WeirErrors positioned inside the text', () => {
  const rand = rng(20260101)
  for (let i = 0; i < 4000; i++) {
    let sql = CORPUS[Math.floor(rand() * CORPUS.length)] as string
    const rounds = 1 + Math.floor(rand() * 3)
    for (let r = 0; r < rounds; r++) sql = mutate(sql, rand)
    try {
      parseScript(sql)
    } catch (e) {
      assert.ok(e instanceof WeirError, `non-WeirError for ${JSON.stringify(sql)}: ${String(e)}`)
      checkPosition(sql, e)
    }
  }
})
