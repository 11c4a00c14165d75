/**
 * Join keys: the hash-map key of a row for an equi-join, and the row shapes both join operators
 * build. A key with a NULL never matches (SQL `=`), so its lookup key is `undefined`.
 *
 * A single plain non-JSON column is read directly (no closure call, no string built); several
 * keys are joined into their JSON text. Both inputs' key expressions are bound to the same types
 * by the planner, so equal values give equal lookup keys.
 */
import type { Expr } from '../graph.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import type { Row, Value } from '../types.ts'
import type { LookupKey } from './group-keys.ts'

export type JoinKeyFn = (row: Row) => LookupKey | undefined

export function joinKeyFn(exprs: readonly Expr[]): JoinKeyFn {
  const only = exprs[0]
  if (exprs.length === 1 && only !== undefined) {
    if (only.kind === 'column' && only.type !== 'JSON') {
      const i = only.index
      return (row) => {
        const v = row[i] as LookupKey | undefined
        return v === null ? undefined : v
      }
    }
    const f = compileExpr(only)
    const json = only.type === 'JSON'
    return (row) => {
      const v = f(row)
      if (v === null) return undefined
      return json ? JSON.stringify(v) : (v as LookupKey)
    }
  }
  const fns: RowFn[] = exprs.map(compileExpr)
  return (row) => {
    const values: Value[] = []
    for (const f of fns) {
      const v = f(row)
      if (v === null) return undefined
      values.push(v)
    }
    return JSON.stringify(values)
  }
}

/** `left ++ right` into one fresh array. */
export function combine(left: Row, right: Row): Row {
  const nl = left.length
  const nr = right.length
  const out = new Array<Value>(nl + nr)
  for (let i = 0; i < nl; i++) out[i] = left[i] as Value
  for (let i = 0; i < nr; i++) out[nl + i] = right[i] as Value
  return out
}

export function nulls(n: number): Row {
  return new Array<Value>(n).fill(null)
}
