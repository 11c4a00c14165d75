/** SELECT list: computes the output columns of every row, keeping the change ops. */
import type { ProjectNode } from '../graph.ts'
import { compileProjection, type RowProjection } from '../expr/compile.ts'
import type { ChangeBatch, Row } from '../types.ts'
import { Operator } from './operator.ts'

export class Project extends Operator {
  readonly name = 'Project'
  private readonly projection: RowProjection
  /**
   * Every input column in its place (a projection that only renames, such as `COUNT(*) AS n`
   * over an aggregate): rows pass through as they are instead of being copied.
   */
  private readonly passThrough: boolean

  constructor(node: ProjectNode) {
    super()
    this.projection = compileProjection(node.exprs)
    this.passThrough = node.exprs.length === node.input.schema.fields.length && node.exprs.every((e, i) => e.kind === 'column' && e.index === i)
  }

  override process(input: ChangeBatch): ChangeBatch {
    if (this.passThrough) return input
    const f = this.projection
    const rows = input.rows
    const out: Row[] = new Array<Row>(rows.length)
    for (let i = 0; i < rows.length; i++) out[i] = f(rows[i]!)
    return input.snapshot ? { rows: out, ops: null, snapshot: true } : { rows: out, ops: input.ops }
  }
}
