import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkFile } from './check-imports.ts'

test('planner may not import runtime operators', () => {
  const v = checkFile('planner/x.ts', "import { Filter } from '../runtime/operators/filter.ts'\n")
  assert.equal(v.length, 1)
  assert.match(v[0]!.reason, /planner\/ may import only/)
})

test('planner may import graph types and errors', () => {
  assert.deepEqual(checkFile('planner/x.ts', "import type { Expr } from '../runtime/graph.ts'\nimport { sqlError } from '../runtime/errors.ts'\n"), [])
})

test('runtime may not import the planner or the server', () => {
  assert.equal(checkFile('runtime/x.ts', "import { planQuery } from '../planner/plan-query.ts'\n").length, 1)
  assert.equal(checkFile('runtime/operators/x.ts', "export { Engine } from '../../server/engine.ts'\n").length, 1)
})

test('only the parse layer file imports node-sql-parser', () => {
  assert.equal(checkFile('planner/bind-expr.ts', "import pkg from 'node-sql-parser'\n").length, 1)
  assert.deepEqual(checkFile('planner/parse/sql-parser.ts', "import pkg from 'node-sql-parser'\n"), [])
})

test('server may import everything below it', () => {
  assert.deepEqual(checkFile('server/x.ts', "import { a } from '../planner/a.ts'\nimport { b } from '../runtime/b.ts'\nimport { c } from '../connectors/c/c.ts'\n"), [])
})
