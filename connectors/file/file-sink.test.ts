import assert from 'node:assert/strict'
import { appendFile, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { SinkBatchInfo } from '../../runtime/sink.ts'
import type { Field } from '../../runtime/types.ts'
import { FileSink, readFileSink } from './file-sink.ts'
import { METADATA_DIR } from './file-sink-log.ts'
import { fileRoots, fileSinkOptions } from './file-sink-options.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weir-file-'))
  dirs.push(d)
  return d
}

const fields: Field[] = [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }, { name: 'ts', type: 'TIMESTAMP' }]
const info = (queryId = 'q1'): SinkBatchInfo => ({ queryId, schema: { fields }, outputMode: 'append', watermark: null })

test('writes each batch once, as JSON lines, and ignores a re-run batch', async () => {
  const dir = join(await tempDir(), 'out')
  const sink = await FileSink.open('s', dir, 'json')
  await sink.write(0, { rows: [[1, 'a', 0], [2, null, 1000]], ops: null }, info())
  await sink.write(1, { rows: [], ops: null }, info())
  await sink.write(0, { rows: [[1, 'a', 0], [2, null, 1000]], ops: null }, info())
  await sink.write(2, { rows: [[3, 'c', 2000]], ops: null }, info())
  await sink.close()
  const batches = await readFileSink(dir)
  assert.deepEqual(batches.map((b) => b.batchId), [0, 2])
  assert.deepEqual(batches[0]!.rows, [{ id: 1, name: 'a', ts: '1970-01-01T00:00:00.000Z' }, { id: 2, name: null, ts: '1970-01-01T00:00:01.000Z' }])
  assert.equal((await readdir(dir)).filter((f) => f.startsWith('part-')).length, 2)

  const reopened = await FileSink.open('s', dir, 'json')
  await reopened.write(2, { rows: [[3, 'c', 2000]], ops: null }, info())
  await assert.rejects(reopened.write(2, { rows: [[4, 'd', 2000]], ops: null }, info()), /SINK_BATCH_MISMATCH|different content/)
  await reopened.write(0, { rows: [[9, 'other query', 0]], ops: null }, info('q2'))
  await reopened.close()
  assert.equal((await readFileSink(dir)).length, 3, 'batch ids are per query')
})

test('cuts off a partial last log line; the batch is written again', async () => {
  const dir = await tempDir()
  const sink = await FileSink.open('s', dir, 'csv')
  await sink.write(0, { rows: [[1, 'x, "y"', 0]], ops: null }, info())
  await sink.close()
  await appendFile(join(dir, METADATA_DIR, 'log.jsonl'), '{"queryId":"q1","batchId":1,"fi')
  await writeFile(join(dir, '.part-q1-00000001.csv.tmp'), 'partial')
  const again = await FileSink.open('s', dir, 'csv')
  await again.write(1, { rows: [[2, '', null]], ops: null }, info())
  await again.close()
  const batches = await readFileSink(dir)
  assert.deepEqual(batches.map((b) => [b.batchId, b.rows]), [[0, ['1,"x, ""y""",1970-01-01T00:00:00.000Z']], [1, ['2,"",']]])
  assert.ok(!(await readdir(dir)).some((f) => f.endsWith('.tmp')))
  assert.ok((await readFile(join(dir, METADATA_DIR, 'log.jsonl'), 'utf8')).endsWith('\n'))
})

test('refuses update output', async () => {
  const sink = await FileSink.open('s', await tempDir(), 'json')
  await assert.rejects(sink.write(0, { rows: [[1, 'a', 0]], ops: ['U+'] }, { ...info(), outputMode: 'update' }), /append output mode only/)
  await sink.close()
})

test('paths must resolve inside the allowed roots', async () => {
  const root = await tempDir()
  const outside = await tempDir()
  await symlink(outside, join(root, 'escape'))
  const roots = fileRoots(root, {})
  assert.equal(fileSinkOptions({ path: 'out/a' }, roots).path, join(root, 'out/a'))
  assert.equal(fileSinkOptions({ path: join(root, 'b'), format: 'CSV' }, roots).format, 'csv')
  for (const path of ['../x', outside, 'escape/y', '/etc']) {
    assert.throws(() => fileSinkOptions({ path }, roots), (e: unknown) => (e as { code?: string }).code === 'INVALID_OPTION', path)
  }
  assert.throws(() => fileSinkOptions({ path: 'a', format: 'xml' }, roots), /format/)
  assert.throws(() => fileSinkOptions({ path: 'a' }, []), /disabled/)
  assert.deepEqual(fileRoots(null, { WEIR_FILE_ROOTS: `${root}:${outside}` }), [root, outside])
})
