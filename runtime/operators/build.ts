/** Instantiates the operator for a graph node. */
import type { OperatorNode } from '../graph.ts'
import { assertNever, WeirError } from '../errors.ts'
import { Filter } from './filter.ts'
import { Operator } from './operator.ts'
import { Project } from './project.ts'
import { Sort } from './sort.ts'
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
      throw new WeirError('SQL_UNSUPPORTED', 'joins are not supported yet')
    default:
      return assertNever(node, 'operator node')
  }
}
