import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutputMode } from '../graph.ts'
import { HoppingWindowAggregate } from './hopping-window-aggregate.ts'
import { OperatorHarness } from './test-changelog.ts'
import { agg, col, hopping, windowNode } from './test-nodes.ts'

// Rows: key, ts. Windows of 10 every 5 (panes of 5). Output: start, end, key, count(*).
const hop = (mode: OutputMode, size = 10, slide = 5): Promise<OperatorHarness<HoppingWindowAggregate>> =>
  new OperatorHarness(() => new HoppingWindowAggregate(windowNode(hopping(size, slide), [col(0)], [agg('count_star')], mode))).open()

test('append: a row late for one window and on time for the next is kept, and counted once per late window', async () => {
  const h = await hop('append')
  h.expect(null, '+ a 1 | + a 7', '')
  // [-5, 5) and [0, 10) close at watermark 10 and are emitted from the state before this batch's
  // rows: the 8 is late for [0, 10) but on time for [5, 15).
  h.expect(10, '+ a 8', '+ -5 5 a 1 | + 0 10 a 2')
  assert.equal(h.progress().numRowsDroppedByWatermark, 1, 'the 8 is dropped for [0, 10) only, as Spark counts (row, window) pairs')
  h.expect(15, '', '+ 5 15 a 2')
  h.expect(15, '+ a 9 | + a 14', '')
  assert.equal(h.progress().numRowsDroppedByWatermark, 3, 'the 9 is late for both its windows, the 14 for [5, 15)')
  h.expect(20, '', '+ 10 20 a 1')
})

test('update: every open window of a changed pane; closed windows are left alone', async () => {
  const h = await hop('update')
  h.expect(null, '+ a 1 | + a 7', '+ -5 5 a 1 | + 0 10 a 2 | + 5 15 a 1')
  h.expect(10, '+ a 8', 'U- 5 15 a 1 | U+ 5 15 a 2')
  assert.deepEqual(h.progress(), { numRowsTotal: 1, numRowsUpdated: 1, numRowsRemoved: 1, numRowsDroppedByWatermark: 1 })
  h.expect(10, '+ a 12 | + b 12', 'U- 5 15 a 2 | U+ 5 15 a 3 | + 5 15 b 1 | + 10 20 a 1 | + 10 20 b 1')
})

test('complete: a slide that does not divide the size (panes of gcd 2)', async () => {
  const h = await hop('complete', 10, 4)
  h.expect(null, '+ a 9 | + a 3', 'snapshot | + -4 6 a 1 | + 0 10 a 2 | + 4 14 a 1 | + 8 18 a 1')
  h.expect(100, '+ a 0', 'snapshot | + -8 2 a 1 | + -4 6 a 2 | + 0 10 a 3 | + 4 14 a 1 | + 8 18 a 1')
})

test('panes are evicted once their last window closes; restore gives the same results', async () => {
  const straight = await hop('append')
  const restored = await hop('append')
  const batches: [number | null, string][] = [
    [null, '+ a 1 | + b 6 | + a 11'],
    [5, '+ a 2 | + b 7 | + a 13'],
    [10, '+ a 9 | + b 14'],
    [20, '+ a 21'],
    [30, ''],
  ]
  for (const [wm, input] of batches) {
    const expected = straight.run(wm, input)
    await restored.restart()
    assert.equal(restored.run(wm, input), expected)
    assert.deepEqual(restored.progress(), straight.progress())
  }
  assert.equal(straight.progress().numRowsTotal, 0)
  assert.equal(straight.store.count('op-1'), 1, 'only the meta entry is left')
})

test('state chunks are written column-wise and chunks of the earlier form (a list of groups) are still restored', async () => {
  const h = await hop('append')
  h.expect(null, '+ a 1 | + b 2 | + a 6', '')
  const chunks: unknown[] = []
  for await (const e of h.store.scan('op-1')) if (e.key[0] === 'panes') chunks.push(e.value)
  assert.deepEqual(chunks, [{ n: [0, 1], k: ['a', 'b'], a: [1, 1] }, { n: [2], k: ['a'], a: [1] }])

  // The same state as the earlier form wrote it: one { k, n, a } object per group.
  const old = await hop('append')
  const wb = old.store.newWriteBatch()
  wb.put('op-1', ['meta'], { watermark: null })
  wb.put('op-1', ['panes', 0, 0], [{ k: ['a'], n: 0, a: [1] }, { k: ['b'], n: 1, a: [1] }])
  wb.put('op-1', ['panes', 5, 0], [{ k: ['a'], n: 2, a: [1] }])
  old.store.commit(wb)
  await old.restart()
  for (const x of [h, old]) x.expect(10, '+ c 7', '+ -5 5 a 1 | + -5 5 b 1 | + 0 10 a 2 | + 0 10 b 1')
  assert.deepEqual(old.progress(), h.progress())
  for (const x of [h, old]) x.expect(15, '', '+ 5 15 a 1 | + 5 15 c 1')
})

test('memoryUsedBytes counts a key once across the panes holding it, and the characters of its strings', async () => {
  const n = 1000
  const bytes = async (keyOf: (i: number) => string, times: readonly number[]): Promise<number> => {
    const h = await hop('complete')
    h.run(null, times.flatMap((t) => Array.from({ length: n }, (_, i) => `+ ${keyOf(i)} ${t}`)).join(' | '))
    return h.op.stateProgress().memoryUsedBytes
  }
  const short = (i: number): string => `k${String(i).padStart(4, '0')}`
  const long = (i: number): string => short(i).padEnd(105, 'x')
  const onePane = await bytes(short, [1])
  const twoPanes = await bytes(short, [1, 6])
  const perGroup = (twoPanes - onePane) / n
  assert.ok(perGroup > 50 && perGroup < 0.6 * (onePane / n), `a group of a key already held costs well under a new one (${perGroup} bytes)`)
  const perChar = ((await bytes(long, [1])) - onePane) / n / 100
  assert.ok(perChar > 0.9 && perChar < 1.2, `${perChar} bytes per Latin-1 character`)
})
