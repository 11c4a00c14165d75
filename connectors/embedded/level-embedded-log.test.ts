import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Level } from 'level'
import type { Row } from '../../runtime/types.ts'
import { LevelEmbeddedLog, type LogDb } from './level-embedded-log.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function openDb(location?: string): Promise<{ db: LogDb; location: string }> {
  const loc = location ?? (await mkdtemp(join(tmpdir(), 'weir-log-')))
  if (!location) dirs.push(loc)
  const db = new Level<Buffer, string>(loc, { keyEncoding: 'buffer', valueEncoding: 'utf8' })
  await db.open()
  return { db, location: loc }
}

const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => [from + i, `r${from + i}`])

test('appends durably, replays any range, and survives reopening', async () => {
  const { db, location } = await openDb()
  const prefix = Buffer.from('log:a:')
  const log = await LevelEmbeddedLog.open(db, prefix, { cacheRows: 5000 })
  let notified = 0
  log.subscribe(() => notified++)
  assert.equal(await log.append(rows(0, 3)), 0)
  assert.equal(await log.append(rows(3, 10_000)), 3)
  assert.equal(await log.append(rows(10_003, 7)), 10_003)
  assert.equal(log.length, 10_010)
  assert.equal(notified, 3)
  assert.deepEqual(await log.slice(0, 5), rows(0, 5))
  assert.deepEqual(await log.slice(4090, 4105), rows(4090, 15), 'across chunk boundaries, from disk')
  assert.deepEqual(await log.slice(9990, 10_010), rows(9990, 20), 'from the cache')
  assert.deepEqual(await log.slice(10_005, 20_000), rows(10_005, 5), 'clamped to the length')
  const other = await LevelEmbeddedLog.open(db, Buffer.from('log:b:'))
  assert.equal(other.length, 0, 'logs under other prefixes are separate')
  await db.close()

  const { db: db2 } = await openDb(location)
  const reopened = await LevelEmbeddedLog.open(db2, prefix)
  assert.equal(reopened.length, 10_010)
  assert.deepEqual(await reopened.slice(0, 10_010), rows(0, 10_010))
  assert.equal(await reopened.append(rows(10_010, 1)), 10_010)
  await db2.close()
})

test('concurrent appends get consecutive offsets; a failed append changes nothing', async () => {
  const { db } = await openDb()
  let fail = false
  const log = await LevelEmbeddedLog.open(db, Buffer.from('log:c:'), {
    intercept: async (write) => {
      if (fail) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      await write()
    },
  })
  const starts = await Promise.all([log.append(rows(0, 2)), log.append(rows(2, 3)), log.append(rows(5, 1))])
  assert.deepEqual(starts, [0, 2, 5])
  fail = true
  await assert.rejects(log.append(rows(6, 4)), (e: unknown) => (e as { code?: string }).code === 'STORAGE_WRITE_FAILED')
  assert.equal(log.length, 6)
  fail = false
  assert.equal(await log.append(rows(6, 1)), 6)
  assert.deepEqual(await log.slice(0, 7), rows(0, 7))
  await db.close()
})
