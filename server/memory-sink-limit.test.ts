/** A memory sink keeps at most `max_rows` rows for pull queries, and the answer says when rows were left out. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../runtime/clock.ts'
import { Engine } from './engine.ts'

async function pullAfterThreeRows(engine: Engine, sinkOptions: string): Promise<{ rows: readonly unknown[]; note?: string }> {
  await engine.execute(`CREATE STREAM s (id BIGINT); CREATE SINK out WITH (connector = 'memory'${sinkOptions});
    INSERT INTO out SELECT id FROM s; INSERT INTO s VALUES (1), (2), (3)`)
  await engine.runDueBatches()
  const [result] = await engine.execute('SELECT id FROM out ORDER BY id')
  assert.equal(result?.kind, 'rows')
  return result as { rows: readonly unknown[]; note?: string }
}

test('max_rows on the sink bounds what a pull query sees, and says so', async () => {
  const engine = await Engine.open({ clock: new ManualClock(), autoRun: false })
  const r = await pullAfterThreeRows(engine, ", max_rows = 2")
  assert.equal(r.rows.length, 2)
  assert.match(r.note ?? '', /first 2 rows of out .*max_rows/)
  await engine.close()
})

test('without max_rows the server default applies; under it nothing is left out', async () => {
  const small = await Engine.open({ clock: new ManualClock(), autoRun: false, memorySinkMaxRows: 1 })
  const r = await pullAfterThreeRows(small, '')
  assert.equal(r.rows.length, 1)
  assert.ok(r.note !== undefined)
  await small.close()
  const big = await Engine.open({ clock: new ManualClock(), autoRun: false })
  const all = await pullAfterThreeRows(big, '')
  assert.deepEqual(all.rows, [[1], [2], [3]])
  assert.equal(all.note, undefined)
  await big.close()
})
