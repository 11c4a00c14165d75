/**
 * A persistent query resumes after a server restart and its memory sink holds every row exactly
 * once — with the in-memory durable state handed to the next engine, and with LevelDB.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDurableState } from './durable-state.ts'
import { startServer, waitFor, type TestServer, type TestServerOptions } from './test-server.ts'

async function post(s: TestServer, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await s.app.inject({ method: 'POST', url: path, payload: body as object })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, ts: (from + i) * 1000 }))

async function restartScenario(opts: () => TestServerOptions): Promise<void> {
  let s = await startServer(opts())
  await post(s, '/v1/sql', {
    sql: `CREATE STREAM ev (id BIGINT, ts TIMESTAMP);
CREATE SINK out WITH (connector = 'memory');
INSERT INTO out SELECT id, ts FROM ev WHERE id % 2 = 0`,
  })
  await post(s, '/v1/streams/ev/rows', rows(0, 10))
  await waitFor(() => s.engine.sinkOutput('out').length === 5, 'the first rows in the sink')
  // Rows that arrive while the query runs, then the restart.
  await post(s, '/v1/streams/ev/rows', rows(10, 10))
  await s.close()

  s = await startServer(opts())
  try {
    const q = (await s.app.inject({ url: '/v1/queries/q1' })).json()
    assert.equal(q.status, 'running', 'the persistent query resumed')
    await post(s, '/v1/streams/ev/rows', rows(20, 10))
    await waitFor(() => s.engine.sinkOutput('out').length >= 15, 'all rows in the sink')
    const ids = s.engine.sinkOutput('out').map((r) => r.row[0])
    assert.deepEqual(ids, Array.from({ length: 15 }, (_, i) => i * 2), 'every even id exactly once, in order')
    const pull = await post(s, '/v1/sql', { sql: 'SELECT COUNT(*) AS n FROM out' })
    assert.deepEqual((pull.results as { rows: unknown[] }[])[0]!.rows, [[15]])
  } finally {
    await s.close()
  }
}

test('restart with the same in-memory durable state', async () => {
  const durable = new MemoryDurableState()
  await restartScenario(() => ({ durable }))
})

test('restart with LevelDB in the data directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-restart-'))
  try {
    await restartScenario(() => ({ dataDir: dir }))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
