import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  FormatError,
  canonicalLine,
  parseDuration,
  parseFile,
  renderRow,
  renderTimestamp,
  renderValue,
  rewriteGoldens,
  sortLines,
  tokenizeRow,
} from './format.ts'

const HEADER = '# name: t\n# description: checks the parser\n\n'

test('parses every record kind', () => {
  const text = `${HEADER}statement ok
CREATE STREAM s (a INT, ts TIMESTAMP)

statement error UNKNOWN_COLUMN at 1:8
SELECT nope FROM s

push s
1 '2026-01-01T00:00:00Z'
NULL 'it''s here'

trigger

advance 1m30s

expect out changes nosort
----
+ 1  2
U- 1 2
U+ 1 3

expect progress out
----
numInputRows = 2
batches = 1

query II rowsort
SELECT a FROM out
----
1

checkpoint

restart

# golden: run --update
explain
SELECT a FROM s
----
`
  const file = parseFile('t.slt', text)
  assert.equal(file.name, 't')
  assert.equal(file.description, 'checks the parser')
  assert.deepEqual(
    file.records.map((r) => r.kind),
    ['statement', 'statement', 'push', 'trigger', 'advance', 'expect', 'expect_progress', 'query', 'checkpoint', 'restart', 'explain'],
  )
  const [ok, err, push, , advance, expect, progress, query, , , explain] = file.records
  assert.deepEqual(ok, { kind: 'statement', line: 4, sql: 'CREATE STREAM s (a INT, ts TIMESTAMP)', error: null })
  assert.deepEqual(err?.kind === 'statement' && err.error, { code: 'UNKNOWN_COLUMN', position: { line: 1, column: 8 } })
  assert.deepEqual(push?.kind === 'push' && push.rows, [["1", "'2026-01-01T00:00:00Z'"], ['NULL', "'it''s here'"]])
  assert.equal(advance?.kind === 'advance' && advance.ms, 90_000)
  assert.ok(expect?.kind === 'expect')
  assert.equal(expect.sink, 'out')
  assert.equal(expect.changes, true)
  assert.equal(expect.sort, false)
  assert.deepEqual(expect.expected, ['+ 1 2', 'U- 1 2', 'U+ 1 3'])
  assert.deepEqual(progress?.kind === 'expect_progress' && progress.expected, [
    { field: 'numInputRows', value: '2' },
    { field: 'batches', value: '1' },
  ])
  assert.ok(query?.kind === 'query' && query.sort && query.expected.length === 1)
  assert.ok(explain?.kind === 'explain')
  assert.deepEqual(explain.expected, [])
})

test('an empty expectation is a separator with nothing after it', () => {
  const file = parseFile('t.slt', `${HEADER}expect out\n----\n\ntrigger\n`)
  assert.deepEqual(file.records[0], { kind: 'expect', line: 4, sink: 'out', changes: false, sort: true, expected: [] })
})

test('reports format mistakes with file and line', () => {
  assert.throws(() => parseFile('t.slt', `${HEADER}frobnicate\n`), (e: unknown) => e instanceof FormatError && e.line === 4)
  assert.throws(() => parseFile('t.slt', `${HEADER}expect out\n1 2\n`), FormatError)
  assert.throws(() => parseFile('t.slt', `${HEADER}advance soon\n`), FormatError)
  assert.throws(() => parseFile('t.slt', `${HEADER}expect progress out\n----\nbogus = 1\n`), FormatError)
  assert.throws(() => parseFile('t.slt', `${HEADER}statement ok\n`), FormatError)
  assert.throws(() => parseFile('t.slt', '# description: no name\n'), FormatError)
})

test('durations', () => {
  assert.equal(parseDuration('500ms'), 500)
  assert.equal(parseDuration('10s'), 10_000)
  assert.equal(parseDuration('1m'), 60_000)
  assert.equal(parseDuration('2h'), 7_200_000)
  assert.equal(parseDuration('1d'), 86_400_000)
  assert.equal(parseDuration('1m30s'), 90_000)
  assert.throws(() => parseDuration('10'))
  assert.throws(() => parseDuration('ten s'))
  assert.throws(() => parseDuration(''))
})

test('tokenizes rows and canonicalises spacing', () => {
  assert.deepEqual(tokenizeRow("  1   'a b'  NULL -2.5 'x''y' ''"), ['1', "'a b'", 'NULL', '-2.5', "'x''y'", "''"])
  assert.equal(canonicalLine("U+   1   'a  b' "), "U+ 1 'a  b'")
  assert.throws(() => tokenizeRow("'open"))
})

test('renders values as SQL literals', () => {
  assert.equal(renderValue(null), 'NULL')
  assert.equal(renderValue(true), 'true')
  assert.equal(renderValue(false, 'BOOLEAN'), 'false')
  assert.equal(renderValue(42, 'BIGINT'), '42')
  assert.equal(renderValue(2.5, 'DOUBLE'), '2.5')
  assert.equal(renderValue(2, 'DOUBLE'), '2')
  assert.equal(renderValue(0.1 + 0.2, 'DOUBLE'), '0.30000000000000004')
  assert.equal(renderValue("it's", 'VARCHAR'), "'it''s'")
  assert.equal(renderValue(Date.parse('2026-01-01T00:01:00Z'), 'TIMESTAMP'), "'2026-01-01T00:01:00Z'")
  assert.equal(renderValue(Date.parse('2026-01-01T00:01:00.123Z'), 'TIMESTAMP'), "'2026-01-01T00:01:00.123Z'")
  assert.equal(renderValue({ a: [1, 'b'] }, 'JSON'), `'{"a":[1,"b"]}'`)
  assert.equal(renderValue('x', 'JSON'), `'"x"'`)
  assert.equal(renderTimestamp(0), '1970-01-01T00:00:00Z')
  assert.equal(renderRow([1, null, 'a'], ['INT', 'INT', 'VARCHAR']), "1 NULL 'a'")
})

test('sorting keeps an update pair together', () => {
  assert.deepEqual(sortLines(['U- 2 1', 'U+ 2 2', '+ 1 1', 'U- 1 1', 'U+ 1 0']), ['+ 1 1', 'U- 1 1', 'U+ 1 0', 'U- 2 1', 'U+ 2 2'])
})

test('--update rewrites only explain goldens and drops the marker', () => {
  const text = `${HEADER}# golden: run --update\nexplain\nSELECT 1\n----\nold line\n\nexpect out\n----\n1\n`
  const file = parseFile('t.slt', text)
  const explain = file.records[0]
  assert.ok(explain?.kind === 'explain')
  const out = rewriteGoldens(file, new Map([[explain.line, ['Project', '  Source s']]]))
  assert.equal(out, `${HEADER}explain\nSELECT 1\n----\nProject\n  Source s\n\nexpect out\n----\n1\n`)
})
