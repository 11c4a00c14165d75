/**
 * Decoding files on worker threads: the same rows, counts and errors as on the query's thread,
 * files of a batch decoded in parallel, and the next batch's files decoded ahead.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { WeirError } from '../../runtime/errors.ts'
import type { Field } from '../../runtime/types.ts'
import { Engine } from '../../server/engine.ts'
import { decodeHere, fileDecoder, MIN_WORKER_BYTES, type DecodeRequest, type FileDecoder } from './file-decode.ts'
import type { ParseOptions } from './file-formats.ts'
import { FileSource } from './file-source.ts'
import { FileSourceIndex } from './file-source-index.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weir-file-decode-'))
  dirs.push(d)
  return d
}

const FIELDS: Field[] = [{ name: 'id', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'x', type: 'DOUBLE' }]

/** A JSON-lines file bigger than MIN_WORKER_BYTES (so it goes to a worker), with a malformed line every `badEvery` lines. */
function bigFile(first: number, badEvery = 0): string {
  const lines: string[] = []
  for (let i = first, size = 0; size < MIN_WORKER_BYTES * 1.2; i++) {
    const line = badEvery > 0 && i % badEvery === 0
      ? `{"id": "not a number ${i}"}`
      : JSON.stringify({ id: i, s: i % 7 === 0 ? `é "quoted" ${i}` : `row ${i}`, ts: new Date(1_700_000_000_000 + i).toISOString(), x: i % 5 === 0 ? -0 : i / 4 })
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n') + '\n'
}

const parse = (file: string, onError: 'fail' | 'skip'): ParseOptions => ({ fields: FIELDS, format: 'json', header: false, onError, file })
const request = async (path: string, onError: 'fail' | 'skip'): Promise<DecodeRequest> =>
  ({ path, size: (await stat(path)).size, parse: parse(path, onError), source: 'FileSource[test]' })

test('a worker decodes a file into the rows, malformed count and errors of the query thread', async () => {
  const dir = await tempDir()
  const path = join(dir, 'a.json')
  await writeFile(path, bigFile(0, 1000))
  const threads = fileDecoder(2)
  const skip = await request(path, 'skip')
  const here = await decodeHere(skip)
  const there = await threads.decode(skip)
  assert.ok(here.rows.length > 2000 && here.malformed > 0)
  assert.deepEqual(there, here)
  const fail = await request(path, 'fail')
  const message = await decodeHere(fail).then(() => '', (e: Error) => e.message)
  assert.match(message, /a\.json, line 1: column id/)
  await assert.rejects(threads.decode(fail), (e: unknown) => e instanceof WeirError && e.code === 'MALFORMED_INPUT' && e.message === message)
  await assert.rejects(threads.decode({ ...skip, path: join(dir, 'gone.json') }), (e: unknown) =>
    e instanceof WeirError && e.code === 'SOURCE_FILE_CHANGED' && /gone\.json was removed/.test(e.message))
})

test('the file source decodes the next batch ahead; a read-ahead failure belongs to the batch that reads the file', async () => {
  const dir = await tempDir()
  for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) await writeFile(join(dir, `${name}.json`), bigFile(i * 100_000, name === 'c' ? 5 : 0))
  const calls: string[] = []
  const threads = fileDecoder(2)
  const counting: FileDecoder = { threads: 2, decode: (req) => (calls.push(req.path.slice(-6)), threads.decode(req)) }
  const source = new FileSource({
    stream: 'ev', dir, fields: FIELDS, format: 'json', header: false, onError: 'fail', maxFilesPerBatch: 1, cleanup: 'none',
    archiveDir: null, startAtLatest: false, decoder: counting,
  }, await FileSourceIndex.open(null))
  const end = await source.endOffset(await source.initialOffset(), { maxRows: null })
  assert.deepEqual(end, { files: 1 })
  const rows = await source.read({ files: 0 }, end)
  assert.equal(rows[0]![0], 0)
  assert.deepEqual(calls, ['a.json', 'b.json', 'c.json'], 'after the batch of a.json, the next two files (one per thread) are decoding')
  assert.equal((await source.read({ files: 1 }, { files: 2 }))[0]![0], 100_000)
  assert.deepEqual(calls, ['a.json', 'b.json', 'c.json', 'd.json'], 'b.json was not decoded twice')
  await assert.rejects(source.read({ files: 2 }, { files: 3 }), (e: unknown) => e instanceof WeirError && e.code === 'MALFORMED_INPUT' && /c\.json, line 1:/.test(e.message))
  await assert.rejects(source.read({ files: 2 }, { files: 3 }), /c\.json, line 1:/, 'a retried batch decodes the file again, with the same error')
  assert.equal((await source.read({ files: 3 }, { files: 4 }))[0]![0], 300_000)
  await source.close()
})

test('a query gives the same results with and without decoding threads', async () => {
  const root = await tempDir()
  const inbox = join(root, 'inbox')
  await mkdir(inbox)
  for (const [i, name] of ['a', 'b', 'c'].entries()) await writeFile(join(inbox, `${name}.json`), bigFile(i * 100_000, 997))
  const expectedFew: number[] = []
  for (const name of ['a', 'b', 'c']) {
    for (const line of (await readFile(join(inbox, `${name}.json`), 'utf8')).split('\n').filter((l) => l !== '')) {
      const o = JSON.parse(line) as { id: unknown; x?: number }
      if (typeof o.id === 'number' && o.x! >= 50000) expectedFew.push(o.id)
    }
  }
  assert.ok(expectedFew.length > 100)
  const results = []
  for (const decodeThreads of [0, 2]) {
    const engine = await Engine.open({ autoRun: false, fileRoots: [root], decodeThreads })
    await engine.execute(`CREATE STREAM ev (id BIGINT, s VARCHAR, ts TIMESTAMP, x DOUBLE, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH (connector = 'file', path = '${inbox}', format = 'json', max_files_per_batch = '1', on_error = 'skip');
      CREATE SINK out WITH (connector = 'memory', max_rows = '1000000');
      INSERT INTO out SELECT id, s, ts, x FROM ev WHERE id % 3 = 0;
      CREATE SINK few WITH (connector = 'memory', max_rows = '1000000');
      INSERT INTO few SELECT id FROM ev WHERE x >= 50000`)
    await engine.runDueBatches()
    const query = [...engine.running.values()][0]!
    // The second query reads only id, x (and ts, the watermark), so s is not copied: its rows are still exactly right.
    assert.deepEqual(engine.sinkOutput('few').map((r) => r.row[0]), expectedFew)
    results.push({
      rows: engine.sinkOutput('out').map((r) => [r.batchId, ...r.row]),
      malformed: query.info().lastProgress?.sources[0]?.metrics?.malformedRecords,
    })
    await engine.close()
  }
  assert.ok(results[0]!.rows.length > 2000)
  assert.ok(results[0]!.malformed! > 0)
  assert.deepEqual(results[1], results[0])
})
