import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Catalog, CatalogRelation } from '../planner/catalog.ts'
import { parseScript } from '../planner/parse/parse.ts'
import { planQuery } from '../planner/plan-query.ts'
import { MemoryCheckpoint } from './checkpoint.ts'
import { WeirError } from './errors.ts'
import type { OperatorNode, QueryGraph } from './graph.ts'
import { incompatibleChanges, reconcilePlan, resumePlan } from './restart-compat.ts'

function catalog(delayMs = 5000): Catalog {
  const clicks: CatalogRelation = {
    name: 'clicks', kind: 'stream', primaryKey: [], watermark: { column: 'ts', delayMs },
    fields: [{ name: 'user_id', type: 'BIGINT' }, { name: 'url', type: 'VARCHAR' }, { name: 'ts', type: 'TIMESTAMP' }],
  }
  const views: CatalogRelation = { ...clicks, name: 'views' }
  return { relation: (n) => (n === 'clicks' ? clicks : n === 'views' ? views : undefined), sink: () => undefined }
}

function plan(sql: string, cat = catalog()): QueryGraph {
  const s = parseScript(sql)[0]!.statement
  if (s.kind !== 'query') throw new Error('expected a query')
  return planQuery(s.select, cat, { emit: s.emit, sessionOutputMode: undefined }).graph
}

const AGG = 'SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL 10 SECONDS) GROUP BY window_start, user_id'
const AGG_FILTERED = 'SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL 10 SECONDS) WHERE url <> \'x\' GROUP BY window_start, user_id'

function statefulIds(g: QueryGraph): number[] {
  const out: number[] = []
  const visit = (n: OperatorNode): void => {
    if ('input' in n) visit(n.input)
    if (n.kind === 'window-aggregate' || n.kind === 'aggregate' || n.kind === 'deduplicate') out.push(n.id)
  }
  visit(g.root)
  return out
}

test('a filter added below an aggregation is allowed and keeps the state id', () => {
  const old = plan(AGG)
  const next = plan(AGG_FILTERED)
  assert.deepEqual(incompatibleChanges(old, next), [])
  const reconciled = reconcilePlan(old, next, 'query q1')
  assert.deepEqual(statefulIds(reconciled), statefulIds(old))
  const ids = new Set<number>()
  const visit = (n: OperatorNode): void => {
    assert.ok(!ids.has(n.id), `duplicate id ${n.id}`)
    ids.add(n.id)
    if ('input' in n) visit(n.input)
  }
  visit(reconciled.root)
})

test('stateless changes with the same output columns are allowed', () => {
  assert.deepEqual(incompatibleChanges(plan('SELECT user_id, url FROM clicks'), plan('SELECT user_id, upper(url) AS url FROM clicks WHERE user_id > 3')), [])
})

test('changed grouping keys, aggregates, sources, watermark or columns are refused, naming the change', () => {
  const old = plan(AGG)
  const cases: [QueryGraph, RegExp][] = [
    [plan('SELECT window_start, url AS user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL 10 SECONDS) GROUP BY window_start, url'), /grouping keys/],
    [plan('SELECT window_start, user_id, SUM(user_id) AS n FROM TUMBLE(clicks, ts, INTERVAL 10 SECONDS) GROUP BY window_start, user_id'), /aggregates/],
    [plan('SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL 20 SECONDS) GROUP BY window_start, user_id'), /window/],
    [plan(AGG.replace('clicks', 'views')), /sources/],
    [plan(AGG, catalog(1000)), /watermark/],
    [plan('SELECT user_id, url FROM clicks'), /stateful operators/],
  ]
  for (const [next, expected] of cases) {
    const err = (() => {
      try {
        reconcilePlan(old, next, 'query q1')
      } catch (e) {
        return e
      }
      return null
    })()
    assert.ok(err instanceof WeirError, `expected a refusal matching ${expected}`)
    assert.equal(err.code, 'INCOMPATIBLE_RESTART')
    assert.match(err.message, expected)
    assert.match(err.message, /new query name/)
  }
  assert.match(incompatibleChanges(plan('SELECT user_id FROM clicks'), plan('SELECT url FROM clicks')).join(), /output columns/)
})

test('resumePlan stores the plan and checks the next start against it', async () => {
  const cp = new MemoryCheckpoint()
  await resumePlan(cp, plan(AGG), 'query q1')
  assert.ok(await cp.readPlan())
  await resumePlan(cp, plan(AGG_FILTERED), 'query q1')
  await assert.rejects(resumePlan(cp, plan('SELECT user_id, url FROM clicks'), 'query q1'), /INCOMPATIBLE|stateful/)
})
