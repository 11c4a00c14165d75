/**
 * A Filter and the Project above it, run as one loop: each input row is tested and, when it
 * passes, projected — no intermediate array and one pass over the batch instead of two. Updating
 * input (with ops) keeps the exact semantics of Filter then Project, so it is delegated to them.
 */
import type { FilterNode, ProjectNode } from '../graph.ts'
import { compilePredicate, compileProjection, type RowPredicate, type RowProjection } from '../expr/compile.ts'
import type { ChangeBatch, Row } from '../types.ts'
import { Filter } from './filter.ts'
import { Operator } from './operator.ts'
import { Project } from './project.ts'

export class FilterProject extends Operator {
  readonly name = 'FilterProject'
  private readonly predicate: RowPredicate
  private readonly projection: RowProjection
  private readonly filter: Filter
  private readonly project: Project

  constructor(filter: FilterNode, project: ProjectNode) {
    super()
    this.predicate = compilePredicate(filter.predicate)
    this.projection = compileProjection(project.exprs)
    this.filter = new Filter(filter)
    this.project = new Project(project)
  }

  override process(input: ChangeBatch): ChangeBatch {
    if (input.ops !== null) return this.project.process(this.filter.process(input))
    const p = this.predicate
    const f = this.projection
    const rows = input.rows
    const out: Row[] = []
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      if (p(row)) out.push(f(row))
    }
    return input.snapshot ? { rows: out, ops: null, snapshot: true } : { rows: out, ops: null }
  }
}

/** Stands in for an operator whose work another one does (a Filter fused into its Project). */
export class Fused extends Operator {
  constructor(readonly name: string) {
    super()
  }
}
