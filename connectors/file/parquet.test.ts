import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parquetMetadata } from 'hyparquet'
import { Engine } from '../../server/engine.ts'
import type { Field, Row } from '../../runtime/types.ts'
import { parseFile } from './file-decode.ts'
import { parquetFields, writeParquet } from './parquet.ts'
import { readFileSink } from './file-sink.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const fields: Field[] = [
  { name: 'ts', type: 'TIMESTAMP' }, { name: 'id', type: 'BIGINT' }, { name: 'n', type: 'INT' }, { name: 'x', type: 'DOUBLE' },
  { name: 'ok', type: 'BOOLEAN' }, { name: 's', type: 'VARCHAR' }, { name: 'j', type: 'JSON' },
]
const rows: Row[] = [
  [Date.parse('2026-01-01T00:00:01.250Z'), 9007199254740991, 7, 1.5, true, 'é, "q"', { a: [1, 'b'] }],
  [null, null, null, null, null, null, null],
  [0, -1, -2147483648, -0.25, false, '', 'just a string'],
]

test('rows survive a Parquet round trip with the mapped types', async () => {
  const bytes = writeParquet(rows, fields)
  const back = await parseFile(bytes, { fields, format: 'parquet', header: true, onError: 'fail', file: 'mem.parquet' })
  assert.deepEqual(back.rows, rows)
  assert.deepEqual(parquetFields(bytes, 'mem.parquet'), fields)
  const schema = parquetMetadata(bytes.slice().buffer).schema
  assert.deepEqual(schema.slice(1).map((e) => [e.name, e.type, e.converted_type ?? null]), [
    ['ts', 'INT64', 'TIMESTAMP_MILLIS'], ['id', 'INT64', null], ['n', 'INT32', null], ['x', 'DOUBLE', null],
    ['ok', 'BOOLEAN', null], ['s', 'BYTE_ARRAY', 'UTF8'], ['j', 'BYTE_ARRAY', 'JSON'],
  ])
  assert.deepEqual(schema[1]!.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' })
  assert.deepEqual(writeParquet(rows, fields), bytes, 'the same rows give the same bytes')
  await assert.rejects(parseFile(new Uint8Array([1, 2, 3]), { fields, format: 'parquet', header: true, onError: 'fail', file: 'bad.parquet' }), /MALFORMED_INPUT|not a readable Parquet/)
})

test('file sink → file source in Parquet, with rollover, exactly once across a restart', async () => {
  const root = await mkdtemp(join(tmpdir(), 'weir-parquet-'))
  dirs.push(root)
  const open = (): Promise<Engine> => Engine.open({ dataDir: join(root, 'data'), fileRoots: [root], autoRun: false })
  let engine = await open()
  await engine.execute(`CREATE STREAM ev (id BIGINT, ts TIMESTAMP, tag VARCHAR);
    CREATE SINK pq WITH (connector = 'file', path = 'pq', format = 'parquet', rollover_rows = '4');
    INSERT INTO pq SELECT id, ts, tag FROM ev;
    CREATE STREAM back (id BIGINT, ts TIMESTAMP, tag VARCHAR) WITH (connector = 'file', path = 'pq', format = 'parquet');
    CREATE SINK out WITH (connector = 'memory');
    INSERT INTO out SELECT id, ts, tag FROM back`)
  for (let i = 0; i < 3; i++) {
    await engine.execute(`INSERT INTO ev VALUES (${2 * i}, TIMESTAMP '2026-01-01 00:00:0${i}', 'a'), (${2 * i + 1}, NULL, NULL)`)
    await engine.runDueBatches()
  }
  // 6 rows in 3 batches: one part of 4 rows (batches 0–1) is finished, batch 2 is staged.
  assert.deepEqual((await readdir(join(root, 'pq'))).filter((f) => f.endsWith('.parquet')), ['part-q1-00000000-00000001.parquet'])
  assert.deepEqual(engine.sinkOutput('out').map((r) => r.row[0]), [0, 1, 2, 3])
  await engine.close()

  // Stopping finishes the open part; the restarted reader takes only the new part.
  engine = await open()
  try {
    await engine.runDueBatches()
    const parts = (await readFileSink(join(root, 'pq'))).map((p) => p.rows.length)
    assert.deepEqual(parts, [4, 2])
    assert.deepEqual(engine.sinkOutput('out').map((r) => r.row), [
      [0, Date.parse('2026-01-01T00:00:00Z'), 'a'], [1, null, null], [2, Date.parse('2026-01-01T00:00:01Z'), 'a'], [3, null, null],
      [4, Date.parse('2026-01-01T00:00:02Z'), 'a'], [5, null, null],
    ])
  } finally {
    await engine.close()
  }
  const log = await readFile(join(root, 'pq', '_weir_metadata', 'log.jsonl'), 'utf8')
  assert.equal(log.trim().split('\n').length, 2)
})

test('a CSV table with a header, and schema inference', async () => {
  const root = await mkdtemp(join(tmpdir(), 'weir-table-'))
  dirs.push(root)
  await mkdir(join(root, 'ref'))
  const { writeFile } = await import('node:fs/promises')
  await writeFile(join(root, 'ref', 'users.csv'), 'country,id,name,since\nfr,1,"Ann, A",2025-01-01T00:00:00Z\nde,2,Bo,2025-02-01T00:00:00Z\n')
  await writeFile(join(root, 'ref', 'users.parquet'), writeParquet([[1, 'x'], [2, null]], [{ name: 'id', type: 'BIGINT' }, { name: 'label', type: 'VARCHAR' }]))
  const engine = await Engine.open({ fileRoots: [root], autoRun: false })
  try {
    await engine.execute(`CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR) WITH (connector = 'file', path = 'ref/users.csv', format = 'csv')`)
    const [pull] = await engine.execute('SELECT name FROM users WHERE id = 2')
    assert.deepEqual(pull!.kind === 'rows' ? pull!.rows : null, [['Bo']])
    await assert.rejects(engine.execute(`INSERT INTO users VALUES (3, 'x')`), /loaded by the file connector/)

    await engine.execute(`CREATE TABLE inferred (id BIGINT) WITH (connector = 'file', path = 'ref/users.csv', format = 'csv', infer_schema = 'true')`)
    assert.deepEqual(engine.relation('inferred')!.fields, [
      { name: 'id', type: 'BIGINT' }, { name: 'country', type: 'VARCHAR' }, { name: 'name', type: 'VARCHAR' }, { name: 'since', type: 'TIMESTAMP' },
    ])
    const [all] = await engine.execute('SELECT id, country, since FROM inferred ORDER BY id')
    assert.deepEqual(all!.kind === 'rows' ? all!.rows : null, [[1, 'fr', Date.parse('2025-01-01T00:00:00Z')], [2, 'de', Date.parse('2025-02-01T00:00:00Z')]])

    await engine.execute(`CREATE TABLE labels (id BIGINT) WITH (connector = 'file', path = 'ref/users.parquet', format = 'parquet', infer_schema = 'true')`)
    const [labels] = await engine.execute('SELECT id, label FROM labels')
    assert.deepEqual(labels!.kind === 'rows' ? labels!.rows : null, [[1, 'x'], [2, null]])
  } finally {
    await engine.close()
  }
})
