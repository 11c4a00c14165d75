/**
 * `npm start` end to end: the real process with WEIR_PORT=0, its log line, SIGTERM with a
 * subscriber attached, and a second start on the same data directory.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { FrameClient, waitFor } from './test-server.ts'

const ROOT = resolve(import.meta.dirname, '..')
const MAIN = join(ROOT, 'server/main.ts')

interface Proc {
  readonly child: ChildProcess
  readonly lines: Record<string, unknown>[]
  readonly url: string
  exited: number | null
}

async function start(dataDir: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT, env: { ...process.env, WEIR_PORT: '0', WEIR_DATA_DIR: dataDir, WEIR_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const p: { child: ChildProcess; lines: Record<string, unknown>[]; url: string; exited: number | null } = { child, lines: [], url: '', exited: null }
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += String(d)
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      p.lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>)
      buf = buf.slice(nl + 1)
    }
  })
  child.on('exit', (code) => {
    p.exited = code ?? -1
  })
  await waitFor(() => p.lines.some((l) => /^listening on /.test(String(l.msg))) || p.exited !== null, 'the server to listen', 15_000)
  const line = p.lines.find((l) => /^listening on /.test(String(l.msg)))
  assert.ok(line, `server did not start: ${JSON.stringify(p.lines)}`)
  p.url = String(line.msg).slice('listening on '.length)
  assert.match(p.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  return p
}

async function sql(p: Proc, text: string): Promise<{ queryId?: string; resultsUrl?: string }[]> {
  const res = await fetch(`${p.url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) })
  const body = (await res.json()) as { results: { queryId?: string; resultsUrl?: string }[] }
  assert.equal(res.status, 200, JSON.stringify(body))
  return body.results
}

test('--help prints usage; a bad flag exits 2', () => {
  const help = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--help'], { cwd: ROOT, encoding: 'utf8' })
  assert.equal(help.status, 0)
  assert.match(help.stdout, /WEIR_PORT/)
  const bad = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--nope'], { cwd: ROOT, encoding: 'utf8' })
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /unknown option --nope/)
})

test('SIGTERM ends subscriptions with reason shutdown; the next start resumes the persistent query', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-main-'))
  try {
    let p = await start(dir)
    await sql(p, "CREATE STREAM ev (id BIGINT); CREATE SINK out WITH (connector = 'memory')")
    const [persistent] = await sql(p, 'INSERT INTO out SELECT id FROM ev')
    const [push] = await sql(p, 'SELECT id FROM ev')
    const ws = await FrameClient.connect(p.url.replace('http', 'ws') + push!.resultsUrl)
    await ws.next((f) => f.type === 'schema', 'schema')
    await fetch(`${p.url}/v1/streams/ev/rows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"id":1},{"id":2}]' })
    await ws.next((f) => f.type === 'batch' && (f.changes as unknown[]).length === 2, 'the rows')
    p.child.kill('SIGTERM')
    assert.deepEqual(await ws.next((f) => f.type === 'end', 'end'), { type: 'end', reason: 'shutdown' })
    await waitFor(() => p.exited !== null, 'the process to exit', 10_000)
    assert.equal(p.exited, 0)

    p = await start(dir)
    try {
      const q = (await (await fetch(`${p.url}/v1/queries/${persistent!.queryId}`)).json()) as { status: string }
      assert.equal(q.status, 'running')
      await fetch(`${p.url}/v1/streams/ev/rows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"id":3}]' })
      await waitFor(async () => {
        const [r] = await sql(p, 'SELECT id FROM out') as unknown as { rows: number[][] }[]
        return r!.rows.length === 3
      }, 'the resumed query to write the new row', 10_000)
      const [r] = await sql(p, 'SELECT id FROM out ORDER BY id') as unknown as { rows: number[][] }[]
      assert.deepEqual(r!.rows, [[1], [2], [3]])
    } finally {
      p.child.kill('SIGTERM')
      await waitFor(() => p.exited !== null, 'the process to exit', 10_000)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
