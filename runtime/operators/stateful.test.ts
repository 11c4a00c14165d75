import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createStatefulOperator } from './stateful.ts'
import { agg, aggregateNode, col, cumulating, deduplicateNode, hopping, session, tumbling, windowNode } from './test-nodes.ts'

test('maps each stateful node to its operator class', () => {
  const names = [
    windowNode(tumbling(10), [col(0)], [agg('count_star')], 'append'),
    windowNode(hopping(10, 5), [col(0)], [agg('count_star')], 'append'),
    windowNode(cumulating(10, 5), [col(0)], [agg('count_star')], 'append'),
    windowNode(session(10), [col(0)], [agg('count_star')], 'append'),
    aggregateNode([col(0)], [agg('count_star')], 'update'),
    deduplicateNode(null),
  ].map((n) => createStatefulOperator(n).name)
  assert.deepEqual(names, ['TumblingWindowAggregate', 'HoppingWindowAggregate', 'CumulatingWindowAggregate', 'SessionWindowAggregate', 'Aggregate', 'Deduplicate'])
})
