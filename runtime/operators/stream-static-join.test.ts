import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Expr, JoinNode, OperatorNode } from '../graph.ts'
import type { Row } from '../types.ts'
import type { BatchContext } from './operator.ts'
import { StreamStaticJoin } from './stream-static-join.ts'
import { col } from './test-nodes.ts'

// A stream (k, v) and a table (id, name): two columns each.
const stream: OperatorNode = {
  kind: 'source', id: 1, source: 's', watermark: null,
  schema: { fields: [{ name: 'k', type: 'BIGINT' }, { name: 'v', type: 'VARCHAR' }] },
}
const table: OperatorNode = {
  kind: 'static-table', id: 2, table: 't',
  schema: { fields: [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }] },
}
const ctx: BatchContext = { batchId: 0, watermark: null, batchTimestamp: 0 }
const mod10 = (e: Expr): Expr => ({ kind: 'call', fn: '%', type: 'BIGINT', args: [e, { kind: 'literal', type: 'BIGINT', value: 10 }] })

/** `stream JOIN table` (or `table JOIN stream`), ON stream key = table key [AND condition]. */
function join(over: Partial<JoinNode> & { staticLeft?: boolean }): JoinNode {
  const { staticLeft = false, ...rest } = over
  return {
    kind: 'join', id: 3, schema: { fields: [] }, joinType: 'inner',
    inputs: staticLeft ? 'static-stream' : 'stream-static',
    left: staticLeft ? table : stream, right: staticLeft ? stream : table,
    leftKeys: [col(0)], rightKeys: [col(0)], condition: null,
    leftFilter: null, rightFilter: null, leftTime: null, rightTime: null, ...rest,
  }
}

/** One batch: the table's rows, then the stream's; the output rows as text. */
function run(op: StreamStaticJoin, staticSide: 0 | 1, tableRows: Row[], streamRows: Row[]): string[] {
  op.process({ rows: tableRows, ops: null, snapshot: true }, staticSide, ctx)
  op.process({ rows: streamRows, ops: null }, 1 - staticSide, ctx)
  return op.finish(ctx).rows.map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join(' '))
}

const unique: Row[] = [[1, 'one'], [2, 'two'], [null, 'none']]
const duplicated: Row[] = [[1, 'one'], [2, 'two'], [1, 'uno'], [null, 'none']]

test('unique table keys: one row per match; NULL keys match nothing; LEFT OUTER pads', () => {
  const rows: Row[] = [[1, 'a'], [3, 'b'], [null, 'c'], [2, 'd']]
  assert.deepEqual(run(new StreamStaticJoin(join({})), 1, unique, rows), ['1 a 1 one', '2 d 2 two'])
  assert.deepEqual(run(new StreamStaticJoin(join({ joinType: 'left', output: [1, 3] })), 1, unique, rows),
    ['a one', 'b NULL', 'c NULL', 'd two'])
})

test('duplicate table keys: every match in table order, a condition over both rows', () => {
  const rows: Row[] = [[1, 'a'], [2, 'b'], [5, 'c']]
  assert.deepEqual(run(new StreamStaticJoin(join({})), 1, duplicated, rows), ['1 a 1 one', '1 a 1 uno', '2 b 2 two'])
  // name <> 'one': the first of the two matches fails the condition, the second passes.
  const condition: Expr = { kind: 'call', fn: '<>', type: 'BOOLEAN', args: [col(3, 'VARCHAR'), { kind: 'literal', type: 'VARCHAR', value: 'one' }] }
  assert.deepEqual(run(new StreamStaticJoin(join({ joinType: 'left', condition })), 1, duplicated, rows),
    ['1 a 1 uno', '2 b 2 two', '5 c NULL NULL'])
})

test('static-stream: columns in FROM order, with and without a fused projection and a condition', () => {
  const rows: Row[] = [[1, 'a'], [7, 'b']]
  assert.deepEqual(run(new StreamStaticJoin(join({ staticLeft: true })), 0, duplicated, rows), ['1 one 1 a', '1 uno 1 a'])
  const condition: Expr = { kind: 'call', fn: '=', type: 'BOOLEAN', args: [col(1, 'VARCHAR'), { kind: 'literal', type: 'VARCHAR', value: 'uno' }] }
  assert.deepEqual(run(new StreamStaticJoin(join({ staticLeft: true, joinType: 'right', condition, output: [3, 1] })), 0, duplicated, rows),
    ['a uno', 'b NULL'])
})

test('a computed stream key, and a new table version re-indexed', () => {
  const op = new StreamStaticJoin(join({ leftKeys: [mod10(col(0))], output: [0, 3] }))
  assert.deepEqual(run(op, 1, unique, [[11, 'a'], [22, 'b'], [null, 'c']]), ['11 one', '22 two'])
  assert.deepEqual(run(op, 1, [[1, 'ONE'], [1, 'UNO']], [[11, 'a'], [22, 'b']]), ['11 ONE', '11 UNO'])
})
