/** Maps a stateful graph node to its operator class. */
import type { AggregateNode, DeduplicateNode, OperatorNode, WindowAggregateNode } from '../graph.ts'
import { assertNever } from '../errors.ts'
import { Aggregate } from './aggregate.ts'
import { CumulatingWindowAggregate } from './cumulating-window-aggregate.ts'
import { Deduplicate } from './deduplicate.ts'
import { HoppingWindowAggregate } from './hopping-window-aggregate.ts'
import { SessionWindowAggregate } from './session-window-aggregate.ts'
import type { StatefulOperator } from './stateful-operator.ts'
import { TumblingWindowAggregate } from './tumbling-window-aggregate.ts'

export type StatefulNode = WindowAggregateNode | AggregateNode | DeduplicateNode

export function isStatefulNode(node: OperatorNode): node is StatefulNode {
  return node.kind === 'window-aggregate' || node.kind === 'aggregate' || node.kind === 'deduplicate'
}

export function createStatefulOperator(node: StatefulNode): StatefulOperator {
  switch (node.kind) {
    case 'window-aggregate':
      switch (node.window.kind) {
        case 'tumbling':
          return new TumblingWindowAggregate(node)
        case 'hopping':
          return new HoppingWindowAggregate(node)
        case 'cumulating':
          return new CumulatingWindowAggregate(node)
        case 'session':
          return new SessionWindowAggregate(node)
        default:
          return assertNever(node.window, 'window kind')
      }
    case 'aggregate':
      return new Aggregate(node)
    case 'deduplicate':
      return new Deduplicate(node)
    default:
      return assertNever(node, 'stateful node')
  }
}
