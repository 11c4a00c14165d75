/**
 * The file source through the engine: exactly-once across a restart, files appearing between
 * batches, half-written files, rate limits, cleanup, malformed rows and allowed roots. Batches
 * run only when the test calls `runDueBatches()`, so nothing sleeps.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Engine } from '../../server/engine.ts'
import { FileSource } from './file-source.ts'
import { FileSourceIndex } from './file-source-index.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weir-file-source-'))
  dirs.push(d)
  return d
}

/** Writes a file the safe way (temporary name, then rename) with a given modification time (s). */
async function put(dir: string, name: string, text: string, mtime: number): Promise<void> {
  const tmp = join(dir, `${name}.tmp`)
  await writeFile(tmp, text)
  await utimes(tmp, mtime, mtime)
  await rename(tmp, join(dir, name))
}

const ids = (engine: Engine, sink = 'out'): unknown[] => engine.sinkOutput(sink).map((r) => r.row[0])

async function open(root: string): Promise<Engine> {
  return Engine.open({ dataDir: join(root, 'data'), fileRoots: [root], autoRun: false })
}

test('each file exactly once, in modification-time order, across an engine restart', async () => {
  const root = await tempDir()
  const inbox = join(root, 'inbox')
  await mkdir(inbox)
  await put(inbox, 'b.json', '{"id": 3}\n{"id": 4}\n', 2000)
  await put(inbox, 'a.json', '{"id": 1}\n{"id": 2}\n', 1000)
  let engine = await open(root)
  await engine.execute(`CREATE STREAM ev (id BIGINT) WITH (connector = 'file', path = 'inbox', format = 'json', max_files_per_batch = '1');
    CREATE SINK out WITH (connector = 'memory');
    INSERT INTO out SELECT id FROM ev`)
  await engine.runDueBatches()
  assert.deepEqual(ids(engine), [1, 2, 3, 4], 'a.json is older, so first')
  assert.deepEqual(engine.sinkOutput('out').map((r) => r.batchId), [0, 0, 1, 1], 'one file per batch')

  // A file appears between batches; one still being written is not read.
  await put(inbox, 'c.json', '{"id": 5}\n', 3000)
  await writeFile(join(inbox, 'd.json.tmp'), '{"id": 6}\n{"id"')
  await writeFile(join(inbox, '.e.json'), '{"id": 7}\n')
  await writeFile(join(inbox, '_f.json'), '{"id": 8}\n')
  await engine.runDueBatches()
  assert.deepEqual(ids(engine), [1, 2, 3, 4, 5])
  await engine.close()

  // Restart: nothing is read twice; the renamed file is read once complete.
  await rename(join(inbox, 'd.json.tmp'), join(inbox, 'd.json')).catch(() => undefined)
  await writeFile(join(inbox, 'd.json'), '{"id": 6}\n')
  engine = await open(root)
  try {
    await engine.runDueBatches()
    assert.deepEqual(ids(engine), [1, 2, 3, 4, 5, 6])
    const progress = engine.query('q1')!.info().lastProgress
    assert.deepEqual(progress?.sources[0]?.endOffset, { files: 4 })
  } finally {
    await engine.close()
  }
})

test('a batch re-run after a crash reads the same files, even when newer ones arrived', async () => {
  const root = await tempDir()
  const inbox = join(root, 'inbox')
  await mkdir(inbox)
  await put(inbox, 'a.csv', 'id,name\n1,x\n2,y\n', 1000)
  const engine = await open(root)
  await engine.execute(`CREATE STREAM ev (id BIGINT, name VARCHAR) WITH (connector = 'file', path = 'inbox', format = 'csv');
    CREATE SINK out WITH (connector = 'memory');
    INSERT INTO out SELECT id, name FROM ev`)
  const source = engine.query('q1')!.opts.sources[0]
  assert.ok(source instanceof FileSource)
  const end = await source.endOffset({ files: 0 }, { maxRows: null })
  assert.deepEqual(end, { files: 1 })
  await put(inbox, 'b.csv', 'id,name\n3,z\n', 500)
  // The range [0, 1) still means a.csv, though b.csv is older.
  assert.deepEqual(await source.read({ files: 0 }, end), [[1, 'x'], [2, 'y']])
  assert.deepEqual(await source.read({ files: 0 }, end), [[1, 'x'], [2, 'y']])
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('out').map((r) => r.row), [[1, 'x'], [2, 'y'], [3, 'z']])
  await engine.close()
})

