import { test } from 'node:test'
import type { InjectOptions } from 'fastify'
import assert from 'node:assert/strict'
import { startServer, waitFor, type TestServer } from './test-server.ts'

async function withServer(fn: (s: TestServer) => Promise<void>, opts: Parameters<typeof startServer>[0] = {}): Promise<void> {
  const s = await startServer(opts)
  try {
    await fn(s)
  } finally {
    await s.close()
  }
}

const sql = (s: TestServer, text: string, options?: Record<string, string>) =>
  s.app.inject({ method: 'POST', url: '/v1/sql', payload: options ? { sql: text, options } : { sql: text } })

const DDL = `CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
CREATE SINK counts WITH (connector = 'memory');`

test('POST /v1/sql runs a script and reports each statement', async () => {
  await withServer(async (s) => {
    const res = await sql(s, `${DDL}
INSERT INTO clicks VALUES (1, 'https://a', TIMESTAMP '2026-01-01 00:00:01');
SHOW STREAMS;`)
    assert.equal(res.statusCode, 200, res.body)
    const { results } = res.json()
    assert.deepEqual(results.map((r: { kind: string }) => r.kind), ['ok', 'ok', 'insert', 'rows'])
    assert.deepEqual(results[2], { kind: 'insert', target: 'clicks', count: 1, startOffset: 0, endOffset: 1 })
    assert.equal(results[3].rows[0][0], 'clicks')
  })
})

test('a failing statement stops the script; the error names it and earlier results are kept', async () => {
  await withServer(async (s) => {
    const res = await sql(s, "CREATE STREAM a (x BIGINT);\nSELECT nope FROM a EMIT APPEND;\nCREATE STREAM b (x BIGINT);")
    assert.equal(res.statusCode, 400)
    const body = res.json()
    assert.equal(body.error.code, 'UNKNOWN_COLUMN')
    assert.equal(body.error.statementIndex, 1)
    assert.equal(body.error.line, 2)
    assert.equal(typeof body.error.column, 'number')
    assert.equal(body.results.length, 1)
    assert.equal(s.engine.relation('b'), undefined, 'statements after the failing one do not run')
  })
})

test('parse errors answer 400 with line and column; nothing runs', async () => {
  await withServer(async (s) => {
    const res = await sql(s, 'CREATE STREAM a (x BIGINT);\nSELEC 1;')
    assert.equal(res.statusCode, 400)
    const body = res.json()
    assert.equal(body.error.code, 'SQL_PARSE_ERROR')
    assert.equal(body.error.line, 2)
    assert.deepEqual(body.results, [])
    assert.equal(s.engine.relation('a'), undefined)
  })
})

test('request options seed the session; SET changes it for the rest of the request only', async () => {
  await withServer(async (s) => {
    await sql(s, DDL)
    const a = await sql(s, 'SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id', { output_mode: 'complete' })
    assert.equal(a.json().results[0].outputMode, 'complete')
    const b = await sql(s, "SET 'output_mode' = 'update'; SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id")
    assert.equal(b.json().results[1].outputMode, 'update')
    const c = await sql(s, "SET 'query_name' = 'x'; SELECT url FROM clicks")
    assert.equal(c.json().results[1].name, 'x')
    const d = await sql(s, 'SELECT url FROM clicks')
    assert.equal(d.json().results[0].name, null, 'SET does not outlive its request')
  })
})

