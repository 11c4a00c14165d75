/**
 * Test helpers: AST expressions built by hand (the parser is separate) and a scope over a
 * fixed list of columns.
 */
import type { AstColumn, AstExpr, Pos } from './ast.ts'
import type { DataType } from '../runtime/types.ts'
import { sqlError } from '../runtime/errors.ts'
import type { ExprScope } from './bind-expr.ts'

export const at = (line: number, column: number): Pos => ({ line, column })
const P = at(1, 1)

export const colRef = (name: string, pos = P, table: string | null = null): AstColumn => ({ kind: 'column', table, name, pos })
export const num = (value: number, pos = P, isInteger = Number.isInteger(value)): AstExpr => ({ kind: 'literal', type: 'number', value, isInteger, pos })
export const text = (value: string, pos = P): AstExpr => ({ kind: 'literal', type: 'string', value, pos })
export const bool = (value: boolean): AstExpr => ({ kind: 'literal', type: 'boolean', value, pos: P })
export const nul = (pos = P): AstExpr => ({ kind: 'literal', type: 'null', value: null, pos })
export const tsLit = (value: string, pos = P): AstExpr => ({ kind: 'literal', type: 'timestamp', value, pos })
export const interval = (ms: number, written: string): AstExpr => ({ kind: 'interval', ms, text: written, pos: P })
export const bin = (op: string, left: AstExpr, right: AstExpr, pos = P): AstExpr => ({ kind: 'binary', op, left, right, pos })
export const not = (operand: AstExpr): AstExpr => ({ kind: 'unary', op: 'not', operand, pos: P })
export const neg = (operand: AstExpr): AstExpr => ({ kind: 'unary', op: '-', operand, pos: P })
export const fn = (name: string, args: AstExpr[], pos = P, distinct = false): AstExpr =>
  ({ kind: 'function', name, args, distinct, star: false, pos })
export const countStar = (): AstExpr => ({ kind: 'function', name: 'count', args: [], distinct: false, star: true, pos: P })
export const cast = (expr: AstExpr, target: DataType, pos = P): AstExpr => ({ kind: 'cast', expr, target, pos })
export const inList = (expr: AstExpr, list: AstExpr[], negated = false): AstExpr => ({ kind: 'in', expr, list, negated, pos: P })
export const between = (expr: AstExpr, low: AstExpr, high: AstExpr, negated = false): AstExpr =>
  ({ kind: 'between', expr, low, high, negated, pos: P })
export const like = (expr: AstExpr, pattern: AstExpr, negated = false, caseInsensitive = false): AstExpr =>
  ({ kind: 'like', expr, pattern, negated, caseInsensitive, pos: P })
export const isNull = (expr: AstExpr, negated = false): AstExpr => ({ kind: 'is_null', expr, negated, pos: P })
export const extract = (field: string, source: AstExpr, pos = P): AstExpr => ({ kind: 'extract', field, source, pos })
export const caseWhen = (operand: AstExpr | null, whens: [AstExpr, AstExpr][], otherwise: AstExpr | null = null): AstExpr =>
  ({ kind: 'case', operand, whens: whens.map(([when, then]) => ({ when, then })), else: otherwise, pos: P })

/** Columns: id BIGINT, n INT, amount DOUBLE, name VARCHAR, flag BOOLEAN, ts TIMESTAMP, payload JSON. */
export const COLUMNS: readonly (readonly [string, DataType])[] = [
  ['id', 'BIGINT'], ['n', 'INT'], ['amount', 'DOUBLE'], ['name', 'VARCHAR'], ['flag', 'BOOLEAN'], ['ts', 'TIMESTAMP'], ['payload', 'JSON'],
]

export function testScope(intercept?: (ast: AstExpr) => ReturnType<NonNullable<ExprScope['intercept']>>): ExprScope {
  return {
    resolveColumn(c) {
      const index = COLUMNS.findIndex(([name]) => name === c.name)
      if (index < 0) throw sqlError('UNKNOWN_COLUMN', `column "${c.name}" does not exist`, c.pos)
      return { index, type: COLUMNS[index]![1], name: c.name }
    },
    ...(intercept === undefined ? {} : { intercept }),
  }
}
