import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { FrameClient, changeLines, startServer, type Frame, type TestServer } from './test-server.ts'

async function post(s: TestServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

async function run(s: TestServer, sql: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const r = await post(s, '/v1/sql', { sql }, headers)
  assert.equal(r.status, 200, JSON.stringify(r.json))
  return r.json.results as Record<string, unknown>[]
}

const STREAM = `CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`
const isType = (t: string) => (f: Frame) => f.type === t

test('a push query streams schema, batch and progress frames to every subscriber', async () => {
  const s = await startServer({ listen: true })
  try {
    await run(s, STREAM)
    const [q] = await run(s, "SELECT user_id, ts FROM clicks WHERE url LIKE 'https://a%'")
    const a = await FrameClient.connect(s.wsUrl + String(q!.resultsUrl))
    const b = await FrameClient.connect(s.wsUrl + String(q!.resultsUrl))
    const schema = await a.next(isType('schema'), 'schema')
    assert.deepEqual(schema, {
      type: 'schema', queryId: q!.queryId, outputMode: 'append',
      columns: [{ name: 'user_id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }],
    })
    const ingest = await post(s, '/v1/streams/clicks/rows', [
      { user_id: 1, url: 'https://a/1', ts: '2026-01-01T00:00:01Z' },
      { user_id: 2, url: 'https://b/1', ts: '2026-01-01T00:00:02Z' },
      { user_id: 3, url: 'https://a/2', ts: 1767225603000 },
    ])
    assert.deepEqual(ingest.json, { count: 3, startOffset: 0, endOffset: 3 })
    for (const c of [a, b]) {
      const batch = await c.next((f) => f.type === 'batch' && (f.changes as unknown[]).length > 0, 'a batch')
      assert.deepEqual(batch.changes, [['+', [1, '2026-01-01T00:00:01.000Z']], ['+', [3, '2026-01-01T00:00:03.000Z']]])
      assert.equal(batch.watermark, null, 'the first batch runs without a watermark')
      const progress = await c.next(isType('progress'), 'progress after the batch', 5000, c.frames.indexOf(batch))
      assert.equal((progress.progress as { batchId: number }).batchId, batch.batchId)
    }
    assert.equal(s.app.weirHub.subscribers(String(q!.queryId)), 2)

    // Stopping the query ends every subscription.
    const del = await fetch(`${s.url}/v1/queries/${String(q!.queryId)}`, { method: 'DELETE' })
    assert.equal(del.status, 200)
    for (const c of [a, b]) {
      assert.deepEqual(await c.next(isType('end'), 'end'), { type: 'end', reason: 'stopped' })
      assert.equal(await c.closed(), 1000)
    }
  } finally {
    await s.close()
  }
})

test('update mode sends changes with U-/U+; complete mode sends snapshots', async () => {
  const s = await startServer({ listen: true })
  try {
    await run(s, STREAM)
    const [u] = await run(s, 'SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id EMIT UPDATE')
    const [c] = await run(s, 'SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id EMIT COMPLETE')
    const uc = await FrameClient.connect(s.wsUrl + String(u!.resultsUrl))
    const cc = await FrameClient.connect(s.wsUrl + String(c!.resultsUrl))
    await uc.next(isType('schema'), 'schema')
    await cc.next(isType('schema'), 'schema')
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 1, ts: 0 }, { user_id: 2, ts: 0 }])
    await uc.next((f) => f.type === 'batch' && (f.changes as unknown[]).length === 2, 'first update batch')
    await cc.next((f) => f.type === 'snapshot' && (f.rows as unknown[]).length === 2, 'first snapshot')
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 1, ts: 0 }])
    await uc.next((f) => changeLines([f]).includes('U+ [1,2]'), 'the update of user 1')
    assert.deepEqual(changeLines(uc.frames), ['+ [1,1]', '+ [2,1]', 'U- [1,1]', 'U+ [1,2]'])
    const snap = await cc.next((f) => f.type === 'snapshot' && JSON.stringify(f.rows).includes('[1,2]'), 'the second snapshot')
    assert.deepEqual((snap.rows as number[][]).sort((x, y) => x[0]! - y[0]!), [[1, 2], [2, 1]])
    assert.equal(typeof snap.batchId, 'number')
    assert.ok('watermark' in snap)
  } finally {
    await s.close()
  }
})

test('subscribing to a persistent query observes the batches its sink accepts', async () => {
  const s = await startServer({ listen: true })
  try {
    await run(s, `${STREAM}; CREATE SINK out WITH (connector = 'memory')`)
    const [q] = await run(s, 'INSERT INTO out SELECT user_id, url FROM clicks')
    const c = await FrameClient.connect(s.wsUrl + String(q!.resultsUrl))
    await c.next(isType('schema'), 'schema')
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 5, url: 'x', ts: 0 }])
    const batch = await c.next((f) => f.type === 'batch' && (f.changes as unknown[]).length > 0, 'a batch')
    assert.deepEqual(batch.changes, [['+', [5, 'x']]])
    assert.equal(s.engine.sinkOutput('out').length, 1, 'the sink still gets everything')
  } finally {
    await s.close()
  }
})

