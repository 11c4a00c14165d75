/**
 * Join keys: the hash-map key of a row for an equi-join, and the row shapes both join operators
 * build. A key with a NULL never matches (SQL `=`), so its lookup key is `undefined`.
 *
 * A single plain non-JSON column is read directly (no closure call, no string built); several
 * keys are joined into their JSON text. Both inputs' key expressions are bound to the same types
 * by the planner, so equal values give equal lookup keys.
 */
import type { Expr } from '../graph.ts'
import { internalError } from '../errors.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import type { Row, Value } from '../types.ts'
import type { LookupKey } from './group-keys.ts'

export type JoinKeyFn = (row: Row) => LookupKey | undefined

/** A join key for probing an index: `null` or `undefined` is a key with a NULL (it matches nothing). */
export type ProbeKeyFn = (row: Row) => LookupKey | undefined

/**
 * The key functions of single columns, by position, shared by every join: a join's row loop
 * that calls one stays optimised from one query to the next (V8 drops code specialised to a
 * function once that function is collected).
 */
const columnKeys: JoinKeyFn[] = []

export function joinKeyFn(exprs: readonly Expr[]): JoinKeyFn {
  const only = exprs[0]
  if (exprs.length === 1 && only !== undefined) {
    if (only.kind === 'column' && only.type !== 'JSON') {
      const i = only.index
      if (!Number.isSafeInteger(i) || i < 0) throw internalError(`bad join key column ${String(i)}`)
      return (columnKeys[i] ??= (row) => {
        const v = row[i] as LookupKey | undefined
        return v === null ? undefined : v
      })
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

/**
 * `joinKeyFn` for a probing loop that skips `null` itself: a single non-JSON expression is its
 * compiled function as it is (SQL NULL is `null`), one call per row with no wrapper around it.
 */
export function probeKeyFn(exprs: readonly Expr[]): ProbeKeyFn {
  const only = exprs[0]
  if (exprs.length === 1 && only !== undefined && only.kind !== 'column' && only.type !== 'JSON') {
    return compileExpr(only) as ProbeKeyFn
  }
  return joinKeyFn(exprs)
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

/** Builds an output row from a left and a right row: all columns, or the `output` positions of the combined row. */
export type RowBuilder = (left: Row, right: Row) => Row

/** Builders by generated source (bounded: the cache starts over when full). */
const builders = new Map<string, RowBuilder>()
const BUILDER_CACHE_SIZE = 1000

export function rowBuilder(leftWidth: number, output: readonly number[] | undefined): RowBuilder {
  if (output === undefined) return combine
  // Generated from column positions only (integers): `(l, r) => [r[1], l[0], …]`, which V8
  // allocates as one literal array. No user text reaches the code.
  const items = output.map((i) => {
    if (!Number.isInteger(i) || i < 0) throw internalError(`bad join output position ${String(i)}`)
    return i < leftWidth ? `l[${i}]` : `r[${i - leftWidth}]`
  })
  const src = `return [${items.join(', ')}]`
  // One function per shape, shared by every join that builds it: its V8 feedback and optimised
  // code survive query restarts, and a loop that inlined it is not deoptimised when a query ends.
  let builder = builders.get(src)
  if (builder === undefined) {
    if (builders.size >= BUILDER_CACHE_SIZE) builders.clear()
    builder = new Function('l', 'r', src) as RowBuilder
    builders.set(src, builder)
  }
  return builder
}
