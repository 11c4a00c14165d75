/**
 * A subscriber that never reads must not slow the query, hold up other subscribers, or make the
 * server buffer without bound.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FrameClient, startServer, waitFor, type Frame, type TestServer } from './test-server.ts'

const BOUND = 256 * 1024
const PAYLOAD = 'x'.repeat(20_000)

async function post(s: TestServer, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const json = (await res.json()) as Record<string, unknown>
  assert.equal(res.status, 200, JSON.stringify(json))
  return json
}

async function pushQuery(s: TestServer, sql: string): Promise<string> {
  const r = await post(s, '/v1/sql', { sql })
  return String((r.results as { resultsUrl: string }[])[0]!.resultsUrl)
}

/** Rows in the table that a client's frames build (batch changes and snapshots applied in order). */
function table(frames: readonly Frame[]): Map<string, number> {
  const t = new Map<string, number>()
  for (const f of frames) {
    if (f.type === 'snapshot') {
      t.clear()
      for (const r of f.rows as unknown[]) t.set(JSON.stringify(r), (t.get(JSON.stringify(r)) ?? 0) + 1)
    }
    if (f.type !== 'batch') continue
    for (const [op, row] of f.changes as [string, unknown][]) {
      const k = JSON.stringify(row)
      const n = (t.get(k) ?? 0) + (op === '+' || op === 'U+' ? 1 : -1)
      if (n === 0) t.delete(k)
      else t.set(k, n)
    }
  }
  return t
}

test('append mode: a client that never reads is disconnected at its bound; a fast one gets every row', async () => {
  const s = await startServer({ listen: true, limits: { subscriberBufferBytes: BOUND } })
  try {
    await post(s, '/v1/sql', { sql: 'CREATE STREAM big (id BIGINT, s VARCHAR)' })
    const url = await pushQuery(s, 'SELECT id, s FROM big')
    const fast = await FrameClient.connect(s.wsUrl + url)
    const slow = await FrameClient.connect(s.wsUrl + url)
    await fast.next((f) => f.type === 'schema', 'schema')
    await slow.next((f) => f.type === 'schema', 'schema')
    slow.ws.pause()
    const queryId = url.split('/')[3]!
    let maxBuffered = 0
    const total = 1500
    for (let i = 0; i < total; i += 20) {
      await post(s, '/v1/streams/big/rows', Array.from({ length: 20 }, (_, j) => ({ id: i + j, s: PAYLOAD })))
      for (const st of s.app.weirHub.stats()) maxBuffered = Math.max(maxBuffered, st.maxBuffered)
      // Keep the fast client in step so that the test measures the slow one only.
      await waitFor(() => fast.frames.filter((f) => f.type === 'batch').reduce((n, f) => n + (f.changes as unknown[]).length, 0) >= i + 20,
        `the fast client to get ${i + 20} rows`)
    }
    await waitFor(() => s.app.weirHub.subscribers(queryId) === 1, 'the slow subscriber to be disconnected')
    const oneFrame = 20 * (PAYLOAD.length + 40) + 200
    assert.ok(maxBuffered <= BOUND + oneFrame, `server-side buffer ${maxBuffered} stayed within ${BOUND} + one frame`)
    assert.equal(s.engine.query(queryId)?.status, 'running', 'the query kept running')
    slow.ws.resume()
    await slow.closed()
    assert.ok(slow.frames.filter((f) => f.type === 'batch').length < fast.frames.filter((f) => f.type === 'batch').length)
  } finally {
    await s.close()
  }
})

test('update mode: a slow client gets coalesced frames that build the same table', async () => {
  const s = await startServer({ listen: true, limits: { subscriberBufferBytes: BOUND } })
  try {
    await post(s, '/v1/sql', { sql: 'CREATE STREAM big (id BIGINT, s VARCHAR)' })
    const url = await pushQuery(s, 'SELECT s, COUNT(*) AS n FROM big GROUP BY s EMIT UPDATE')
    const fast = await FrameClient.connect(s.wsUrl + url)
    const slow = await FrameClient.connect(s.wsUrl + url)
    await fast.next((f) => f.type === 'schema', 'schema')
    await slow.next((f) => f.type === 'schema', 'schema')
    slow.ws.pause()
    const keys = Array.from({ length: 5 }, (_, k) => `${k}${PAYLOAD}`)
    const rounds = 300
    let maxBuffered = 0
    let seen = 0
    for (let i = 0; i < rounds; i++) {
      await post(s, '/v1/streams/big/rows', keys.map((key, j) => ({ id: i * 5 + j, s: key })))
      for (const st of s.app.weirHub.stats()) maxBuffered = Math.max(maxBuffered, st.maxBuffered)
      const last = await fast.next((f) => f.type === 'batch' && (f.changes as [string, unknown[]][]).some(([op, r]) => op !== 'U-' && r[0] === keys[4] && r[1] === i + 1),
        `the fast client to see round ${i + 1}`, 5000, seen)
      seen = fast.frames.indexOf(last) + 1
    }
    const expected = new Map(keys.map((k) => [JSON.stringify([k, rounds]), 1]))
    assert.deepEqual(table(fast.frames), expected)
    assert.ok(maxBuffered <= BOUND + 2 * 5 * (PAYLOAD.length + 40) + 200, `buffer ${maxBuffered} stayed bounded`)
    slow.ws.resume()
    await waitFor(() => {
      const t = table(slow.frames)
      return t.size === expected.size && [...expected.keys()].every((k) => t.has(k))
    }, 'the slow client to catch up through coalesced frames', 10_000)
    assert.ok(slow.frames.some((f) => f.coalesced === true), 'some frames were coalesced')
    assert.equal(s.app.weirHub.subscribers(url.split('/')[3]!), 2, 'nobody was disconnected')
  } finally {
    await s.close()
  }
})
