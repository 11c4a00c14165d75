import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../../runtime/clock.ts'
import { Engine } from '../../server/engine.ts'
import { RateSource } from './rate-source.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

test('rows follow the clock and any range is generated again identically', async () => {
  const clock = new ManualClock(T0)
  const fields = [{ name: 'timestamp', type: 'TIMESTAMP' as const }, { name: 'value', type: 'BIGINT' as const }]
  const source = new RateSource({ stream: 'r', fields, rowsPerSecond: 4, numPartitions: 1, startAtLatest: false }, clock)
  const start = await source.initialOffset()
  assert.deepEqual(start, { rows: 0, start: T0 })
  assert.deepEqual(await source.endOffset(start, { maxRows: null }), start, 'nothing yet at the start instant')
  clock.advance(1000)
  const end = await source.endOffset(start, { maxRows: null })
  assert.deepEqual(end, { rows: 4, start: T0 })
  const rows = await source.read(start, end)
  assert.deepEqual(rows, [[T0, 0], [T0 + 250, 1], [T0 + 500, 2], [T0 + 750, 3]])
  assert.deepEqual(await source.endOffset(end, { maxRows: 1 }), { rows: 4, start: T0 })
  clock.advance(500)
  assert.deepEqual(await source.endOffset(end, { maxRows: 1 }), { rows: 5, start: T0 })

  // Another source (a restarted server, a later time) regenerates the same rows from the offsets.
  const later = new RateSource({ stream: 'r', fields: [fields[1]!], rowsPerSecond: 4, numPartitions: 2, startAtLatest: false }, new ManualClock(T0 + 99_000))
  assert.deepEqual(await later.read(start, end), [[0], [2], [1], [3]], 'partition by partition')
  assert.equal(later.distance(start, end), 4)
})

test('through the engine: batches driven by a manual clock, same rows after a restart', async () => {
  const clock = new ManualClock(T0)
  const { MemoryDurableState } = await import('../../server/durable-state.ts')
  const durable = new MemoryDurableState()
  let engine = await Engine.open({ clock, durable, autoRun: false })
  await engine.execute(`CREATE STREAM r (value BIGINT, timestamp TIMESTAMP) WITH (connector = 'rate', rows_per_second = '10');
    CREATE SINK out WITH (connector = 'memory');
    INSERT INTO out SELECT value, timestamp FROM r`)
  await assert.rejects(engine.execute(`CREATE STREAM bad (v BIGINT) WITH (connector = 'rate')`), /INVALID_OPTION|timestamp TIMESTAMP and value BIGINT/)
  clock.advance(300)
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('out').map((r) => r.row), [[0, T0], [1, T0 + 100], [2, T0 + 200]])
  await engine.close()
  clock.advance(200)
  engine = await Engine.open({ clock, durable, autoRun: false })
  await engine.runDueBatches()
  assert.deepEqual(engine.sinkOutput('out').map((r) => r.row[0]), [0, 1, 2, 3, 4])
  assert.deepEqual(engine.sinkOutput('out').at(-1)!.row, [4, T0 + 400])
  await engine.close()
})
