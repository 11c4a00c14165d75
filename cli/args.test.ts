import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_URL, HELP, parseArgs, UsageError } from './args.ts'
import { Completer } from './completion.ts'
import { parseSet } from './statement-runner.ts'
import { queriesUsing, redactOption } from './describe.ts'

describe('parseArgs', () => {
  it('reads options in both spellings, keeping -c and -f in order', () => {
    const a = parseArgs(['--url=http://h:1', '--token', 't', '-c', 'SELECT 1', '-f', 'x.sql', '--format', 'csv', '--max-rows', '5',
      '--timeout', '1.5', '-q', '-x', '--set', 'output_mode=update'], {})
    assert.equal(a.url, 'http://h:1')
    assert.equal(a.token, 't')
    assert.deepEqual(a.inputs, [{ kind: 'command', sql: 'SELECT 1' }, { kind: 'file', path: 'x.sql' }])
    assert.equal(a.format, 'csv')
    assert.equal(a.maxRows, 5)
    assert.equal(a.timeoutMs, 1500)
    assert.ok(a.quiet && a.expanded)
    assert.deepEqual(a.options, { output_mode: 'update' })
  })

  it('falls back to WEIR_URL and WEIR_AUTH_TOKEN, then the default URL', () => {
    assert.equal(parseArgs([], {}).url, DEFAULT_URL)
    const a = parseArgs([], { WEIR_URL: 'http://env:2', WEIR_AUTH_TOKEN: 'secret' })
    assert.equal(a.url, 'http://env:2')
    assert.equal(a.token, 'secret')
  })

  it('rejects unknown options and bad values', () => {
    for (const bad of [['--nope'], ['--format', 'xml'], ['--max-rows', 'x'], ['-c'], ['SELECT 1'], ['--quiet=yes']]) {
      assert.throws(() => parseArgs(bad, {}), UsageError, bad.join(' '))
    }
  })

  it('documents every option in --help', () => {
    for (const opt of ['--url', '--token', '-c', '-f', '--format', '--max-rows', '--timeout', '--set', '-q', '-x', '--timing', '--no-color',
      '--help', '--version', 'WEIR_URL', 'WEIR_AUTH_TOKEN', 'WEIR_HISTORY']) {
      assert.ok(HELP.includes(opt), opt)
    }
  })
})

describe('parseSet', () => {
  it('reads SET statements in their spellings', () => {
    assert.deepEqual(parseSet("SET 'output_mode' = 'update';"), { key: 'output_mode', value: 'update' })
    assert.deepEqual(parseSet('set trigger TO once'), { key: 'trigger', value: 'once' })
    assert.deepEqual(parseSet("SET 'query_name' = 'it''s'"), { key: 'query_name', value: "it's" })
    assert.equal(parseSet('SELECT 1'), null)
  })
})

describe('describe helpers', () => {
  it('redacts secret-looking options the server left in clear', () => {
    assert.equal(redactOption('sasl_password', 'hunter2'), '********')
    assert.equal(redactOption('topic', 'clicks'), 'clicks')
  })

  it('finds the queries that use a relation by name', () => {
    const q = (id: string, sql: string, sink: string | null = null) => ({ id, sql, sink }) as Parameters<typeof queriesUsing>[1][number]
    const found = queriesUsing('clicks', [q('q1', 'SELECT * FROM clicks'), q('q2', 'SELECT * FROM clicks_2'), q('q3', 'SELECT 1', 'Clicks')])
    assert.deepEqual(found.map((x) => x.id), ['q1', 'q3'])
  })
})

describe('Completer', () => {
  const completer = new Completer({
    names: async () => ({ objects: ['clicks', 'alerts'], columns: ['user_id', 'url'] }),
    queries: async () => ['q1', 'q12'],
  })

  it('completes backslash commands, object names after \\d and query ids after \\stop', async () => {
    assert.deepEqual((await completer.complete('\\qu'))[0], ['\\queries'])
    assert.deepEqual(await completer.complete('\\d cl'), [['clicks'], 'cl'])
    assert.deepEqual(await completer.complete('\\stop q1'), [['q1', 'q12'], 'q1'])
  })

  it('completes keywords in the case typed, and names after FROM', async () => {
    assert.deepEqual((await completer.complete('SEL'))[0], ['SELECT'])
    assert.deepEqual((await completer.complete('sel'))[0], ['select'])
    const [afterFrom] = await completer.complete('SELECT * FROM a')
    assert.equal(afterFrom[0], 'alerts', 'names first after FROM')
    assert.ok(afterFrom.includes('and'))
    assert.deepEqual((await completer.complete('SELECT us'))[0], ['user_id'])
    assert.deepEqual((await completer.complete("SELECT 'se"))[0], [])
  })

  it('still completes keywords when the server is down', async () => {
    const offline = new Completer({ names: () => Promise.reject(new Error('down')), queries: () => Promise.reject(new Error('down')) })
    assert.deepEqual((await offline.complete('EMI'))[0], ['EMIT'])
  })
})
