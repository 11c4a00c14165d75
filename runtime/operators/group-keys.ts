/**
 * Grouping keys: how an aggregate finds a row's group quickly, stores its keys, and orders its
 * output.
 *
 * A group is found in a `Map` by a *lookup key*: the key value itself for one key (no string
 * built per row), `0` for no key, and the JSON text of the key list for several keys. Values
 * of JSON-typed keys are always replaced by their JSON text, so equal objects are one group.
 * SQL NULL is a key like any other: all NULLs form one group.
 */
import type { Expr } from '../graph.ts'
import { internalError } from '../errors.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import { compareKeyParts, compareStrings } from '../state/key-order.ts'
import type { StateKeyPart } from '../state/state-store.ts'
import type { Row, Value } from '../types.ts'

export type LookupKey = string | number | boolean | null

export class GroupKeys {
  readonly count: number
  /** The column index when the only key is a plain non-JSON column (generated code reads it directly). */
  readonly singleColumn: number | null
  /** The lookup key of an input row. */
  readonly lookup: (row: Row) => LookupKey
  private readonly fns: RowFn[]
  private readonly json: boolean[]

  constructor(exprs: readonly Expr[]) {
    this.count = exprs.length
    this.fns = exprs.map(compileExpr)
    this.json = exprs.map((e) => e.type === 'JSON')
    this.lookup = this.makeLookup()
    const only = exprs[0]
    this.singleColumn = exprs.length === 1 && only?.kind === 'column' && only.type !== 'JSON' ? only.index : null
  }

  /** The key values of an input row whose lookup key is `lookup` (once per new group, not per row). */
  values(row: Row, lookup: LookupKey): Value[] {
    if (this.singleColumn !== null) return [lookup]
    return this.fns.map((f) => f(row))
  }

  /** The lookup key of a list of key values (restore, cross-pane lookups). */
  lookupOf(keys: readonly Value[]): LookupKey {
    if (keys.length === 0) return 0
    if (keys.length === 1) return this.part(keys[0] as Value, 0)
    return JSON.stringify(keys.map((k, i) => this.part(k, i)))
  }

  /** Key values as state-key parts (JSON values as their text). */
  stateParts(keys: readonly Value[]): StateKeyPart[] {
    return keys.map((k, i) => this.part(k, i))
  }

  private part(v: Value, i: number): StateKeyPart {
    if (this.json[i] === true) return JSON.stringify(v)
    if (v !== null && typeof v === 'object') throw internalError('a non-JSON grouping key holds an object')
    return v
  }

  private makeLookup(): (row: Row) => LookupKey {
    const fns = this.fns
    if (fns.length === 0) return () => 0
    if (fns.length === 1) {
      const f = fns[0] as RowFn
      if (this.json[0] === true) return (row) => JSON.stringify(f(row))
      return f as (row: Row) => LookupKey
    }
    return (row) => this.lookupOf(fns.map((f) => f(row)))
  }
}

/**
 * A total order on values for deterministic output and MIN/MAX of JSON: the state-key order
 * (null < booleans < numbers < strings, strings by code point), then JSON objects and arrays
 * by their text, also by code point.
 */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  const ao = a !== null && typeof a === 'object'
  const bo = b !== null && typeof b === 'object'
  if (ao || bo) {
    if (ao && bo) return compareStrings(JSON.stringify(a), JSON.stringify(b))
    return ao ? 1 : -1
  }
  return compareKeyParts(a as StateKeyPart, b as StateKeyPart)
}

export function compareValueLists(a: readonly Value[], b: readonly Value[]): number {
  if (a.length === 1 && b.length === 1) return compareValues(a[0] as Value, b[0] as Value)
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i] as Value, b[i] as Value)
    if (c !== 0) return c
  }
  return a.length - b.length
}