test('a started query gives its id and results URL; GET/DELETE /v1/queries', async () => {
  await withServer(async (s) => {
    await sql(s, DDL)
    const res = await sql(s, `INSERT INTO counts SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id EMIT UPDATE`)
    const r = res.json().results[0]
    assert.equal(r.kind, 'query')
    assert.equal(r.resultsUrl, `/v1/queries/${r.queryId}/results`)
    await s.app.inject({ method: 'POST', url: '/v1/streams/clicks/rows', payload: [{ user_id: 1, url: 'u', ts: '2026-01-01T00:00:01Z' }] })
    await waitFor(() => s.engine.sinkOutput('counts').length > 0, 'the sink to receive a row')

    const list = (await s.app.inject({ url: '/v1/queries' })).json()
    assert.equal(list.queries.length, 1)
    assert.equal(list.queries[0].status, 'running')
    assert.equal(list.queries[0].recentProgress, undefined, 'the list carries lastProgress only')

    const one = (await s.app.inject({ url: `/v1/queries/${r.queryId}` })).json()
    assert.equal(one.outputMode, 'update')
    assert.equal(one.trigger, 'default')
    assert.ok(one.lastProgress.batchId >= 0)
    assert.ok(Array.isArray(one.recentProgress) && one.recentProgress.length >= 1)
    assert.equal(one.error, null)

    const del = await s.app.inject({ method: 'DELETE', url: `/v1/queries/${r.queryId}?purge=true` })
    assert.equal(del.statusCode, 200, del.body)
    assert.deepEqual(del.json(), { id: r.queryId, status: 'stopped', purged: true })
    assert.equal((await s.app.inject({ url: `/v1/queries/${r.queryId}` })).json().status, 'stopped')

    const missing = await s.app.inject({ url: '/v1/queries/q999' })
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json().error.code, 'UNKNOWN_QUERY')
    assert.equal((await s.app.inject({ method: 'DELETE', url: '/v1/queries/q999' })).statusCode, 404)
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/v1/queries/${r.queryId}?purge=yes` })).statusCode, 400)
  })
})

test('pull queries answer rows as arrays with ISO timestamps', async () => {
  await withServer(async (s) => {
    await sql(s, `${DDL}
INSERT INTO counts SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1' MINUTE) GROUP BY window_start, window_end, user_id EMIT UPDATE`)
    await s.app.inject({ method: 'POST', url: '/v1/streams/clicks/rows', payload: [{ user_id: 7, url: 'u', ts: 1767225601000 }] })
    await waitFor(() => s.engine.sinkOutput('counts').length > 0, 'the sink to receive a row')
    const res = await sql(s, 'SELECT window_start, user_id, n FROM counts')
    const r = res.json().results[0]
    assert.equal(r.kind, 'rows')
    assert.deepEqual(r.columns.map((c: { name: string }) => c.name), ['window_start', 'user_id', 'n'])
    assert.deepEqual(r.rows, [['2026-01-01T00:00:00.000Z', 7, 1]])
  })
})

test('user errors map to statuses: 404 unknown, 409 in use', async () => {
  await withServer(async (s) => {
    await sql(s, DDL)
    await sql(s, 'INSERT INTO counts SELECT user_id FROM clicks')
    const inUse = await sql(s, 'DROP STREAM clicks')
    assert.equal(inUse.statusCode, 409)
    assert.equal(inUse.json().error.code, 'IN_USE')
    const stop = await sql(s, "STOP QUERY 'nope'")
    assert.equal(stop.statusCode, 404)
  })
})

