import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Field } from '../../runtime/types.ts'
import { parseCsvText, splitCsv } from './file-formats.ts'
import { parseJsonLines } from './json-scan.ts'

const fields: Field[] = [{ name: 'id', type: 'INT' }, { name: 'name', type: 'VARCHAR' }, { name: 'ok', type: 'BOOLEAN' }, { name: 'j', type: 'JSON' }]
const opts = (header: boolean, onError: 'fail' | 'skip' = 'fail') => ({ fields, format: 'csv' as const, header, onError, file: 'f.csv' })

test('CSV: quotes, line breaks in quotes, NULL versus empty string, CRLF', () => {
  assert.deepEqual(splitCsv('a,"b ""c"", d",\r\n"x\ny",,""\n').map((r) => r.cells), [['a', 'b "c", d', null], ['x\ny', null, '']])
  assert.deepEqual(splitCsv('"open\n').map((r) => r.error), ['a quoted value is not closed'])
})

test('CSV by header name (any order) and by position', () => {
  const byName = parseCsvText('ok,NAME,id,j\ntrue,Ann,1,"{""a"":1}"\n', opts(true))
  assert.deepEqual(byName.rows, [[1, 'Ann', true, { a: 1 }]])
  const byPos = parseCsvText('2,Bo,false,[1]\n3,,,\n', opts(false))
  assert.deepEqual(byPos.rows, [[2, 'Bo', false, [1]], [3, null, null, null]])
})

test('malformed rows fail with the line, or are skipped and counted', () => {
  const text = 'id,name,ok,j\n1,a,true,1\nx,b,true,1\n2,c\n3,d,maybe,1\n4,e,false,{bad\n5,f,false,null\n'
  assert.throws(() => parseCsvText(text, opts(true)), (e: { code?: string; message: string }) => e.code === 'MALFORMED_INPUT' && /f\.csv, line 3: column id/.test(e.message))
  const skipped = parseCsvText(text, opts(true, 'skip'))
  assert.deepEqual(skipped.rows.map((r) => r[0]), [1, 5])
  assert.equal(skipped.malformed, 4)
  assert.throws(() => parseCsvText('id\n3000000000\n', { ...opts(true), fields: [fields[0]!] }), /not a INT/)
})

test('JSON lines: by name, case-insensitive fallback, missing keys NULL, timestamps as text or epoch ms', () => {
  const f: Field[] = [{ name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'v', type: 'VARCHAR' }]
  const r = parseJsonLines('{"ID": 1, "ts": "2026-01-01T00:00:00+01:00"}\n\n{"id": 2, "ts": 5, "v": 7}\n{"id": 3.5}\n"x"\n', { fields: f, format: 'json', header: false, onError: 'skip', file: 'f.json' })
  assert.deepEqual(r.rows, [[1, Date.parse('2025-12-31T23:00:00Z'), null], [2, 5, '7']])
  assert.equal(r.malformed, 2)
})

test('JSON lines: errors name the line (blank lines counted); object prototype keys are never read as columns', () => {
  const f: Field[] = [{ name: 'id', type: 'BIGINT' }, { name: 'constructor', type: 'VARCHAR' }, { name: 'toString', type: 'VARCHAR' }]
  const o = { fields: f, format: 'json' as const, header: false, onError: 'fail' as const, file: 'f.json' }
  assert.deepEqual(parseJsonLines('{"id": 1}\n{"id": 2, "constructor": "c"}', o).rows, [[1, null, null], [2, 'c', null]])
  assert.throws(() => parseJsonLines('{"id": 1}\n\n{"id": nope}\n', o), (e: { code?: string; message: string }) =>
    e.code === 'MALFORMED_INPUT' && /f\.json, line 3: not valid JSON/.test(e.message))
  assert.throws(() => parseJsonLines('[1]', o), /line 1: not a JSON object/)
})
