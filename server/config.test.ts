import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_LIMITS, loadConfig, type ServerConfig } from './config.ts'

function config(argv: string[], env: Record<string, string> = {}, cwd = '/srv'): ServerConfig {
  const r = loadConfig(argv, env, cwd)
  assert.equal(r.help, false)
  return (r as { config: ServerConfig }).config
}

test('embedded defaults', () => {
  assert.deepEqual(config([]), {
    host: '127.0.0.1', port: 8080, dataDir: '/srv/data', authToken: null, fileRoots: ['/srv/data'], logLevel: 'info', decodeThreads: null, limits: DEFAULT_LIMITS,
  })
})

test('flags win over the environment, which wins over the config file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-config-'))
  try {
    await writeFile(join(dir, 'weir.json'), JSON.stringify({ host: '0.0.0.0', port: 1, dataDir: 'd', authToken: 'f', limits: { maxQueries: 3 } }))
    const c = config(['--config', 'weir.json', '--port=0'], { WEIR_PORT: '2', WEIR_AUTH_TOKEN: 'e', WEIR_FILE_ROOTS: 'a:/b' }, dir)
    assert.equal(c.host, '0.0.0.0')
    assert.equal(c.port, 0)
    assert.equal(c.authToken, 'e')
    assert.equal(c.dataDir, join(dir, 'd'))
    assert.deepEqual(c.fileRoots, [join(dir, 'a'), '/b'])
    assert.equal(c.limits.maxQueries, 3)
    assert.equal(c.limits.sqlBodyBytes, DEFAULT_LIMITS.sqlBodyBytes)
    assert.equal(config(['--decode-threads', '0'], { WEIR_DECODE_THREADS: '3' }).decodeThreads, 0)
    assert.equal(config([], { WEIR_DECODE_THREADS: '3' }).decodeThreads, 3)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('--help and bad input', () => {
  assert.deepEqual(loadConfig(['--help'], {}), { help: true })
  assert.throws(() => loadConfig(['--port', 'x'], {}), { code: 'CONFIG_ERROR' })
  assert.throws(() => loadConfig(['--port'], {}), /needs a value/)
  assert.throws(() => loadConfig(['--bogus', '1'], {}), /unknown option/)
  assert.throws(() => loadConfig([], { WEIR_PORT: '70000' }), /port/)
  assert.throws(() => loadConfig(['--decode-threads', '-1'], {}), /decode threads must be 0–64/)
  assert.throws(() => loadConfig(['--config', '/nonexistent/weir.json'], {}), /cannot read config file/)
})