test('request validation and fastify errors use our error shape', async () => {
  await withServer(async (s) => {
    const cases: [InjectOptions, number, string][] = [
      [{ method: 'POST', url: '/v1/sql', payload: { query: 'x' } }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', url: '/v1/sql', payload: { sql: 1 } }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', url: '/v1/sql', payload: { sql: 'SHOW STREAMS', options: { a: [] } } }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', url: '/v1/sql', payload: '{"sql": ', headers: { 'content-type': 'application/json' } }, 400, 'INVALID_REQUEST'],
      [{ method: 'POST', url: '/v1/sql', payload: 'SHOW STREAMS', headers: { 'content-type': 'application/xml' } }, 415, 'INVALID_REQUEST'],
      [{ method: 'POST', url: '/v1/sql', payload: { sql: 'x'.repeat(2 * 1024 * 1024) } }, 413, 'PAYLOAD_TOO_LARGE'],
      [{ method: 'GET', url: '/v1/nothing' }, 404, 'NOT_FOUND'],
      [{ method: 'PUT', url: '/v1/sql' }, 404, 'NOT_FOUND'],
    ]
    for (const [req, status, code] of cases) {
      const res = await s.app.inject(req)
      assert.equal(res.statusCode, status, `${req.method} ${req.url}: ${res.body.slice(0, 200)}`)
      assert.equal(res.json().error.code, code)
      assert.equal(typeof res.json().error.message, 'string')
    }
  })
})

test('GET /v1/catalog lists streams, tables and sinks with schemas; secrets are redacted', async () => {
  await withServer(async (s) => {
    await sql(s, `${DDL}
CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR);
INSERT INTO users VALUES (1, 'ann');`)
    await s.engine.durable.putSink({ name: 'hook', connector: 'webhook', options: { connector: 'webhook', url: 'https://x', api_key: 'hunter2' } })
    const cat = (await s.app.inject({ url: '/v1/catalog' })).json()
    assert.equal(cat.streams[0].name, 'clicks')
    assert.deepEqual(cat.streams[0].columns[2], { name: 'ts', type: 'TIMESTAMP' })
    assert.deepEqual(cat.streams[0].watermark, { column: 'ts', delay: '5s', delayMs: 5000 })
    assert.equal(cat.streams[0].connector, 'embedded')
    assert.equal(cat.tables[0].name, 'users')
    assert.deepEqual(cat.tables[0].primaryKey, ['id'])
    assert.equal(cat.tables[0].rows, 1)
    const hook = cat.sinks.find((k: { name: string }) => k.name === 'hook')
    assert.equal(hook.options.api_key, '***')
    assert.equal(hook.options.url, 'https://x')
    assert.ok(!JSON.stringify(cat).includes('hunter2'))
  })
})

test('healthz, metrics and the placeholder page', async () => {
  await withServer(async (s) => {
    await sql(s, DDL)
    await sql(s, `INSERT INTO counts SELECT user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1' SECOND) GROUP BY window_start, window_end, user_id`)
    await s.app.inject({
      method: 'POST', url: '/v1/streams/clicks/rows',
      payload: [{ user_id: 1, ts: '2026-01-01T00:01:00Z' }],
    })
    await waitFor(() => (s.engine.query('q1')?.executor.recentProgress.length ?? 0) > 0, 'a batch')
    // A late row (its window ended long before the watermark) is dropped and counted.
    await s.app.inject({ method: 'POST', url: '/v1/streams/clicks/rows', payload: [{ user_id: 1, ts: '2026-01-01T00:00:00Z' }] })
    await waitFor(() => s.engine.query('q1')!.executor.recentProgress.some((p) => p.numInputRows > 0 && p.batchId > 0), 'the late row\'s batch')

    const h = await s.app.inject({ url: '/healthz' })
    assert.equal(h.statusCode, 200)
    assert.equal(h.json().status, 'ok')
    const m = await s.app.inject({ url: '/metrics' })
    assert.equal(m.statusCode, 200)
    assert.match(m.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/)
    for (const name of ['weir_query_input_rows_per_second', 'weir_query_processed_rows_per_second', 'weir_query_batch_duration_seconds',
      'weir_query_watermark_lag_seconds', 'weir_query_state_rows', 'weir_query_state_bytes', 'weir_query_subscribers',
      'weir_process_resident_memory_bytes', 'weir_process_heap_used_bytes', 'weir_event_loop_delay_seconds']) {
      assert.match(m.body, new RegExp(`^${name}(\\{[^}]*\\})? \\S+$`, 'm'), name)
    }
    assert.match(m.body, /^weir_query_dropped_late_rows_total\{query="q1"\} 1$/m)
    assert.match(m.body, /^weir_ingest_rows_total 2$/m)
    const page = await s.app.inject({ url: '/' })
    assert.equal(page.statusCode, 200)
    assert.match(page.headers['content-type'] as string, /text\/html/)
  })
})

test('caps on concurrent queries answer 429 LIMIT_EXCEEDED', async () => {
  await withServer(async (s) => {
    await sql(s, DDL)
    assert.equal((await sql(s, 'SELECT url FROM clicks')).statusCode, 200)
    const res = await sql(s, 'SELECT user_id FROM clicks')
    assert.equal(res.statusCode, 429)
    assert.equal(res.json().error.code, 'LIMIT_EXCEEDED')
    const pull = await sql(s, 'SHOW QUERIES')
    assert.equal(pull.statusCode, 200, 'statements that start no query are not capped')
  }, { limits: { maxQueries: 1 } })
})

test('a push query without subscribers is stopped after the idle timeout', async () => {
  await withServer(async (s) => {
    await sql(s, DDL)
    const id = (await sql(s, 'SELECT url FROM clicks')).json().results[0].queryId
    await waitFor(() => s.engine.query(id)?.status === 'stopped', 'the idle push query to stop')
  }, { limits: { pushIdleTimeoutMs: 50 } })
})

test('bearer token: every route but /healthz needs it', async () => {
  await withServer(async (s) => {
    assert.equal((await s.app.inject({ url: '/healthz' })).statusCode, 200)
    // The console's page and assets are public (they hold no data; the page asks for the token).
    for (const url of ['/v1/queries', '/v1/catalog', '/metrics', '/v1/nothing']) {
      const res = await s.app.inject({ url })
      assert.equal(res.statusCode, 401, url)
      assert.equal(res.json().error.code, 'UNAUTHORIZED')
    }
    const wrong = await s.app.inject({ url: '/v1/queries', headers: { authorization: 'Bearer nope' } })
    assert.equal(wrong.statusCode, 401)
    const ok = await s.app.inject({ url: '/v1/queries', headers: { authorization: 'Bearer s3cret' } })
    assert.equal(ok.statusCode, 200)
    const sqlRes = await s.app.inject({ method: 'POST', url: '/v1/sql', payload: { sql: 'SHOW STREAMS' } })
    assert.equal(sqlRes.statusCode, 401)
  }, { authToken: 's3cret' })
})
