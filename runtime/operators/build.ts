/** Instantiates the operator for a graph node. */
import type { OperatorNode } from '../graph.ts'
import { assertNever } from '../errors.ts'
import { Filter } from './filter.ts'
import { Operator } from './operator.ts'
import { Project } from './project.ts'
import { Sort } from './sort.ts'
import { StreamStaticJoin } from './stream-static-join.ts'
import { StreamStreamJoin } from './stream-stream-join.ts'
import { createStatefulOperator } from './stateful.ts'

class SourceScan extends Operator {
  readonly name = 'Source'
}

export function createOperator(node: OperatorNode): Operator {
  switch (node.kind) {
    case 'source':
    case 'static-table':
      return new SourceScan()
    case 'filter':
      return new Filter(node)
    case 'project':
      return new Project(node)
    case 'sort':
      return new Sort(node)
    case 'window-aggregate':
    case 'aggregate':
    case 'deduplicate':
      return createStatefulOperator(node)
    case 'join':
      return node.inputs === 'stream-stream' ? new StreamStreamJoin(node) : new StreamStaticJoin(node)
    default:
      return assertNever(node, 'operator node')
  }
}
