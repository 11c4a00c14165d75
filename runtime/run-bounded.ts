/**
 * Runs an operator graph once over bounded inputs (pull queries over memory sinks and tables):
 * one batch with no watermark, every stateful operator in complete mode.
 */
import { graphNodes, parentsOf } from './micro-batch-executor.ts'
import { nodeInputs, type OperatorNode, type QueryGraph } from './graph.ts'
import type { BatchContext, Operator } from './operators/operator.ts'
import { MemoryStateStore } from './state/memory-state-store.ts'
import { EMPTY_BATCH, type ChangeBatch, type Row } from './types.ts'
import { concatBatches } from './change-batch.ts'

export async function runBounded(
  graph: QueryGraph,
  tables: ReadonlyMap<string, Row[]>,
  createOperator: (node: OperatorNode, parent?: OperatorNode) => Operator,
  now: number,
): Promise<Row[]> {
  const store = new MemoryStateStore()
  const ops = new Map<number, Operator>()
  const parents = parentsOf(graph.root)
  for (const node of graphNodes(graph.root)) {
    const op = createOperator(node, parents.get(node))
    await op.open({ store, namespace: `op-${node.id}` })
    ops.set(node.id, op)
  }
  const ctx: BatchContext = { batchId: 0, watermark: null, batchTimestamp: now }
  const run = (node: OperatorNode): ChangeBatch => {
    const op = ops.get(node.id)!
    if (node.kind === 'static-table') return op.process({ rows: tables.get(node.table) ?? [], ops: null }, 0, ctx)
    if (node.kind === 'source') return op.process({ rows: tables.get(node.source) ?? [], ops: null }, 0, ctx)
    let out: ChangeBatch = EMPTY_BATCH
    nodeInputs(node).forEach((child, side) => {
      out = concatBatches(out, op.process(run(child), side, ctx))
    })
    return concatBatches(out, op.finish(ctx))
  }
  const result = run(graph.root)
  for (const op of ops.values()) op.close()
  return result.rows
}
