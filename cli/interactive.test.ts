/**
 * The interactive client in a real pseudo-terminal (tmux): typing, the redrawn push-query
 * table, Ctrl-C stopping the query on the server, \d, errors, completion and history.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startServerProcess, waitFor, WEIR_BIN, type ServerProcess } from './test-server.ts'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const SOCKET = `weir-cli-test-${process.pid}`

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' })
}

const screen = (): string => tmux('capture-pane', '-p', '-t', 'weir')
const lines = (): string[] => screen().split('\n').map((l) => l.trimEnd())
/** Types text literally (tmux reads a trailing `;` as its own command separator unless escaped). */
const type = (text: string): void => void tmux('send-keys', '-t', 'weir', '-l', text.replace(/;$/, '\\;'))
const key = (...keys: string[]): void => void tmux('send-keys', '-t', 'weir', ...keys)
const alive = (): boolean => spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', 'weir']).status === 0
const lastLine = (): string => lines().filter((l) => l !== '').at(-1) ?? ''

async function see(what: RegExp | ((s: string) => boolean), label = String(what)): Promise<void> {
  const test = typeof what === 'function' ? what : (s: string) => what.test(s)
  await waitFor(() => test(screen()), `${label} on screen`).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- screen ---\n${screen()}`)
  })
}

describe('weir, interactive (tmux)', { skip: !hasTmux && 'tmux is not installed', timeout: 120_000 }, () => {
  let server: ServerProcess
  const historyFile = join(mkdtempSync(join(tmpdir(), 'weir-cli-')), 'history')

  before(async () => {
    server = await startServerProcess()
    await server.sql(`CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`)
    const cmd = `WEIR_HISTORY='${historyFile}' '${process.execPath}' '${WEIR_BIN}' --url '${server.url}'`
    tmux('new-session', '-d', '-s', 'weir', '-x', '110', '-y', '30', cmd)
    await see(/^weir=> ?$/m, 'the prompt')
  })
  after(async () => {
    if (alive()) tmux('kill-server')
    await server?.stop()
  })

  async function subscribed(fragment: string): Promise<string> {
    let id = ''
    await waitFor(async () => {
      const q = (await server.queries()).find((x) => x.sql.includes(fragment) && x.status === 'running' && (x.subscribers ?? 0) > 0)
      id = q?.id ?? ''
      return q !== undefined
    }, 'the push query subscribed')
    return id
  }

  it('redraws an update-mode push query in place; Ctrl-C stops it on the server', async () => {
    type('SELECT url, COUNT(*) AS n')
    key('Enter')
    await see(/^weir-> ?$/m, 'the continuation prompt')
    type('FROM clicks GROUP BY url EMIT UPDATE;')
    key('Enter')
    const id = await subscribed('GROUP BY url EMIT UPDATE')
    await server.sql(`INSERT INTO clicks VALUES (1, 'a', TIMESTAMP '2026-01-01 00:00:01'), (2, 'a', TIMESTAMP '2026-01-01 00:00:02'), (3, 'b', TIMESTAMP '2026-01-01 00:00:02')`)
    await see((s) => /^ a +\| +2$/m.test(s) && /^ b +\| +1$/m.test(s), 'a = 2 and b = 1')
    await see(/update mode · batch \d+ · .*2 rows · Ctrl-C to stop/, 'the status line')
    await server.sql(`INSERT INTO clicks VALUES (4, 'a', TIMESTAMP '2026-01-01 00:00:03')`)
    await see(/^ a +\| +3$/m, 'a = 3')
    // The table was redrawn, not repeated: one header, one row for a.
    await see(() => {
      const shown = lines()
      return shown.filter((l) => /^ +url +\| +n$/.test(l)).length === 1 && shown.filter((l) => /^ a +\|/.test(l)).length === 1
    }, 'one header and one row for a')

    key('C-c')
    await waitFor(async () => (await server.queries()).find((q) => q.id === id)?.status === 'stopped', 'the query stopped on the server')
    await see(new RegExp(`cancelled: query ${id} stopped`))
    await waitFor(() => lastLine() === 'weir=>', 'the prompt back')
  })

  it('prints append-mode rows as they arrive', async () => {
    type('SELECT user_id, url FROM clicks WHERE user_id > 10;')
    key('Enter')
    const id = await subscribed('user_id > 10')
    await server.sql(`INSERT INTO clicks VALUES (11, 'first', TIMESTAMP '2026-01-01 00:00:04')`)
    await see(/^ +11 \| first$/m)
    await server.sql(`INSERT INTO clicks VALUES (12, NULL, TIMESTAMP '2026-01-01 00:00:05')`)
    await see(/^ +12 \| NULL$/m)
    key('C-c')
    await see(new RegExp(`cancelled: query ${id} stopped`))
    await waitFor(() => lastLine() === 'weir=>', 'the prompt back')
  })

  it('describes a stream with \\d (tab-completed) and lists the queries using it', async () => {
    type('\\d cl')
    key('Tab')
    await see(/weir=> \\d clicks$/m, 'the completed name')
    key('Enter')
    await see(/Stream "clicks" \(connector embedded\)/)
    await see(/Watermark: ts - 5s/)
    await see(/^ +q\d+ +stopped +update +SELECT url, COUNT/m)
  })

  it('shows SQL errors with a caret and keeps the session', async () => {
    type('SELECT nope FROM clicks;')
    key('Enter')
    await see(/ERROR: {2}UNKNOWN_COLUMN: column "nope" does not exist/)
    await see(/^LINE 1: SELECT nope FROM clicks;\n {15}\^$/m, 'the caret under "nope"')
    await waitFor(() => lastLine() === 'weir=>', 'the prompt back')
  })

  it('toggles expanded display with \\x', async () => {
    type('\\x')
    key('Enter')
    await see(/Expanded display is on\./)
    type('SHOW STREAMS;')
    key('Enter')
    await see(/^-\[ RECORD 1 \]-+\nname +\| clicks$/m)
  })

  it('quits on a second Ctrl-C at an empty prompt and keeps the history', async () => {
    type('SELECT 1 +')
    key('C-c')
    await waitFor(() => lastLine() === 'weir=>', 'the pending input dropped')
    key('C-c')
    await see(/press Ctrl-C again to quit/)
    key('C-c')
    await waitFor(() => !alive(), 'the client to exit')
    const history = readFileSync(historyFile, 'utf8').split('\n')
    assert.ok(history.includes('SELECT url, COUNT(*) AS n FROM clicks GROUP BY url EMIT UPDATE;'), history.join('\n'))
    assert.ok(history.includes('\\d clicks'))
  })
})
