import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ManualClock } from '../runtime/clock.ts'
import { checkpointPrefix, type WriteInterceptor } from '../runtime/level-checkpoint.ts'
import { encodeKey } from '../runtime/state/level-key-codec.ts'
import { readFileSink } from '../connectors/file/file-sink.ts'
import { Engine } from './engine.ts'
import { LevelDurableState } from './level-durable-state.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})
async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'weir-durable-'))
  dirs.push(d)
  return d
}

const clock = new ManualClock()
const open = (dir: string, intercept?: WriteInterceptor): Promise<Engine> =>
  intercept
    ? LevelDurableState.open(dir, { intercept }).then((durable) => Engine.open({ clock, autoRun: false, durable }))
    : Engine.open({ clock, autoRun: false, dataDir: dir })

const SETUP = `
  CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
  CREATE SINK counts WITH (connector = 'memory');
  CREATE SINK files WITH (connector = 'file', path = 'out', format = 'json');
  SET query_name = 'per_user';
  INSERT INTO counts SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id EMIT UPDATE;
  SET query_name = 'copy';
  INSERT INTO files SELECT user_id, url FROM clicks WHERE url <> 'skip';
`
const insert = (rows: [number, string, number][]): string =>
  `INSERT INTO clicks VALUES ${rows.map(([u, url, s]) => `(${u}, '${url}', TIMESTAMP '2026-01-01T00:00:${String(s).padStart(2, '0')}Z')`).join(', ')}`

test('catalog, stream logs, state, memory sinks and file sinks survive a restart, exactly once', async () => {
  const dir = await dataDir()
  let engine = await open(dir)
  await engine.execute(SETUP)
  await engine.execute(insert([[1, 'a', 1], [2, 'skip', 2], [1, 'b', 3]]))
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('counts').map((r) => [r.op, r.row]), [['+', [1, 2]], ['+', [2, 1]]])
  await engine.close()

  engine = await open(dir)
  assert.deepEqual(engine.listQueries().map((q) => [q.name, q.status]).sort(), [['copy', 'running'], ['per_user', 'running']])
  assert.equal(engine.sinkOutput('counts').length, 2, 'memory sink data was kept')
  await engine.execute(insert([[1, 'c', 4]]))
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('counts').slice(2).map((r) => [r.op, r.row]), [['U-', [1, 2]], ['U+', [1, 3]]], 'state was restored')
  const op = engine.listQueries().find((q) => q.name === 'per_user')!.lastProgress!.stateOperators[0]!
  assert.equal(op.numRowsTotal, 2)
  assert.ok(typeof op.diskUsedBytes === 'number' && op.diskUsedBytes >= 0, 'state on disk is reported (LevelDB size estimate)')
  await engine.close()

  const files = await readFileSink(join(dir, 'out'))
  assert.deepEqual(files.flatMap((b) => b.rows), [{ user_id: 1, url: 'a' }, { user_id: 1, url: 'b' }, { user_id: 1, url: 'c' }])
})

test('a query started under a stopped query\'s name resumes it, and refuses an incompatible plan', async () => {
  const dir = await dataDir()
  const engine = await open(dir)
  await engine.execute(SETUP)
  await engine.execute(insert([[1, 'a', 1]]))
  await engine.runDueBatches()
  await engine.stopQuery('per_user')
  await assert.rejects(
    engine.execute(`SET query_name = 'per_user'; INSERT INTO counts SELECT url AS user_id, COUNT(*) AS n FROM clicks GROUP BY url EMIT UPDATE`),
    (e: unknown) => (e as { code?: string }).code === 'INCOMPATIBLE_RESTART' && /grouping keys/.test(String(e)),
  )
  await engine.execute(`SET query_name = 'per_user'; INSERT INTO counts SELECT user_id, COUNT(*) AS n FROM clicks WHERE url <> 'z' GROUP BY user_id EMIT UPDATE`)
  await engine.execute(insert([[1, 'b', 2]]))
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('counts').map((r) => [r.op, r.row]), [['+', [1, 1]], ['U-', [1, 1]], ['U+', [1, 2]]])
  await engine.close()
})

test('a failing commit write (full disk) stops the query with a code; the checkpoint recovers exactly', async () => {
  const dir = await dataDir()
  let fail = false
  const engine = await open(dir, async (kind, write) => {
    if (fail && kind === 'commit') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    await write()
  })
  await engine.execute(SETUP)
  await engine.execute(insert([[1, 'a', 1]]))
  await engine.runDueBatches()
  fail = true
  await engine.execute(insert([[2, 'b', 2]]))
  await engine.runDueBatches()
  const failed = engine.listQueries().filter((q) => q.status === 'failed')
  assert.deepEqual(failed.map((q) => q.error?.code), ['STORAGE_WRITE_FAILED', 'STORAGE_WRITE_FAILED'])
  assert.match(failed[0]!.error!.message, /ENOSPC/)
  await engine.close()
  await (engine.durable as LevelDurableState).close()

  // Once storage is writable the query is restarted (here: marked running again) and the batch re-runs.
  const durable = await LevelDurableState.open(dir)
  for (const q of durable.queries.values()) await durable.putQuery({ ...q, status: 'running', error: null })
  const again = await Engine.open({ clock, autoRun: false, durable })
  await again.runDueBatches()
  assert.deepEqual(again.sinkOutput('counts').map((r) => [r.op, r.row]), [['+', [1, 1]], ['+', [2, 1]]])
  assert.deepEqual((await readFileSink(join(dir, 'out'))).flatMap((b) => b.rows), [{ user_id: 1, url: 'a' }, { user_id: 2, url: 'b' }])
  await again.close()
  await durable.close()
})

test('a damaged last offset-log entry fails the query with CHECKPOINT_CORRUPT instead of guessing', async () => {
  const dir = await dataDir()
  let engine = await open(dir)
  await engine.execute(SETUP)
  await engine.execute(insert([[1, 'a', 1]]))
  await engine.runDueBatches()
  const id = engine.listQueries().find((q) => q.name === 'per_user')!.id
  await engine.close()
  const durable = await LevelDurableState.open(dir)
  await durable.db.put(encodeKey(['offsets', 1], checkpointPrefix(id)), '{"batchId":1,"offsets":{"clicks":{"sta')
  await durable.close()
  engine = await open(dir)
  const q = engine.listQueries().find((x) => x.name === 'per_user')!
  assert.equal(q.status, 'failed')
  assert.equal(q.error?.code, 'CHECKPOINT_CORRUPT')
  assert.equal(engine.listQueries().find((x) => x.name === 'copy')!.status, 'running', 'other queries are unaffected')
  await engine.close()
})
