/**
 * Name resolution: the columns visible at one point of a query, with their qualifiers.
 */
import type { AstColumn, AstExpr } from './ast.ts'
import type { Expr } from '../runtime/graph.ts'
import type { DataType, Field } from '../runtime/types.ts'
import { sqlError } from '../runtime/errors.ts'
import type { ExprScope } from './bind-expr.ts'

export interface ScopeColumn {
  /** The table name or alias that qualifies it (`t` in `t.a`); null for computed columns. */
  readonly qualifier: string | null
  readonly name: string
  readonly type: DataType
  /** Position in the row this scope describes. */
  readonly index: number
  /** True when the column carries the query's event-time watermark (the watermarked column, or a window bound over it). */
  readonly eventTime: boolean
}

export class Scope implements ExprScope {
  constructor(
    readonly columns: readonly ScopeColumn[],
    private readonly interceptor?: (ast: AstExpr) => Expr | undefined,
  ) {}

  static fromFields(fields: readonly Field[], qualifier: string | null, eventTimeIndex: number | null): Scope {
    return new Scope(
      fields.map((f, index) => ({ qualifier, name: f.name, type: f.type, index, eventTime: index === eventTimeIndex })),
    )
  }

  withInterceptor(interceptor: (ast: AstExpr) => Expr | undefined): Scope {
    return new Scope(this.columns, interceptor)
  }

  intercept(ast: AstExpr): Expr | undefined {
    return this.interceptor?.(ast)
  }

  /** The matching column, or undefined; throws AMBIGUOUS_COLUMN when more than one matches. */
  lookup(col: AstColumn): ScopeColumn | undefined {
    const matches = this.columns.filter(
      (c) => c.name === col.name && (col.table === null || c.qualifier === col.table),
    )
    if (matches.length > 1) {
      const where = matches.map((m) => (m.qualifier ? `${m.qualifier}.${m.name}` : m.name)).join(', ')
      throw sqlError('AMBIGUOUS_COLUMN', `column reference "${col.name}" is ambiguous (could be ${where})`, col.pos)
    }
    return matches[0]
  }

  resolveColumn(col: AstColumn): { index: number; type: DataType; name: string } {
    const found = this.lookup(col)
    if (!found) throw unknownColumn(col, this.columns)
    return { index: found.index, type: found.type, name: found.name }
  }

  fields(): Field[] {
    return this.columns.map((c) => ({ name: c.name, type: c.type }))
  }
}

export function unknownColumn(col: AstColumn, columns: readonly ScopeColumn[]): Error {
  const qualified = col.table ? `${col.table}.${col.name}` : col.name
  const known = [...new Set(columns.map((c) => c.name))]
  const hint = known.length > 0 ? `; available: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}` : ''
  return sqlError('UNKNOWN_COLUMN', `column "${qualified}" does not exist${hint}`, col.pos)
}
