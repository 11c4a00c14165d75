/** WHERE and HAVING: keeps the rows for which the predicate is TRUE. */
import type { FilterNode } from '../graph.ts'
import { compilePredicate, type RowPredicate } from '../expr/compile.ts'
import type { ChangeBatch, Op, Row } from '../types.ts'
import { batchOf } from '../change-batch.ts'
import { Operator } from './operator.ts'

export class Filter extends Operator {
  readonly name = 'Filter'
  private readonly predicate: RowPredicate

  constructor(node: FilterNode) {
    super()
    this.predicate = compilePredicate(node.predicate)
  }

  override process(input: ChangeBatch): ChangeBatch {
    const p = this.predicate
    const rows = input.rows
    if (input.ops === null) {
      const out: Row[] = []
      for (let i = 0; i < rows.length; i++) if (p(rows[i]!)) out.push(rows[i]!)
      return batchOf(out, null, input.snapshot === true)
    }
    // An update whose old row passes and new row fails becomes a delete, and the reverse an insert.
    const ops = input.ops
    const outRows: Row[] = []
    const outOps: Op[] = []
    for (let i = 0; i < rows.length; i++) {
      const op = ops[i]!
      if (op === 'U-' && ops[i + 1] === 'U+') {
        const oldPass = p(rows[i]!)
        const newPass = p(rows[i + 1]!)
        if (oldPass && newPass) outOps.push('U-', 'U+'), outRows.push(rows[i]!, rows[i + 1]!)
        else if (oldPass) outOps.push('-'), outRows.push(rows[i]!)
        else if (newPass) outOps.push('+'), outRows.push(rows[i + 1]!)
        i++
        continue
      }
      if (p(rows[i]!)) {
        outOps.push(op === 'U-' ? '-' : op === 'U+' ? '+' : op)
        outRows.push(rows[i]!)
      }
    }
    return batchOf(outRows, outOps)
  }
}
