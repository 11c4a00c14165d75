import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RowDecoder } from './ingest.ts'
import { startServer, type TestServer } from './test-server.ts'

const STREAM = `CREATE STREAM ev (id BIGINT, n INT, x DOUBLE, ok BOOLEAN, s VARCHAR, ts TIMESTAMP, j JSON)`

async function withStream(fn: (s: TestServer) => Promise<void>, limits = {}): Promise<void> {
  const s = await startServer({ limits })
  try {
    await s.engine.execute(`${STREAM}; CREATE TABLE t (a BIGINT)`)
    await fn(s)
  } finally {
    await s.close()
  }
}

const rows = (s: TestServer, payload: unknown, query = '') =>
  s.app.inject({ method: 'POST', url: `/v1/streams/ev/rows${query}`, payload: payload as string })
const ndjson = (s: TestServer, text: string, query = '') =>
  s.app.inject({ method: 'POST', url: `/v1/streams/ev/rows${query}`, payload: text, headers: { 'content-type': 'application/x-ndjson' } })

test('the decoder checks types, converts timestamps, rejects unknown keys and fills NULLs', () => {
  const d = new RowDecoder([
    { name: 'id', type: 'BIGINT' }, { name: 'n', type: 'INT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'j', type: 'JSON' },
  ])
  assert.deepEqual(d.decode({ id: 1, ts: '2026-01-01T00:00:01Z' }), [1, null, 1767225601000, null])
  assert.deepEqual(d.decode({ ID: 2, ts: 5, j: { a: [1] } }), [2, null, 5, { a: [1] }])
  assert.match(String(d.decode({ id: 1.5 })), /"id" is BIGINT, not the number 1.5/)
  assert.match(String(d.decode({ n: 2 ** 31 })), /"n" is INT/)
  assert.match(String(d.decode({ ts: 'yesterday' })), /"ts" is TIMESTAMP, not the string "yesterday"/)
  assert.match(String(d.decode({ nope: 1 })), /unknown column "nope"/)
  assert.match(String(d.decode([1, 2])), /JSON object/)
  assert.match(String(d.decode('x')), /JSON object/)
})

test('a JSON array is appended atomically and answers the offsets written', async () => {
  await withStream(async (s) => {
    const a = await rows(s, [{ id: 1, s: 'a', ok: true, x: 1.5, ts: '2026-01-01 00:00:00' }, { id: 2 }])
    assert.equal(a.statusCode, 200, a.body)
    assert.deepEqual(a.json(), { count: 2, startOffset: 0, endOffset: 2 })
    const b = await rows(s, [{ id: 3 }])
    assert.deepEqual(b.json(), { count: 1, startOffset: 2, endOffset: 3 })
    assert.deepEqual(await s.engine.durable.log('ev').slice(0, 2), [
      [1, null, 1.5, true, 'a', 1767225600000, null],
      [2, null, null, null, null, null, null],
    ])
    const empty = await rows(s, [])
    assert.deepEqual(empty.json(), { count: 0, startOffset: 3, endOffset: 3 })
  })
})

test('rows that do not fit refuse the whole request with their line numbers', async () => {
  await withStream(async (s) => {
    const res = await rows(s, [{ id: 1 }, { id: 'two' }, { id: 3, zzz: 1 }])
    assert.equal(res.statusCode, 400)
    const e = res.json().error
    assert.equal(e.code, 'INVALID_ROW')
    assert.equal(e.rejected, 2)
    assert.deepEqual(e.errors.map((x: { line: number }) => x.line), [2, 3])
    assert.equal(s.engine.durable.log('ev').length, 0, 'nothing was written')
  })
})

test('at most 20 row errors are listed', async () => {
  await withStream(async (s) => {
    const res = await rows(s, Array.from({ length: 50 }, () => ({ id: 'x' })))
    assert.equal(res.json().error.rejected, 50)
    assert.equal(res.json().error.errors.length, 20)
  })
})

test('on_error=skip appends the rows that fit and reports the others', async () => {
  await withStream(async (s) => {
    const res = await ndjson(s, '{"id":1}\n{"id":"x"}\n\nnot json\n{"id":4}', '?on_error=skip')
    assert.equal(res.statusCode, 200, res.body)
    const body = res.json()
    assert.equal(body.count, 2)
    assert.equal(body.skipped, 2)
    assert.deepEqual(body.errors.map((e: { line: number }) => e.line), [2, 4])
    assert.match(body.errors[1].message, /invalid JSON/)
    assert.deepEqual(body.startOffset, 0)
    assert.deepEqual(body.endOffset, 2)
  })
})

test('NDJSON: atomic by default, CRLF and a missing final newline are fine', async () => {
  await withStream(async (s) => {
    const ok = await ndjson(s, '{"id":1}\r\n{"id":2}')
    assert.deepEqual(ok.json(), { count: 2, startOffset: 0, endOffset: 2 })
    const bad = await ndjson(s, '{"id":3}\n{"id":')
    assert.equal(bad.statusCode, 400)
    assert.deepEqual(bad.json().error.errors.map((e: { line: number }) => e.line), [2])
    assert.equal(s.engine.durable.log('ev').length, 2)
  })
})

test('ingest errors: unknown stream 404, table 400, bad body 400, too large 413', async () => {
  await withStream(async (s) => {
    const unknown = await s.app.inject({ method: 'POST', url: '/v1/streams/nope/rows', payload: [] })
    assert.equal(unknown.statusCode, 404)
    assert.equal(unknown.json().error.code, 'UNKNOWN_RELATION')
    const table = await s.app.inject({ method: 'POST', url: '/v1/streams/t/rows', payload: [] })
    assert.equal(table.statusCode, 400)
    assert.equal(table.json().error.code, 'UNSUPPORTED_OPERATION')
    const notArray = await rows(s, { id: 1 })
    assert.equal(notArray.statusCode, 400)
    assert.equal(notArray.json().error.code, 'INVALID_REQUEST')
    const badQuery = await rows(s, [], '?on_error=maybe')
    assert.equal(badQuery.statusCode, 400)
    const bigJson = await rows(s, [{ s: 'x'.repeat(2000) }])
    assert.equal(bigJson.statusCode, 413)
    assert.equal(bigJson.json().error.code, 'PAYLOAD_TOO_LARGE')
    const bigNd = await ndjson(s, `{"s":"${'x'.repeat(2000)}"}`)
    assert.equal(bigNd.statusCode, 413)
    assert.equal(bigNd.json().error.code, 'PAYLOAD_TOO_LARGE')
    assert.equal(s.engine.durable.log('ev').length, 0)
  }, { ingestBodyBytes: 1000 })
})
