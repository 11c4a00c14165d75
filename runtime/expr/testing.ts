/**
 * Test helpers: build bound expressions by hand and evaluate them through the compiler.
 * (Runtime tests must not import the planner, so no binder here.)
 */
import assert from 'node:assert/strict'
import type { Expr } from '../graph.ts'
import type { DataType, Row, Value } from '../types.ts'
import { compileExpr, compilePredicate } from './compile.ts'

export const col = (index: number, type: DataType, name?: string): Expr =>
  name === undefined ? { kind: 'column', index, type } : { kind: 'column', index, type, name }
export const lit = (value: Value, type: DataType): Expr => ({ kind: 'literal', value, type })
export const call = (fn: string, args: readonly Expr[], type: DataType): Expr => ({ kind: 'call', fn, args, type })
export const cast = (expr: Expr, type: DataType): Expr => ({ kind: 'cast', expr, type })

export const int = (n: number): Expr => lit(n, 'INT')
export const dbl = (n: number): Expr => lit(n, 'DOUBLE')
export const str = (s: string): Expr => lit(s, 'VARCHAR')
export const NULL: Expr = lit(null, 'NULL')

/** An argument: a value with its type. */
export type Arg = readonly [Value, DataType]

/**
 * `fn(args)` evaluated twice: arguments read from a row (the generated row code) and as
 * literals (folded at compile time). Asserts both agree and returns the value.
 */
export function apply(fn: string, type: DataType, ...args: Arg[]): Value {
  const row: Row = args.map(([v]) => v)
  const fromRow = compileExpr(call(fn, args.map(([, t], i) => col(i, t)), type))(row)
  const folded = compileExpr(call(fn, args.map(([v, t]) => lit(v, t)), type))([])
  assert.deepEqual(folded, fromRow, `${fn}: folded and row results differ`)
  return fromRow
}

/** Value and predicate of `e` over `row`; asserts the predicate is exactly "value is TRUE". */
export function evaluate(e: Expr, row: Row = []): Value {
  const v = compileExpr(e)(row)
  assert.equal(compilePredicate(e)(row), v === true, 'predicate disagrees with value')
  return v
}
