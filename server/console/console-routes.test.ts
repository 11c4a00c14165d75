import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CONSOLE_DIR, loadConsoleAssets } from '../routes/console.ts'
import { startServer, waitFor, type TestServer } from '../test-server.ts'

async function withServer(fn: (s: TestServer) => Promise<void>, opts: Parameters<typeof startServer>[0] = {}): Promise<void> {
  const s = await startServer(opts)
  try {
    await fn(s)
  } finally {
    await s.close()
  }
}

/** Sends a request line exactly as written (no client-side normalisation of `..` or `%2e`). */
function rawGet(url: string, path: string, headers = ''): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => {
      data += d
    })
    socket.on('error', reject)
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data }))
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n${headers}\r\n`)
  })
}

test('GET / and /console/* serve the committed files with their content types and revalidation headers', async () => {
  await withServer(async (s) => {
    const page = await s.app.inject({ url: '/' })
    assert.equal(page.statusCode, 200)
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(page.body, readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8'))
    assert.equal(page.headers['cache-control'], 'no-cache')
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/)
    assert.equal(page.headers['x-content-type-options'], 'nosniff')

    const expected: Record<string, string> = {
      'main.js': 'text/javascript; charset=utf-8', 'console.css': 'text/css; charset=utf-8', 'favicon.svg': 'image/svg+xml',
    }
    for (const [name, type] of Object.entries(expected)) {
      const res = await s.app.inject({ url: `/console/${name}` })
      assert.equal(res.statusCode, 200, name)
      assert.equal(res.headers['content-type'], type, name)
      const etag = String(res.headers.etag)
      assert.match(etag, /^"[\w-]{27}"$/)
      const again = await s.app.inject({ url: `/console/${name}`, headers: { 'if-none-match': etag } })
      assert.equal(again.statusCode, 304, `${name} revalidates`)
      assert.equal(again.body, '')
    }
    // Every module the page loads is served (imports are relative to /console/).
    for (const [name, asset] of loadConsoleAssets()) {
      if (!name.endsWith('.js')) continue
      for (const m of asset.body.toString('utf8').matchAll(/^import .* from '\.\/([\w.-]+)'$/gm)) {
        assert.equal((await s.app.inject({ url: `/console/${m[1]}` })).statusCode, 200, `${name} imports ${m[1]}`)
      }
    }
  })
})

test('console routes never reach outside the served files (path traversal)', async () => {
  await withServer(async (s) => {
    const secret = readFileSync(join(CONSOLE_DIR, '..', '..', 'package.json'), 'utf8')
    const attempts = [
      '/console/../package.json', '/console/..%2f..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json',
      '/console/%2e%2e%2f%2e%2e%2fpackage.json', '/console/....//....//package.json', '/console//etc/passwd',
      '/console/%2fetc%2fpasswd', '/console/..\\..\\package.json', '/console/..%5c..%5cpackage.json',
      '/console/console-routes.test.ts', '/console/tsconfig.json', '/console/test-browser.ts', '/console/index.html',
      '/console/', '/console', '/console/main.js%00.png', '/console/./main.js/', '/%2e%2e/package.json', '/../package.json',
      '/console/%252e%252e/package.json', '/console/main.js/../../package.json',
    ]
    for (const path of attempts) {
      const res = await rawGet(s.url, path)
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`)
      assert.ok(!res.text.includes('"name": "weir"') && !res.text.includes(secret.slice(0, 40)), `${path} leaked a file`)
      assert.ok(!res.text.includes('root:'), `${path} leaked /etc/passwd`)
    }
  }, { listen: true })
})

test('with a token, the console files are public but the API behind them is not, however the path is spelled', async () => {
  await withServer(async (s) => {
    assert.equal((await rawGet(s.url, '/')).status, 200, 'the page loads, then asks for the token')
    assert.equal((await rawGet(s.url, '/console/main.js')).status, 200)
    for (const path of ['/v1/queries', '/console/../v1/queries', '/console/%2e%2e/v1/queries', '/console/..%2fv1%2fqueries',
      '//v1/queries', '/console/../metrics', '/v1/queries/../../console/main.js', '/metrics?x=/console/']) {
      const res = await rawGet(s.url, path)
      assert.ok(res.status === 401 || res.status === 404, `${path}: ${res.status}`)
      assert.ok(!res.text.includes('"queries"') && !res.text.includes('weir_'), `${path} answered data without the token`)
    }
    assert.equal((await rawGet(s.url, '/v1/queries', 'Authorization: Bearer tok\r\n')).status, 200)
  }, { listen: true, authToken: 'tok' })
})

test('GET /v1/queries/:id carries the plan (EXPLAIN text) and the counters since start', async () => {
  await withServer(async (s) => {
    await s.app.inject({ method: 'POST', url: '/v1/sql', payload: { sql: `CREATE STREAM clicks (user_id BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
CREATE SINK counts WITH (connector = 'memory');
INSERT INTO counts SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1' SECOND) GROUP BY window_start, window_end, user_id` } })
    await s.app.inject({ method: 'POST', url: '/v1/streams/clicks/rows', payload: [{ user_id: 1, ts: '2026-01-01T00:01:00Z' }] })
    await waitFor(() => (s.engine.query('q1')?.executor.recentProgress.length ?? 0) > 0, 'a batch')
    await s.app.inject({ method: 'POST', url: '/v1/streams/clicks/rows', payload: [{ user_id: 1, ts: '2026-01-01T00:00:00Z' }] })
    await waitFor(() => s.engine.query('q1')!.executor.recentProgress.some((p) => p.batchId > 0 && p.numInputRows > 0), 'the late row')

    const one = (await s.app.inject({ url: '/v1/queries/q1' })).json()
    assert.match(one.explain, /^Query output=append into counts\n {2}Project .*\n {4}TumblingWindowAggregate .*\n {6}Source clicks watermark=ts - 5s \[append-only\]$/)
    assert.equal(one.totals.droppedLateRows, 1)
    assert.ok(one.totals.batches >= 2)
    const list = (await s.app.inject({ url: '/v1/queries' })).json()
    assert.equal(list.queries[0].totals.droppedLateRows, 1)
    assert.equal('explain' in list.queries[0], false, 'the list stays small')
  })
})
