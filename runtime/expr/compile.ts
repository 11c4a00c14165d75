/**
 * Compiles bound expressions (graph `Expr`) to JavaScript functions, once per query: each call
 * here runs `new Function` once and returns a plain function for the operator's row loop (see
 * `codegen.ts` for the generated code and why user text never becomes code).
 *
 * Semantics in brief: SQL NULL is `null` and propagates; AND/OR are Kleene; a predicate accepts
 * a row only when the expression is TRUE; division or modulo by zero is NULL (Spark non-ANSI);
 * INT/BIGINT division truncates toward zero; failed CASTs of text are NULL. Integer arithmetic
 * is JS number arithmetic: INT results are not wrapped at 32 bits and BIGINT is exact up to 2^53
 * (see runtime/types.ts); string comparison is by UTF-16 code unit.
 */
import type { Expr } from '../graph.ts'
import type { Row, Value } from '../types.ts'
import { internalError } from '../errors.ts'
import { Gen } from './codegen.ts'

export type RowFn = (row: Row) => Value
export type RowPredicate = (row: Row) => boolean
export type RowProjection = (row: Row) => Row
/** A predicate over a join's combined row, given as its left and right halves. */
export type PairPredicate = (left: Row, right: Row) => boolean

/** The expression's value for a row. */
export function compileExpr(expr: Expr): RowFn {
  return new Gen().build([expr], 'value') as RowFn
}

/** A predicate is true only when the expression is TRUE (NULL and FALSE both reject). */
export function compilePredicate(expr: Expr): RowPredicate {
  return new Gen().build([expr], 'predicate') as RowPredicate
}

/**
 * A predicate over `left ++ right` (columns below `leftWidth` are the left row's) that reads the
 * two rows directly, so a join checks its condition without building the combined row.
 */
export function compilePairPredicate(expr: Expr, leftWidth: number): PairPredicate {
  if (!Number.isSafeInteger(leftWidth) || leftWidth < 0) throw internalError(`bad left width ${JSON.stringify(leftWidth)}`)
  return new Gen(true, leftWidth).build([expr], 'predicate') as PairPredicate
}

/** One function computing every output column into a fresh array. */
export function compileProjection(exprs: readonly Expr[]): RowProjection {
  return new Gen().build(exprs, 'projection') as RowProjection
}

/** The generated source of an expression, for tests and debugging. */
export function generatedSource(exprs: readonly Expr[], mode: 'value' | 'predicate' | 'projection'): string {
  return new Gen().source(exprs, mode)
}
