/**
 * Instantiates the operator for a graph node. `parent` is the node that consumes its output:
 * a Filter directly under a Project is fused into it (one loop, no intermediate array).
 */
import type { OperatorNode } from '../graph.ts'
import { assertNever } from '../errors.ts'
import { Filter } from './filter.ts'
import { FilterProject, Fused } from './filter-project.ts'
import { Operator } from './operator.ts'
import { Project } from './project.ts'
import { Sort } from './sort.ts'
import { StreamStaticJoin } from './stream-static-join.ts'
import { StreamStreamJoin } from './stream-stream-join.ts'
import { createStatefulOperator } from './stateful.ts'

class SourceScan extends Operator {
  readonly name = 'Source'
}

export function createOperator(node: OperatorNode, parent?: OperatorNode): Operator {
  switch (node.kind) {
    case 'source':
    case 'static-table':
      return new SourceScan()
    case 'filter':
      return parent?.kind === 'project' ? new Fused('Filter (in FilterProject)') : new Filter(node)
    case 'project':
      return node.input.kind === 'filter' ? new FilterProject(node.input, node) : new Project(node)
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
