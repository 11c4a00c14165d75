/** `weir -c`, `-f` and piped stdin against the real server (a child process). */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runWeir, startServerProcess, startWeir, waitFor, type ServerProcess } from './test-server.ts'

const STREAM = `CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise((r) => srv.close(r))
  return port
}

describe('weir, non-interactive', { timeout: 120_000 }, () => {
  let server: ServerProcess
  let url: string
  before(async () => {
    server = await startServerProcess()
    url = server.url
    await server.sql(`${STREAM}; INSERT INTO clicks VALUES (1, 'https://a', TIMESTAMP '2026-01-01 00:00:01'), (2, NULL, TIMESTAMP '2026-01-01 00:00:02')`)
  })
  after(async () => {
    await server?.stop()
  })

  /** Waits until the push query of `sql` has a websocket subscriber; returns its id. */
  async function subscribed(sql: string): Promise<string> {
    let id = ''
    await waitFor(async () => {
      const q = (await server.queries()).find((x) => x.sql.includes(sql) && x.status === 'running' && (x.subscribers ?? 0) > 0)
      id = q?.id ?? ''
      return q !== undefined
    }, `a subscriber of "${sql}"`)
    return id
  }

  it('runs statements and prints outcomes and psql-style tables', async () => {
    const r = await runWeir(['--url', url, '-c', "CREATE STREAM s1 (a INT); INSERT INTO s1 VALUES (7); DESCRIBE s1"])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, [
      'created stream s1',
      'inserted 1 row into s1 (offsets 0–0)',
      ' column | type | watermark | key',
      '--------+------+-----------+-----',
      ' a      | INT  | ∅         | ∅',
      '(1 row)',
      '',
    ].join('\n'))
  })

  it('prints rows as CSV and JSON lines, outcomes going to stderr', async () => {
    const csv = await runWeir(['--url', url, '--format', 'csv', '-c', 'SHOW STREAMS'])
    assert.equal(csv.code, 0, csv.stderr)
    assert.match(csv.stdout, /^name,connector,columns,watermark\n/)
    assert.match(csv.stdout, /\nclicks,embedded,"user_id BIGINT, url VARCHAR, ts TIMESTAMP",ts - 5s\n/)
    const json = await runWeir(['--url', url, '--format', 'json', '-c', 'CREATE STREAM s2 (a INT); DESCRIBE s2'])
    assert.equal(json.code, 0, json.stderr)
    assert.equal(json.stdout, '{"column":"a","type":"INT","watermark":null,"key":null}\n')
    assert.match(json.stderr, /created stream s2/)
  })

  it('stops at the first error with status 1, showing the line and a caret', async () => {
    const r = await runWeir(['--url', url, '-c', 'SELECT\n  nope FROM clicks; CREATE STREAM never_made (a INT)'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, [
      'ERROR:  UNKNOWN_COLUMN: column "nope" does not exist; available: user_id, url, ts',
      'LINE 2:   nope FROM clicks;',
      '          ^',
      '',
    ].join('\n'))
    const check = await runWeir(['--url', url, '-c', 'DESCRIBE never_made'])
    assert.equal(check.code, 1, 'the statement after the error did not run')
  })

  it('runs a file (-f), naming the file line of an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-cli-'))
    const file = join(dir, 'script.sql')
    writeFileSync(file, '-- a script\nCREATE STREAM f1 (a INT);\n\\d f1\n\nSELECT a,\n  b FROM f1;\n')
    const r = await runWeir(['--url', url, '-f', file])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /created stream f1\nStream "f1" \(connector embedded\)/)
    assert.match(r.stderr, new RegExp(`^${file.replace(/[/.]/g, '\\$&')}:6: ERROR:  UNKNOWN_COLUMN`))
  })

  it('reads statements from piped stdin', async () => {
    const r = await runWeir(['--url', url, '--format', 'csv'], { input: 'SHOW STREAMS;\n\\q\nSELECT nope;\n' })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^name,connector/)
  })

  it('streams a push query until --max-rows, then stops it on the server', async () => {
    const sql = 'SELECT user_id, url FROM clicks WHERE user_id > 100 EMIT APPEND'
    const run = startWeir(['--url', url, '--format', 'json', '--max-rows', '2', '-c', sql])
    const id = await subscribed(sql)
    await server.sql(`INSERT INTO clicks VALUES (101, 'x', TIMESTAMP '2026-01-01 00:00:03'), (102, NULL, TIMESTAMP '2026-01-01 00:00:03'), (103, 'z', TIMESTAMP '2026-01-01 00:00:03')`)
    assert.equal(await run.exited, 0, run.stderr)
    assert.equal(run.stdout, '{"user_id":101,"url":"x"}\n{"user_id":102,"url":null}\n')
    assert.match(run.stderr, /row limit reached \(--max-rows\): query q\d+ stopped/)
    assert.equal((await server.queries()).find((q) => q.id === id)?.status, 'stopped')
  })

  it('prints an update-mode changelog as CSV and stops on Ctrl-C (SIGINT)', async () => {
    const sql = 'SELECT url, COUNT(*) AS n FROM clicks WHERE user_id > 200 GROUP BY url EMIT UPDATE'
    const run = startWeir(['--url', url, '--format', 'csv', '--timeout', '600', '-c', sql])
    const id = await subscribed(sql)
    await server.sql(`INSERT INTO clicks VALUES (201, 'u', TIMESTAMP '2026-01-01 00:00:04')`)
    await waitFor(() => run.stdout.includes('+,u,1'), 'the first change')
    await server.sql(`INSERT INTO clicks VALUES (202, 'u', TIMESTAMP '2026-01-01 00:00:05')`)
    await waitFor(() => run.stdout.includes('U+,u,2'), 'the update')
    assert.match(run.stdout, /^batch,op,url,n\n\d+,\+,u,1\n\d+,U-,u,1\n\d+,U\+,u,2\n$/)
    // Ctrl-C (SIGINT) ends the push query successfully and stops it on the server.
    run.child.kill('SIGINT')
    assert.equal(await run.exited, 0, run.stderr)
    assert.match(run.stderr, /cancelled: query q\d+ stopped/)
    assert.equal((await server.queries()).find((q) => q.id === id)?.status, 'stopped')
  })

  it('stops a push query after --timeout seconds', async () => {
    const r = await runWeir(['--url', url, '--timeout', '0.5', '-c', 'SELECT url FROM clicks WHERE user_id > 300'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^ url\n-----\n\(0 rows\)\n$/)
    assert.match(r.stderr, /timed out \(--timeout\): query q\d+ stopped/)
  })

  it('says in one line when the server cannot be reached, with status 2', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    const r = await runWeir(['--url', dead, '-c', 'SHOW STREAMS'])
    assert.equal(r.code, 2)
    assert.equal(r.stderr, `weir: cannot reach ${dead}: connection refused\n`)
  })

  it('documents its options in --help and rejects unknown ones', async () => {
    const help = await runWeir(['--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /--max-rows N/)
    const bad = await runWeir(['--bogus'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /unknown option --bogus/)
  })
})

describe('weir with a token', { timeout: 60_000 }, () => {
  let server: ServerProcess
  before(async () => {
    server = await startServerProcess({ WEIR_AUTH_TOKEN: 'sesame' })
  })
  after(async () => {
    await server?.stop()
  })

  it('sends --token or $WEIR_AUTH_TOKEN as a bearer token', async () => {
    const none = await runWeir(['--url', server.url, '-c', 'SHOW STREAMS'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /^ERROR: {2}UNAUTHORIZED: /)
    const flag = await runWeir(['--url', server.url, '--token', 'sesame', '-c', 'SHOW STREAMS'])
    assert.equal(flag.code, 0, flag.stderr)
    const env = await runWeir(['-c', 'SHOW STREAMS'], { env: { WEIR_URL: server.url, WEIR_AUTH_TOKEN: 'sesame' } })
    assert.equal(env.code, 0, env.stderr)
  })
})
