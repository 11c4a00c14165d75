/**
 * ORDER BY / LIMIT over a complete-mode snapshot (or a bounded input, for pull queries). Changes
 * that are not a snapshot pass through unsorted: sorting an unbounded stream has no meaning.
 */
import type { SortNode } from '../graph.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import type { ChangeBatch, Row, Value } from '../types.ts'
import { compareStrings } from '../state/key-order.ts'
import { Operator } from './operator.ts'

export class Sort extends Operator {
  readonly name = 'Sort'
  private readonly keys: { fn: RowFn; desc: boolean; nullsFirst: boolean }[]
  private readonly limit: number | null

  constructor(node: SortNode) {
    super()
    this.keys = node.keys.map((k) => ({ fn: compileExpr(k.expr), desc: k.descending, nullsFirst: k.nullsFirst }))
    this.limit = node.limit
  }

  override process(input: ChangeBatch): ChangeBatch {
    if (!input.snapshot && input.ops !== null) return input
    const rows = sortRows(input.rows, this.keys)
    const limited = this.limit === null ? rows : rows.slice(0, this.limit)
    return input.snapshot ? { rows: limited, ops: null, snapshot: true } : { rows: limited, ops: null }
  }
}

export function sortRows(rows: readonly Row[], keys: readonly { fn: RowFn; desc: boolean; nullsFirst: boolean }[]): Row[] {
  const decorated = rows.map((row, i) => ({ row, i, k: keys.map((key) => key.fn(row)) }))
  decorated.sort((a, b) => {
    for (let j = 0; j < keys.length; j++) {
      const x = a.k[j]!
      const y = b.k[j]!
      if (x === null || y === null) {
        if (x === y) continue
        return (x === null) === keys[j]!.nullsFirst ? -1 : 1
      }
      const c = compareValues(x, y)
      if (c !== 0) return keys[j]!.desc ? -c : c
    }
    return a.i - b.i
  })
  return decorated.map((d) => d.row)
}

/**
 * Order of two non-null values of one type. Strings compare by code point (Spark's UTF-8 byte
 * order, not JavaScript's `<` on UTF-16 code units), like MIN/MAX and `<` on VARCHAR; JSON
 * values by their text, compared the same way.
 */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b)
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  return compareStrings(JSON.stringify(a), JSON.stringify(b))
}
