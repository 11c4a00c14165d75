import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { test } from 'node:test'
import { Engine } from '../../server/engine.ts'
import type { SinkBatchInfo } from '../../runtime/sink.ts'
import { WebhookSink } from './webhook-sink.ts'
import { webhookOptions } from './webhook-connector.ts'
import { redactOptions } from '../../server/redact.ts'

interface Received { readonly headers: IncomingHttpHeaders; readonly body: Record<string, unknown> }

/** A local endpoint that answers the given statuses in turn (then 200) and records what it got. */
async function endpoint(statuses: number[]): Promise<{ url: string; got: Received[]; close: () => void }> {
  const got: Received[] = []
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => (text += c.toString()))
    req.on('end', () => {
      got.push({ headers: req.headers, body: JSON.parse(text) as Record<string, unknown> })
      res.statusCode = statuses.shift() ?? 200
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => server.close() }
}

const info: SinkBatchInfo = { queryId: 'q1', schema: { fields: [{ name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }] }, outputMode: 'update', watermark: null }

test('retries 5xx with backoff, then succeeds with the same batch id and idempotency key', async () => {
  const ep = await endpoint([503, 500])
  const sink = new WebhookSink('w', { url: ep.url, maxRetries: 3, retryBackoffMs: 1, timeoutMs: 5000, authorization: 'Bearer s3cret' })
  try {
    await sink.write(7, { rows: [[1, 0], [1, 0], [1, 1000]], ops: ['+', 'U-', 'U+'] }, info)
    assert.equal(ep.got.length, 3)
    assert.deepEqual(ep.got.map((g) => g.headers['idempotency-key']), ['q1:7', 'q1:7', 'q1:7'])
    assert.deepEqual(ep.got.map((g) => g.headers['x-weir-batch-id']), ['7', '7', '7'])
    assert.equal(ep.got[0]!.headers.authorization, 'Bearer s3cret')
    assert.deepEqual(ep.got[2]!.body, {
      batchId: 7, queryId: 'q1', outputMode: 'update', snapshot: false,
      changes: [
        { op: '+', row: { id: 1, ts: '1970-01-01T00:00:00.000Z' } }, { op: 'U-', row: { id: 1, ts: '1970-01-01T00:00:00.000Z' } },
        { op: 'U+', row: { id: 1, ts: '1970-01-01T00:00:01.000Z' } },
      ],
    })
    await sink.write(8, { rows: [], ops: null }, info)
    assert.equal(ep.got.length, 3, 'an empty batch is not sent')
  } finally {
    ep.close()
  }
})

test('gives up after max_retries, fails at once on 4xx, retries a refused connection', async () => {
  const ep = await endpoint([500, 500, 500, 400])
  const sink = new WebhookSink('w', { url: ep.url, maxRetries: 2, retryBackoffMs: 1, timeoutMs: 5000, authorization: null })
  try {
    await assert.rejects(sink.write(0, { rows: [[1, 0]], ops: null }, info), (e: { code?: string; retryable?: boolean }) => e.code === 'SINK_WRITE_FAILED' && e.retryable === true)
    assert.equal(ep.got.length, 3)
    await assert.rejects(sink.write(1, { rows: [[1, 0]], ops: null }, info), (e: { code?: string; message: string }) => e.code === 'SINK_WRITE_FAILED' && /HTTP 400/.test(e.message))
    assert.equal(ep.got.length, 4)
  } finally {
    ep.close()
  }
  const down = new WebhookSink('w', { url: ep.url, maxRetries: 1, retryBackoffMs: 1, timeoutMs: 1000, authorization: null })
  await assert.rejects(down.write(0, { rows: [[1, 0]], ops: null }, info), /after 2 attempt/)
  assert.equal(down.attempts, 2)
})

test('hosts outside allowed_hosts are refused at CREATE; the secret is redacted', async () => {
  assert.throws(() => webhookOptions({ url: 'http://example.com/x' }), /not in allowed_hosts/)
  assert.throws(() => webhookOptions({ url: 'ftp://127.0.0.1/x' }), /http/)
  assert.equal(webhookOptions({ url: 'http://[::1]:9/x' }).url, 'http://[::1]:9/x')
  assert.equal(webhookOptions({ url: 'https://hooks.example.com/x', allowed_hosts: 'hooks.example.com' }).maxRetries, 5)
  assert.deepEqual(redactOptions({ connector: 'webhook', url: 'http://localhost/', authorization: 'Bearer x' }), { connector: 'webhook', url: 'http://localhost/', authorization: '***' })
  const engine = await Engine.open({ autoRun: false })
  try {
    await assert.rejects(engine.execute(`CREATE SINK w WITH (connector = 'webhook', url = 'http://169.254.169.254/latest')`), (e: { code?: string }) => e.code === 'INVALID_OPTION')
    const ep = await endpoint([])
    try {
      await engine.execute(`CREATE STREAM ev (id BIGINT, ts TIMESTAMP);
        CREATE SINK w WITH (connector = 'webhook', url = '${ep.url}', authorization = 'Bearer x');
        INSERT INTO w SELECT id, COUNT(*) AS n FROM ev GROUP BY id EMIT UPDATE;
        INSERT INTO ev VALUES (1, TIMESTAMP '2026-01-01 00:00:00')`)
      await engine.runDueBatches()
      assert.equal(ep.got.length, 1)
      assert.deepEqual(ep.got[0]!.body.changes, [{ op: '+', row: { id: 1, n: 1 } }])
    } finally {
      ep.close()
    }
  } finally {
    await engine.close()
  }
})
