/** Runs one batch through an operator tree: leaves give their rows, every other node processes its inputs' changes in order and then finishes. */
import { nodeInputs, type OperatorNode } from './graph.ts'
import type { BatchContext, Operator } from './operators/operator.ts'
import { EMPTY_BATCH, type ChangeBatch } from './types.ts'
import { concatBatches } from './change-batch.ts'

export function runTree(
  node: OperatorNode,
  operators: ReadonlyMap<number, Operator>,
  leaf: (node: OperatorNode & { kind: 'source' | 'static-table' }) => ChangeBatch,
  ctx: BatchContext,
): ChangeBatch {
  const op = operators.get(node.id)!
  if (node.kind === 'source' || node.kind === 'static-table') return op.process(leaf(node), 0, ctx)
  let out: ChangeBatch = EMPTY_BATCH
  nodeInputs(node).forEach((child, side) => {
    out = concatBatches(out, op.process(runTree(child, operators, leaf, ctx), side, ctx))
  })
  return concatBatches(out, op.finish(ctx))
}
