import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FilterNode, ProjectNode } from '../graph.ts'
import { createOperator } from './build.ts'
import { Filter } from './filter.ts'
import { FilterProject, Fused } from './filter-project.ts'
import { Project } from './project.ts'
import { formatChangelog, parseChangelog } from './test-changelog.ts'
import { col, source } from './test-nodes.ts'

// WHERE c1 > 5, SELECT c1, c0: rows are (key, value).
const filter: FilterNode = {
  kind: 'filter', id: 1, schema: { fields: [] }, input: source,
  predicate: { kind: 'call', fn: '>', args: [col(1), { kind: 'literal', value: 5, type: 'BIGINT' }], type: 'BOOLEAN' },
}
const project: ProjectNode = { kind: 'project', id: 2, schema: { fields: [] }, input: filter, exprs: [col(1), col(0)] }

test('a Filter under a Project is fused into one operator; the Filter becomes a stand-in', () => {
  assert.ok(createOperator(project) instanceof FilterProject)
  assert.ok(createOperator(filter, project) instanceof Fused)
  assert.ok(createOperator(filter) instanceof Filter)
})

test('fused output equals Filter then Project, for inserts and for updates', () => {
  const fused = new FilterProject(filter, project)
  const separate = (text: string): string => {
    const f = new Filter(filter)
    const p = new Project(project)
    return formatChangelog(p.process(f.process(parseChangelog(text))))
  }
  for (const text of ['+ 1 3\n+ 2 7\n+ 3 9', 'U- 1 3\nU+ 1 8\nU- 2 7\nU+ 2 1\n- 3 9\n+ 4 6']) {
    assert.equal(formatChangelog(fused.process(parseChangelog(text))), separate(text), text)
  }
  assert.equal(formatChangelog(fused.process(parseChangelog('+ 1 3\n+ 2 7'))), formatChangelog(parseChangelog('+ 7 2')))
})

test('a projection that only renames (every input column in its place) passes batches through', () => {
  const input = { ...source, schema: { fields: [{ name: 'k', type: 'BIGINT' as const }, { name: 'v', type: 'BIGINT' as const }] } }
  const rename: ProjectNode = { kind: 'project', id: 1, schema: { fields: [] }, input, exprs: [col(0), col(1)] }
  const batch = parseChangelog('U- 1 3\nU+ 1 8')
  assert.equal(new Project(rename).process(batch), batch)
  const fewer: ProjectNode = { ...rename, exprs: [col(0)] }
  assert.equal(formatChangelog(new Project(fewer).process(batch)), formatChangelog(parseChangelog('U- 1\nU+ 1')))
})
