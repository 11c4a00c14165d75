import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Field, Row } from '../../runtime/types.ts'
import { byName, type ParseOptions } from './file-formats.ts'
import { scanJsonLines } from './json-scan.ts'
import { RowColumns, unpackColumns } from './row-columns.ts'

/** The definition the scanner must match: decode the text, then per line trim, `JSON.parse`, lookup by name. */
function reference(bytes: Uint8Array, opts: ParseOptions): { rows: Row[]; malformed: number } | { error: string } {
  const rows: Row[] = []
  let malformed = 0
  const lines = new TextDecoder().decode(bytes).split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    let r: Row | string
    try {
      const obj = JSON.parse(line) as unknown
      r = obj === null || typeof obj !== 'object' || Array.isArray(obj) ? 'not a JSON object' : byName(obj as Record<string, unknown>, opts.fields, false)
    } catch {
      r = 'not valid JSON'
    }
    if (typeof r !== 'string') rows.push(r)
    else if (opts.onError === 'skip') malformed++
    else return { error: `${opts.file}, line ${i + 1}: ${r}` }
  }
  return { rows, malformed }
}

function scanned(bytes: Uint8Array, opts: ParseOptions): { rows: Row[]; malformed: number } | { error: string } {
  try {
    const p = scanJsonLines(bytes, opts)
    return { rows: unpackColumns(p), malformed: p.malformed }
  } catch (err) {
    return { error: (err as Error).message.replace(/ \(set on_error.*$/, '') }
  }
}

const FIELDS: Field[] = [
  { name: 'id', type: 'BIGINT' }, { name: 'n', type: 'INT' }, { name: 'x', type: 'DOUBLE' }, { name: 's', type: 'VARCHAR' },
  { name: 'ts', type: 'TIMESTAMP' }, { name: 'b', type: 'BOOLEAN' }, { name: 'j', type: 'JSON' },
]

const LINES = [
  '{"id":1,"n":2,"x":1.5,"s":"a","ts":"2025-12-31T23:59:59.867Z","b":true,"j":{"k":[1,2]}}',
  '{"id": 1 , "s" : "spaced"\t}\r',
  '  {"s":"héllo wörld ✓ 🎉"}  ',
  '{"s":"esc \\"quoted\\" \\n \\u00e9"}',
  '{"s":"tab\there"}',
  '{"j":"text"}', '{"j":[1,{"a":null}]}', '{"j":-0}', '{"j":1e400}',
  '{"id":-0}', '{"x":-0.0}', '{"x":1e3}', '{"x":-1.25E-2}', '{"id":1.0}', '{"id":1.5}', '{"id":9007199254740993}',
  '{"id":123456789012345}', '{"id":1234567890123456}', '{"id":-12345678901234}', '{"n":2147483648}', '{"n":-2147483648}',
  '{"id":01}', '{"id":-}', '{"id":1.}', '{"id":.5}', '{"id":+1}', '{"id":1e}', '{"id":"42"}', '{"id":" 7 "}', '{"id":"x"}',
  '{"x":"NaN"}', '{"x":" 2.5"}', '{"x":""}', '{"s":12}', '{"s":true}', '{"s":null}', '{"s":1.50}',
  '{"b":"TRUE"}', '{"b":1}', '{"b":nul}', '{"b":truex}', '{"b":false}',
  '{"ts":"2025-02-30T00:00:00Z"}', '{"ts":"2024-02-29T12:00:00Z"}', '{"ts":"2026-01-01T00:00:00+01:00"}', '{"ts":"2026-01-01"}',
  '{"ts":1767225599867}', '{"ts":"1767225599867"}', '{"ts":1.9}', '{"ts":"2025-12-31T23:59:59.86Z"}', '{"ts":"2025-13-01T00:00:00.000Z"}',
  '{"ID":5}', '{"Id":5,"id":6}', '{"id":1,"id":2}', '{"other":1,"id":3}', '{"constructor":1}', '{"__proto__":{"id":9},"id":1}',
  '{}', '{ }', '{', '}', '{"id":1,}', '{"id":1}x', '{"id":1} ', '{"id" 1}', '{id:1}', '[1]', '"x"', '3', 'null', '',
  '   ', '\u00a0{"id":4}\u00a0', '\ufeff{"id":8}', '{"s":"a\u0001b"}', '{"s":"unterminated}',
]

test('the scanner gives exactly the rows, malformed counts and errors of JSON.parse and lookup by name', () => {
  for (const onError of ['skip', 'fail'] as const) {
    const opts: ParseOptions = { fields: FIELDS, format: 'json', header: false, onError, file: 'f.json' }
    for (const line of LINES) {
      const bytes = new TextEncoder().encode(`${line}\n{"id":99}\n`)
      assert.deepEqual(scanned(bytes, opts), reference(bytes, opts), `line ${JSON.stringify(line)}, on_error ${onError}`)
    }
    const all = new TextEncoder().encode(LINES.join('\n'))
    assert.deepEqual(scanned(all, opts), reference(all, opts))
  }
})

test('the scanner matches the definition on randomly damaged lines', () => {
  let seed = 42
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const noise = ['"', '\\', ',', ':', '{', '}', '[', ' ', '-', '0', '9', '.', 'e', 't', 'n', 'é', '\u0000', 'x']
  const opts: ParseOptions = { fields: FIELDS, format: 'json', header: false, onError: 'skip', file: 'f.json' }
  for (let i = 0; i < 3000; i++) {
    let line = LINES[rand(3)]! // the well-formed ones
    for (let k = 1 + rand(3); k > 0; k--) {
      const at = rand(line.length + 1)
      line = rand(2) === 0 ? line.slice(0, at) + noise[rand(noise.length)]! + line.slice(at) : line.slice(0, at) + line.slice(at + 1)
    }
    const bytes = new TextEncoder().encode(line)
    assert.deepEqual(scanned(bytes, opts), reference(bytes, opts), `line ${JSON.stringify(line)}`)
  }
})

test('invalid UTF-8 reads as the decoder reads it; a byte order mark is skipped', () => {
  const opts: ParseOptions = { fields: FIELDS, format: 'json', header: false, onError: 'skip', file: 'f.json' }
  const bad = new Uint8Array([...new TextEncoder().encode('{"s":"a'), 0xff, 0xc3, ...new TextEncoder().encode('b"}\n')])
  assert.deepEqual(scanned(bad, opts), reference(bad, opts))
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"id":1}\n{"id":2}')])
  assert.deepEqual(scanned(bom, opts), { rows: [[1, null, null, null, null, null, null], [2, null, null, null, null, null, null]], malformed: 0 })
})

