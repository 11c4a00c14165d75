/**
 * Runs an operator graph once over bounded inputs (pull queries over memory sinks and tables):
 * one batch with no watermark, every stateful operator in complete mode.
 */
import { runTree } from './run-tree.ts'
import { graphNodes, parentsOf } from './micro-batch-executor.ts'
import type { OperatorNode, QueryGraph } from './graph.ts'
import type { BatchContext, Operator } from './operators/operator.ts'
import { MemoryStateStore } from './state/memory-state-store.ts'
import type { Row } from './types.ts'

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
  const result = runTree(graph.root, ops, (leaf) => ({
    rows: tables.get(leaf.kind === 'source' ? leaf.source : leaf.table) ?? [],
    ops: null,
  }), ctx)
  for (const op of ops.values()) op.close()
  return result.rows
}