test('idle queries send progress frames at the configured interval', async () => {
  const s = await startServer({ listen: true, limits: { progressIntervalMs: 40 } })
  try {
    await run(s, STREAM)
    const [q] = await run(s, 'SELECT url FROM clicks')
    const c = await FrameClient.connect(s.wsUrl + String(q!.resultsUrl))
    await c.next(isType('schema'), 'schema')
    await c.next(isType('progress'), 'a first idle progress frame', 2000)
    const first = c.frames.findIndex(isType('progress'))
    await c.next(isType('progress'), 'a second idle progress frame', 2000, first + 1)
  } finally {
    await s.close()
  }
})

test('shutdown sends end with reason shutdown', async () => {
  const s = await startServer({ listen: true })
  await run(s, STREAM)
  const [q] = await run(s, 'SELECT url FROM clicks')
  const c = await FrameClient.connect(s.wsUrl + String(q!.resultsUrl))
  await c.next(isType('schema'), 'schema')
  await s.close()
  assert.deepEqual(c.frames.at(-1), { type: 'end', reason: 'shutdown' })
  assert.equal(await c.closed(), 1001)
})

test('websocket errors: unknown route or query, auth, subscriber cap', async () => {
  const s = await startServer({ listen: true, authToken: 'tok', limits: { maxSubscribers: 1 } })
  try {
    const auth = { authorization: 'Bearer tok' }
    await run(s, STREAM, auth)
    const [q] = await run(s, 'SELECT url FROM clicks', auth)
    const url = s.wsUrl + String(q!.resultsUrl)
    await assert.rejects(FrameClient.connect(url), /HTTP 401/)
    await assert.rejects(FrameClient.connect(url + '?token=wrong'), /HTTP 401/)
    await assert.rejects(FrameClient.connect(`${s.wsUrl}/v1/queries/q99/results?token=tok`), /HTTP 404/)
    await assert.rejects(FrameClient.connect(`${s.wsUrl}/v1/elsewhere?token=tok`), /HTTP 404/)
    const ok = await FrameClient.connect(url + '?token=tok')
    await ok.next(isType('schema'), 'schema')
    await assert.rejects(FrameClient.connect(url, auth), /HTTP 429/)
    ok.close()
    await ok.closed()
    const byHeader = await FrameClient.connect(url, auth)
    await byHeader.next(isType('schema'), 'schema')
  } finally {
    await s.close()
  }
})

test('NDJSON ingest over a real socket, streamed in pieces', async () => {
  const s = await startServer({ listen: true })
  try {
    await run(s, STREAM)
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ user_id: i, url: `u${i}`, ts: i }))
    const text = lines.join('\n') + '\n'
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text)
        for (let i = 0; i < bytes.length; i += 777) controller.enqueue(bytes.slice(i, i + 777))
        controller.close()
      },
    })
    const res = await fetch(`${s.url}/v1/streams/clicks/rows`, {
      method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body, duplex: 'half',
    } as RequestInit & { duplex: 'half' })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { count: 500, startOffset: 0, endOffset: 500 })
    const rows = await s.engine.durable.log('clicks').slice(0, 500)
    assert.deepEqual(rows[499], [499, 'u499', 499])
  } finally {
    await s.close()
  }
})

test('a client that aborts an NDJSON upload or sends garbage does not hurt the server', async () => {
  const s = await startServer({ listen: true })
  try {
    await run(s, STREAM)
    const port = Number(new URL(s.url).port)
    const sock = connect(port, '127.0.0.1')
    await new Promise((r) => sock.once('connect', r))
    sock.write('POST /v1/streams/clicks/rows HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '10\r\n{"user_id": 1}\n\r\n')
    sock.destroy()
    const junk = connect(port, '127.0.0.1')
    await new Promise((r) => junk.once('connect', r))
    junk.write('GET /v1/queries/q1/results HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0000\u00ff garbage')
    let answer = ''
    junk.on('data', (d: Buffer) => (answer += String(d)))
    await new Promise((r) => junk.once('close', r))
    assert.match(answer, /^HTTP\/1.1 404/)
    const ok = await post(s, '/v1/streams/clicks/rows', [{ user_id: 2 }])
    assert.equal(ok.status, 200)
    assert.equal(s.engine.durable.log('clicks').length, 1, 'the aborted upload wrote nothing')
  } finally {
    await s.close()
  }
})