test('max_rows_per_batch takes whole files', async () => {
  const root = await tempDir()
  const inbox = join(root, 'inbox')
  await mkdir(inbox)
  await put(inbox, '1.json', '{"id":1}\n{"id":2}\n', 1000)
  await put(inbox, '2.json', '{"id":3}\n{"id":4}\n{"id":5}\n', 2000)
  await put(inbox, '3.json', '{"id":6}\n', 3000)
  const engine = await open(root)
  await engine.execute(`CREATE STREAM ev (id BIGINT) WITH (connector = 'file', path = 'inbox', max_rows_per_batch = '3');
    CREATE SINK out WITH (connector = 'memory');
    INSERT INTO out SELECT id FROM ev`)
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('out').map((r) => [r.batchId, r.row[0]]), [[0, 1], [0, 2], [1, 3], [1, 4], [1, 5], [2, 6]])
  await engine.close()
})

test('malformed rows: on_error = fail stops the query, skip drops and counts them', async () => {
  const root = await tempDir()
  const inbox = join(root, 'inbox')
  await mkdir(inbox)
  await put(inbox, 'a.csv', 'id,ts\n1,2026-01-01T00:00:00Z\nnot a number,2026-01-01\n"unclosed,x\n', 1000)
  await put(inbox, 'b.json', '{"id":2,"ts":1767225600000}\n{oops\n[1]\n{"id":"3"}\n', 1000)
  const engine = await open(root)
  await engine.execute(`CREATE STREAM good (id BIGINT, ts TIMESTAMP) WITH (connector = 'file', path = 'inbox', format = 'csv', on_error = 'skip');
    CREATE STREAM strict (id BIGINT, ts TIMESTAMP) WITH (connector = 'file', path = 'inbox', format = 'csv');
    CREATE SINK out WITH (connector = 'memory');
    CREATE SINK out2 WITH (connector = 'memory');
    INSERT INTO out SELECT id, ts FROM good`)
  await engine.runDueBatches()
  // b.json read as CSV has no header match: its rows are malformed too.
  assert.deepEqual(engine.sinkOutput('out').map((r) => r.row), [[1, Date.parse('2026-01-01T00:00:00Z')]])
  const source = engine.query('q1')!.opts.sources[0] as FileSource
  assert.ok(source.malformedRows >= 2, `counted ${source.malformedRows}`)

  await engine.execute('INSERT INTO out2 SELECT id, ts FROM strict')
  await engine.runDueBatches()
  const q2 = engine.query('q2')!.info()
  assert.equal(q2.status, 'failed')
  assert.equal(q2.error?.code, 'MALFORMED_INPUT')
  assert.match(q2.error?.message ?? '', /a\.csv, line 3/)

  const json = join(root, 'json')
  await mkdir(json)
  await put(json, 'b.json', '{"id":2,"ts":1767225600000}\n{oops\n[1]\n{"id":"3","ts":"2026-01-01 00:00:01"}\n', 1000)
  await engine.execute(`CREATE STREAM j (id BIGINT, ts TIMESTAMP) WITH (connector = 'file', path = 'json', on_error = 'skip');
    CREATE SINK out3 WITH (connector = 'memory');
    INSERT INTO out3 SELECT id, ts FROM j`)
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('out3').map((r) => r.row), [[2, 1767225600000], [3, 1767225601000]])
  await engine.close()
})

