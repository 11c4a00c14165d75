/**
 * Checks CREATE STREAM / TABLE / SINK and INSERT … VALUES against the catalog and turns them
 * into definitions the server stores.
 */
import type { AstExpr, ColumnDef, CreateSink, CreateStream, CreateTable, InsertValues, OptionDef } from './ast.ts'
import type { Catalog, CatalogRelation, CatalogWatermark } from './catalog.ts'
import type { Expr } from '../runtime/graph.ts'
import type { DataType, Field } from '../runtime/types.ts'
import { sqlError } from '../runtime/errors.ts'
import { bindExpr } from './bind-expr.ts'
import { formatAst } from './format-expr.ts'
import { Scope } from './scope.ts'

export interface RelationDefinition {
  readonly kind: 'stream' | 'table'
  readonly name: string
  readonly fields: readonly Field[]
  readonly watermark: CatalogWatermark | null
  readonly primaryKey: readonly string[]
  /** Options with lower-case keys; `connector` absent for embedded streams and tables. */
  readonly options: Readonly<Record<string, string>>
}

export interface SinkDefinition {
  readonly name: string
  readonly connector: string
  readonly options: Readonly<Record<string, string>>
}

export function analyzeCreateRelation(stmt: CreateStream | CreateTable, catalog: Catalog): RelationDefinition {
  checkNameFree(stmt.name, catalog, stmt)
  const fields = checkColumns(stmt.columns)
  let watermark: CatalogWatermark | null = null
  if (stmt.kind === 'create_stream' && stmt.watermark) {
    const wm = stmt.watermark
    const col = fields.find((f) => f.name === wm.column)
    if (!col) throw sqlError('INVALID_WATERMARK', `watermark column "${wm.column}" is not a column of ${stmt.name}`, wm.pos)
    if (col.type !== 'TIMESTAMP') {
      throw sqlError('INVALID_WATERMARK', `watermark column "${wm.column}" must be TIMESTAMP, not ${col.type}`, wm.pos)
    }
    watermark = { column: wm.column, delayMs: watermarkDelay(wm.column, wm.expr) }
  }
  const primaryKey = stmt.kind === 'create_table' ? stmt.primaryKey : stmt.columns.filter((c) => c.primaryKey).map((c) => c.name)
  for (const k of primaryKey) {
    if (!fields.some((f) => f.name === k)) throw sqlError('UNKNOWN_COLUMN', `primary key column "${k}" is not a column of ${stmt.name}`, stmt.pos)
  }
  return {
    kind: stmt.kind === 'create_stream' ? 'stream' : 'table',
    name: stmt.name, fields, watermark, primaryKey, options: optionMap(stmt.options),
  }
}

export function analyzeCreateSink(stmt: CreateSink, catalog: Catalog): SinkDefinition {
  checkNameFree(stmt.name, catalog, stmt)
  const options = optionMap(stmt.options)
  const connector = options.connector
  if (!connector) {
    throw sqlError('INVALID_OPTION', `CREATE SINK ${stmt.name} needs WITH (connector = '…'), e.g. connector = 'memory'`, stmt.pos)
  }
  return { name: stmt.name, connector: connector.toLowerCase(), options }
}

/** The rows of INSERT … VALUES as constant expressions, cast to the target's column types. */
export function planInsertValues(stmt: InsertValues, target: CatalogRelation): Expr[][] {
  const fields = target.fields
  let positions: number[]
  if (stmt.columns) {
    positions = stmt.columns.map((c) => {
      const i = fields.findIndex((f) => f.name === c)
      if (i < 0) throw sqlError('UNKNOWN_COLUMN', `column "${c}" of ${target.name} does not exist`, stmt.pos)
      return i
    })
  } else {
    positions = fields.map((_, i) => i)
  }
  const empty = new Scope([])
  return stmt.rows.map((values) => {
    if (values.length !== positions.length) {
      throw sqlError('TYPE_MISMATCH', `INSERT has ${values.length} values but ${positions.length} target columns`, values[0]?.pos ?? stmt.pos)
    }
    const row: Expr[] = fields.map((f) => ({ kind: 'literal', value: null, type: f.type }))
    values.forEach((ast, j) => {
      const field = fields[positions[j]!]!
      row[positions[j]!] = coerce(ast, field, empty)
    })
    return row
  })
}

function coerce(ast: AstExpr, field: Field, scope: Scope): Expr {
  // An untyped string literal takes the column's type, as in PostgreSQL.
  const typed: AstExpr = ast.kind === 'literal' && ast.type === 'string' && field.type === 'TIMESTAMP'
    ? { ...ast, type: 'timestamp' }
    : ast
  const expr = bindExpr(typed, scope)
  if (expr.type === field.type || expr.type === 'NULL') return expr
  const widening = (expr.type === 'INT' && (field.type === 'BIGINT' || field.type === 'DOUBLE')) || (expr.type === 'BIGINT' && field.type === 'DOUBLE')
  const stringLiteral = ast.kind === 'literal' && ast.type === 'string'
  const intoText = field.type === 'VARCHAR' && expr.type !== 'JSON'
  const toJson = field.type === 'JSON'
  const narrowing = (expr.type === 'BIGINT' && field.type === 'INT')
  if (widening || stringLiteral || intoText || toJson || narrowing) return { kind: 'cast', expr, type: field.type }
  throw sqlError('TYPE_MISMATCH', `column "${field.name}" is ${field.type} but "${formatAst(ast)}" is ${expr.type}`, ast.pos)
}

function watermarkDelay(column: string, expr: AstExpr): number {
  if (expr.kind === 'column' && expr.name === column) return 0
  if (expr.kind === 'binary' && expr.op === '-' && expr.left.kind === 'column' && expr.left.name === column && expr.right.kind === 'interval') {
    if (expr.right.ms < 0) throw sqlError('INVALID_WATERMARK', 'the watermark delay must not be negative', expr.right.pos)
    return expr.right.ms
  }
  throw sqlError(
    'INVALID_WATERMARK',
    `WATERMARK FOR ${column} AS … must be "${column}" or "${column} - INTERVAL '…' <unit>", not "${formatAst(expr)}"`,
    expr.pos,
  )
}

function checkColumns(columns: readonly ColumnDef[]): Field[] {
  const seen = new Set<string>()
  for (const c of columns) {
    if (seen.has(c.name)) throw sqlError('ALREADY_EXISTS', `column "${c.name}" is declared twice`, c.pos)
    seen.add(c.name)
  }
  if (columns.length === 0) throw sqlError('SQL_PARSE_ERROR', 'a stream or table needs at least one column', undefined)
  return columns.map((c) => ({ name: c.name, type: c.type as DataType }))
}

function checkNameFree(name: string, catalog: Catalog, stmt: { pos: AstExpr['pos'] }): void {
  const existing = catalog.relation(name) ?? catalog.sink(name)
  if (existing) {
    const kind = 'connector' in existing ? 'sink' : existing.kind
    throw sqlError('ALREADY_EXISTS', `a ${kind} named "${name}" already exists`, stmt.pos)
  }
}

export function optionMap(options: readonly OptionDef[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const o of options) {
    if (o.key in out) throw sqlError('INVALID_OPTION', `option "${o.key}" is given twice`, o.pos)
    out[o.key] = o.value
  }
  return out
}
