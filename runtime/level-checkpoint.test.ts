import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { CommitEntry, OffsetLogEntry } from './checkpoint.ts'
import { checkpointPrefix, LevelCheckpoint } from './level-checkpoint.ts'
import { prefixEnd } from './state/level-key-codec.ts'
import { openLevelDb } from './state/level-state-store.ts'
import type { StateEntry } from './state/state-store.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

const offsets = (batchId: number): OffsetLogEntry => ({ batchId, offsets: { s: { start: batchId, end: batchId + 1 } }, watermark: null, batchTimestamp: 1000 + batchId })
const commit = (batchId: number): CommitEntry => ({ batchId, nextOffsets: { s: batchId + 1 }, batchWatermark: null, sourceWatermarks: { s: null }, nextWatermark: null })

async function scan(cp: LevelCheckpoint, ns: string): Promise<StateEntry[]> {
  const out: StateEntry[] = []
  for await (const e of cp.store.scan(ns)) out.push(e)
  return out
}

test('logs offsets, commits state with the commit record, keeps a bounded history, survives reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-cp-'))
  dirs.push(dir)
  let db = await openLevelDb(dir)
  let cp = new LevelCheckpoint(db, 'q1', { retain: 3 })
  assert.equal(await cp.lastOffsets(), null)
  for (let b = 0; b < 6; b++) {
    await cp.writeOffsets(offsets(b))
    await cp.commit(commit(b), (batch) => batch.put('op-1', ['groups', b], { n: b }))
  }
  await cp.writeOffsets(offsets(6))
  assert.deepEqual(await cp.lastOffsets(), offsets(6))
  assert.deepEqual(await cp.lastCommit(), commit(5))
  const p = checkpointPrefix('q1')
  const keys = await db.keys({ gte: p, lt: prefixEnd(p) }).all()
  assert.equal(keys.length, 3 + 3 + 6, 'three offset entries, three commits, six state entries')
  await db.close()

  db = await openLevelDb(dir)
  cp = new LevelCheckpoint(db, 'q1', { retain: 3 })
  assert.deepEqual(await cp.lastOffsets(), offsets(6), 'the uncommitted batch 6 is what recovery re-runs')
  assert.deepEqual((await scan(cp, 'op-1')).map((e) => e.key), [0, 1, 2, 3, 4, 5].map((b) => ['groups', b]))
  assert.deepEqual(await new LevelCheckpoint(db, 'q2').lastCommit(), null, 'queries are separate')
  await db.close()
})

test('a failed commit write leaves neither state nor commit record behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-cp-'))
  dirs.push(dir)
  const db = await openLevelDb(dir)
  let fail = false
  const cp = new LevelCheckpoint(db, 'q1', {
    intercept: async (_kind, write) => {
      if (fail) throw new Error('ENOSPC: no space left on device')
      await write()
    },
  })
  await cp.writeOffsets(offsets(0))
  await cp.commit(commit(0), (b) => b.put('op-1', ['a'], 1))
  fail = true
  await assert.rejects(cp.commit(commit(1), (b) => {
    b.put('op-1', ['b'], 2)
    b.del('op-1', ['a'])
  }), (e: unknown) => (e as { code?: string }).code === 'STORAGE_WRITE_FAILED')
  assert.deepEqual(await cp.lastCommit(), commit(0))
  assert.deepEqual(await scan(cp, 'op-1'), [{ key: ['a'], value: 1 }])
  await db.close()
})