test('cleanup deletes or archives a file only after its batch committed', async () => {
  const root = await tempDir()
  const inbox = join(root, 'inbox')
  const archive = join(root, 'archive')
  await mkdir(inbox)
  await put(inbox, 'a.json', '{"id":1}\n', 1000)
  const source = new FileSource({
    stream: 'ev', dir: inbox, fields: [{ name: 'id', type: 'BIGINT' }], format: 'json', header: true, onError: 'fail',
    maxFilesPerBatch: null, cleanup: 'archive', archiveDir: archive, startAtLatest: false,
  }, await FileSourceIndex.open(null))
  const end = await source.endOffset({ files: 0 }, { maxRows: null })
  assert.deepEqual(await source.read({ files: 0 }, end), [[1]])
  // Not committed yet: a re-run of [0, 1) must still find a.json.
  assert.deepEqual(await source.read({ files: 0 }, end), [[1]])
  assert.deepEqual(await readdir(inbox), ['a.json'])
  // Planning the batch after it means [0, 1) committed.
  assert.deepEqual(await source.endOffset(end, { maxRows: null }), { files: 1 })
  assert.deepEqual(await readdir(inbox), [])
  assert.deepEqual(await readdir(archive), ['a.json'])
  await source.close()

  // Through the engine, with delete.
  await put(inbox, 'b.json', '{"id":2}\n', 2000)
  const engine = await open(root)
  await engine.execute(`CREATE STREAM ev (id BIGINT) WITH (connector = 'file', path = 'inbox', cleanup = 'delete');
    CREATE SINK out WITH (connector = 'memory');
    INSERT INTO out SELECT id FROM ev`)
  await engine.runDueBatches()
  assert.deepEqual(ids(engine), [2])
  assert.deepEqual(await readdir(inbox), [])
  await engine.close()
})

test('paths outside the allowed roots are refused at CREATE', async () => {
  const root = await tempDir()
  const engine = await open(root)
  try {
    for (const path of ['../../etc', '/etc', '../outside']) {
      await assert.rejects(engine.execute(`CREATE STREAM s (id BIGINT) WITH (connector = 'file', path = '${path}')`), (e: { code?: string }) => e.code === 'INVALID_OPTION', path)
      await assert.rejects(engine.execute(`CREATE TABLE t (id BIGINT) WITH (connector = 'file', path = '${path}/passwd', format = 'csv')`), (e: { code?: string }) => e.code === 'INVALID_OPTION', path)
      await assert.rejects(engine.execute(`CREATE SINK k WITH (connector = 'file', path = '${path}')`), (e: { code?: string }) => e.code === 'INVALID_OPTION', path)
    }
    await mkdir(join(root, 'in'))
    await assert.rejects(engine.execute(`CREATE STREAM s (id BIGINT) WITH (connector = 'file', path = 'in', cleanup = 'archive', archive_dir = '../../tmp')`), /outside/)
    await assert.rejects(engine.execute(`CREATE STREAM s (id BIGINT) WITH (connector = 'file', path = 'in', cleanup = 'archive')`), /archive_dir/)
  } finally {
    await engine.close()
  }
})

test('a file stream over a directory that does not exist is refused at CREATE, as in Spark', async () => {
  const root = await tempDir()
  const engine = await open(root)
  try {
    await assert.rejects(
      engine.execute(`CREATE STREAM s (id BIGINT) WITH (connector = 'file', path = 'no-such-dir', format = 'json')`),
      (err: Error & { code?: string }) => err.code === 'INVALID_OPTION' && /not an existing directory/.test(err.message),
    )
    await mkdir(join(root, 'in'))
    await engine.execute(`CREATE STREAM s (id BIGINT) WITH (connector = 'file', path = 'in', format = 'json')`)
  } finally {
    await engine.close()
  }
})
