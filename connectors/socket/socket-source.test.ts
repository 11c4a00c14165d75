import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { test } from 'node:test'
import { Engine } from '../../server/engine.ts'
import { waitFor } from '../../server/test-server.ts'
import { SocketSource } from './socket-source.ts'

/** A TCP server that Weir connects to; the test writes lines to the connected clients. */
async function lineServer(): Promise<{ server: Server; port: number; clients: Socket[]; send: (text: string) => void }> {
  const clients: Socket[] = []
  const server = createServer((c) => clients.push(c))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { server, port, clients, send: (text) => clients.forEach((c) => c.write(text)) }
}

test('lines from a TCP server are rows; offsets count lines received', async () => {
  const srv = await lineServer()
  const source = await SocketSource.connect({ stream: 'lines', host: '127.0.0.1', port: srv.port, fields: [{ name: 'line', type: 'VARCHAR' }], format: 'text', onError: 'fail', startAtLatest: false })
  try {
    await waitFor(() => srv.clients.length === 1, 'the connection')
    let told = 0
    source.onData(() => told++)
    srv.send('hello\r\nwor')
    srv.send('ld\n\nlast')
    await waitFor(() => source.received === 2, 'two lines')
    assert.ok(told > 0)
    const start = await source.initialOffset()
    const end = await source.endOffset(start, { maxRows: null })
    assert.deepEqual([start, end], [0, 2])
    assert.deepEqual(await source.read(start, end), [['hello'], ['world']])
    srv.clients[0]!.end()
    await waitFor(() => source.received === 3, 'the last line, at the end of the connection')
    assert.deepEqual(await source.read(2, await source.endOffset(2, { maxRows: 1 })), [['last']])
  } finally {
    await source.close()
    srv.server.close()
  }
})

test('a socket stream in a query, JSON lines; an unreachable server fails the start', async () => {
  const srv = await lineServer()
  const engine = await Engine.open({ autoRun: false })
  try {
    await engine.execute(`CREATE STREAM ev (id BIGINT, name VARCHAR) WITH (connector = 'socket', host = '127.0.0.1', port = '${srv.port}', format = 'json', on_error = 'skip');
      CREATE SINK out WITH (connector = 'memory');
      INSERT INTO out SELECT id, name FROM ev`)
    await waitFor(() => srv.clients.length === 1, 'the connection')
    srv.send('{"id": 1, "name": "a"}\nnot json\n{"id": 2}\n')
    await waitFor(async () => (await engine.runDueBatches(), engine.sinkOutput('out').length === 2), 'two rows')
    assert.deepEqual(engine.sinkOutput('out').map((r) => r.row), [[1, 'a'], [2, null]])
    await assert.rejects(engine.execute(`CREATE STREAM t (a BIGINT, b BIGINT) WITH (connector = 'socket', port = '1')`), /one VARCHAR column/)
    srv.server.close()
    const port = srv.port
    await engine.execute(`CREATE STREAM gone (line VARCHAR) WITH (connector = 'socket', host = '127.0.0.1', port = '${port}')`)
    await engine.execute(`CREATE SINK out2 WITH (connector = 'memory')`)
    await assert.rejects(engine.execute('INSERT INTO out2 SELECT line FROM gone'), (e: { code?: string }) => e.code === 'SOURCE_UNAVAILABLE')
  } finally {
    await engine.close()
    srv.server.close()
    for (const c of srv.clients) c.destroy()
  }
})