test('columns that differ only in case turn the scanner off (lookup by name decides)', () => {
  const f: Field[] = [{ name: 'a', type: 'BIGINT' }, { name: 'A', type: 'BIGINT' }]
  const opts: ParseOptions = { fields: f, format: 'json', header: false, onError: 'skip', file: 'f.json' }
  const bytes = new TextEncoder().encode('{"a":1,"A":2}\n{"A":3}\n')
  assert.deepEqual(scanned(bytes, opts), reference(bytes, opts))
})

test('row columns carry every value exactly: NaN, ±Infinity, −0, nested JSON, Unicode, empty strings', () => {
  const rows: Row[] = [
    [NaN, Infinity, -Infinity, -0, 0, 1.5], ['', 'é🎉', '"q"\\', null, true, false],
    [{ a: [1, { b: null }] }, [], 'x'.repeat(100), -1e-300, Number.MAX_SAFE_INTEGER, null],
  ]
  const out = new RowColumns(6, 1)
  for (const r of rows) out.addRow(r)
  const back = unpackColumns(structuredClone(out.finish(0)))
  assert.deepEqual(back, rows)
  assert.ok(Object.is(back[0]![3], -0))
  assert.deepEqual(unpackColumns(new RowColumns(2).finish(0)), [])
})

test('columns the query does not read may be left NULL; which lines are malformed does not change', () => {
  for (const onError of ['skip', 'fail'] as const) {
    const full: ParseOptions = { fields: FIELDS, format: 'json', header: false, onError, file: 'f.json' }
    const some: ParseOptions = { ...full, columns: [0, 4] }
    const bytes = new TextEncoder().encode(LINES.slice(0, 30).join('\n'))
    const a = scanned(bytes, full)
    const b = scanned(bytes, some)
    if ('error' in a) assert.deepEqual(b, a)
    else {
      assert.ok(!('error' in b))
      assert.equal(b.malformed, a.malformed)
      assert.deepEqual(b.rows.map((r) => [r[0], r[4]]), a.rows.map((r) => [r[0], r[4]]))
      assert.ok(b.rows.some((r, i) => r[3] === null && a.rows[i]![3] !== null), 'an unread text column is left NULL')
    }
  }
})
