/**
 * Compiles bound expressions (graph `Expr`) to JavaScript functions, once per query.
 * PLACEHOLDER: an interpreter for column and literal only, replaced by the real compiler.
 */
import type { Expr } from '../graph.ts'
import type { Row, Value } from '../types.ts'
import { internalError } from '../errors.ts'

export type RowFn = (row: Row) => Value
export type RowPredicate = (row: Row) => boolean
export type RowProjection = (row: Row) => Row

export function compileExpr(expr: Expr): RowFn {
  switch (expr.kind) {
    case 'column': {
      const i = expr.index
      return (row) => row[i] ?? null
    }
    case 'literal': {
      const v = expr.value
      return () => v
    }
    default:
      throw internalError(`cannot compile ${expr.kind} yet`)
  }
}

/** A predicate is true only when the expression is TRUE (NULL and FALSE both reject). */
export function compilePredicate(expr: Expr): RowPredicate {
  const f = compileExpr(expr)
  return (row) => f(row) === true
}

export function compileProjection(exprs: readonly Expr[]): RowProjection {
  const fs = exprs.map(compileExpr)
  return (row) => fs.map((f) => f(row))
}
