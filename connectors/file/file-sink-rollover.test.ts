/** Rollover in the file sink: parts span batches, and every crash point keeps exactly-once. */
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ManualClock } from '../../runtime/clock.ts'
import type { SinkBatchInfo } from '../../runtime/sink.ts'
import type { Field, Row } from '../../runtime/types.ts'
import { FileSink, readFileSink, type FileSinkSettings } from './file-sink.ts'
import { METADATA_DIR } from './file-sink-log.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weir-rollover-'))
  dirs.push(d)
  return d
}

const fields: Field[] = [{ name: 'id', type: 'BIGINT' }]
const info = (queryId = 'q1'): SinkBatchInfo => ({ queryId, schema: { fields }, outputMode: 'append', watermark: null })
const batch = (...ids: number[]): { rows: Row[]; ops: null } => ({ rows: ids.map((i) => [i]), ops: null })
const visible = async (dir: string): Promise<unknown[]> => (await readFileSink(dir)).flatMap((p) => p.rows).map((r) => (r as { id: number }).id)
const open = (dir: string, s: FileSinkSettings = {}): Promise<FileSink> => FileSink.open('s', dir, 'json', { queryId: 'q1', ...s })

test('batches accumulate in one part until rollover_rows; re-offered batches are recognised', async () => {
  const dir = await tempDir()
  const sink = await open(dir, { rolloverRows: 3 })
  await sink.write(0, batch(1, 2), info())
  assert.deepEqual(await visible(dir), [], 'staged rows are not visible')
  await sink.write(0, batch(1, 2), info())
  await sink.write(1, batch(3), info())
  assert.deepEqual(await visible(dir), [1, 2, 3])
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('part-')), ['part-q1-00000000-00000001.jsonl'])
  await sink.write(1, batch(3), info())
  await assert.rejects(sink.write(1, batch(4), info()), /SINK_BATCH_MISMATCH|different content/)
  await sink.write(2, batch(4), info())
  await sink.close()
  assert.deepEqual(await visible(dir), [1, 2, 3, 4], 'close finishes the open part')
})

test('a crash after staging: the restarted sink keeps the part open and ignores the re-run batch', async () => {
  const dir = await tempDir()
  const crashed = await open(dir, { rolloverRows: 4 })
  await crashed.write(0, batch(1), info())
  await crashed.write(1, batch(2), info())
  // "Crash": the old instance is abandoned without close; a partial staging line was being appended.
  await appendFile(join(dir, METADATA_DIR, 'staging-q1.jsonl'), '{"batchId":2,"at":0,"sha')
  const sink = await open(dir, { rolloverRows: 4 })
  assert.deepEqual(await visible(dir), [])
  await sink.write(1, batch(2), info())
  await sink.write(2, batch(3), info())
  await sink.write(3, batch(4), info())
  assert.deepEqual(await visible(dir), [1, 2, 3, 4])
  await sink.close()
  // The abandoned instance is never closed: closing would finish its stale open part.
  void crashed
})

test('a part renamed but never logged is removed on open and written again', async () => {
  const dir = await tempDir()
  const sink = await open(dir, { rolloverRows: 10 })
  await sink.write(0, batch(1), info())
  await writeFile(join(dir, 'part-q1-00000000.jsonl'), '{"id":1}\n')
  const again = await open(dir, { rolloverRows: 10 })
  assert.ok(!(await readdir(dir)).includes('part-q1-00000000.jsonl'))
  await again.write(1, batch(2), info())
  await again.close()
  assert.deepEqual(await visible(dir), [1, 2])
  void sink
})

test('rollover_interval finishes a part once its first batch is old enough; other queries\' parts are finished on open', async () => {
  const dir = await tempDir()
  const clock = new ManualClock()
  const sink = await open(dir, { rolloverIntervalMs: 60_000, clock })
  await sink.write(0, batch(1), info())
  clock.advance(30_000)
  await sink.write(1, batch(2), info())
  assert.deepEqual(await visible(dir), [])
  clock.advance(30_000)
  await sink.write(2, batch(), info())
  assert.deepEqual(await visible(dir), [1, 2])
  await sink.write(3, batch(3), info())
  // Another query opens the directory: q1's open part is made visible.
  const other = await FileSink.open('s', dir, 'json', { queryId: 'q2', rolloverIntervalMs: 60_000, clock })
  assert.deepEqual(await visible(dir), [1, 2, 3])
  await other.close()
  void sink
})
