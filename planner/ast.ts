/**
 * The SQL syntax tree: what the parse layer (`planner/parse/`) produces and the binder reads.
 * Tagged unions, no parser-specific shapes. Identifiers are already normalised: unquoted names
 * lower-cased, double-quoted names kept exactly. Every node carries `pos`, the 1-based line and
 * column of its first character in the user's original text (the whole script, not the
 * statement).
 */
import type { DataType } from '../runtime/types.ts'

export interface Pos {
  readonly line: number
  readonly column: number
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export type AstExpr =
  | AstColumn
  | AstLiteral
  | AstInterval
  | AstBinary
  | AstUnary
  | AstFunction
  | AstCase
  | AstCast
  | AstIn
  | AstBetween
  | AstLike
  | AstIsNull
  | AstExtract
  | AstStar

/** `name` or `qualifier.name`. */
export interface AstColumn {
  readonly kind: 'column'
  readonly table: string | null
  readonly name: string
  readonly pos: Pos
}

/**
 * A constant. `TIMESTAMP '…'` gives type 'timestamp' with the string as written; numbers are
 * JS numbers (`isInteger` tells 1 from 1.0).
 */
export interface AstLiteral {
  readonly kind: 'literal'
  readonly type: 'string' | 'number' | 'boolean' | 'null' | 'timestamp'
  readonly value: string | number | boolean | null
  /** For numbers: true when written without a decimal point or exponent. */
  readonly isInteger?: boolean
  readonly pos: Pos
}

/** `INTERVAL '5' SECOND`, `INTERVAL '10 minutes'`: already converted to milliseconds. */
export interface AstInterval {
  readonly kind: 'interval'
  readonly ms: number
  /** As written, for messages and EXPLAIN. */
  readonly text: string
  readonly pos: Pos
}

/**
 * `op` is one of: `+ - * / % = <> < <= > >= and or ||` and `->` / `->>` (JSON access; the right
 * side is a string or integer literal).
 */
export interface AstBinary {
  readonly kind: 'binary'
  readonly op: string
  readonly left: AstExpr
  readonly right: AstExpr
  readonly pos: Pos
}

export interface AstUnary {
  readonly kind: 'unary'
  readonly op: 'not' | '-' | '+'
  readonly operand: AstExpr
  readonly pos: Pos
}

/**
 * A function call, scalar or aggregate, by lower-cased name. `count(*)` has `star: true` and
 * no args. `distinct` for `count(DISTINCT x)`.
 */
export interface AstFunction {
  readonly kind: 'function'
  readonly name: string
  readonly args: readonly AstExpr[]
  readonly distinct: boolean
  readonly star: boolean
  readonly pos: Pos
}

export interface AstCase {
  readonly kind: 'case'
  readonly operand: AstExpr | null
  readonly whens: readonly { readonly when: AstExpr; readonly then: AstExpr }[]
  readonly else: AstExpr | null
  readonly pos: Pos
}

/** `CAST(x AS type)` and `x::type`. */
export interface AstCast {
  readonly kind: 'cast'
  readonly expr: AstExpr
  readonly target: DataType
  readonly pos: Pos
}

export interface AstIn {
  readonly kind: 'in'
  readonly expr: AstExpr
  readonly list: readonly AstExpr[]
  readonly negated: boolean
  readonly pos: Pos
}

export interface AstBetween {
  readonly kind: 'between'
  readonly expr: AstExpr
  readonly low: AstExpr
  readonly high: AstExpr
  readonly negated: boolean
  readonly pos: Pos
}

export interface AstLike {
  readonly kind: 'like'
  readonly expr: AstExpr
  readonly pattern: AstExpr
  readonly negated: boolean
  /** ILIKE */
  readonly caseInsensitive: boolean
  readonly pos: Pos
}

export interface AstIsNull {
  readonly kind: 'is_null'
  readonly expr: AstExpr
  readonly negated: boolean
  readonly pos: Pos
}

/** `EXTRACT(field FROM source)`; field lower-cased (year, month, day, hour, minute, second, millisecond, dow, doy, epoch). */
export interface AstExtract {
  readonly kind: 'extract'
  readonly field: string
  readonly source: AstExpr
  readonly pos: Pos
}

/** `*` or `t.*` in a select list. */
export interface AstStar {
  readonly kind: 'star'
  readonly table: string | null
  readonly pos: Pos
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

export interface SelectItem {
  readonly expr: AstExpr
  readonly alias: string | null
  readonly pos: Pos
}

export interface OrderItem {
  readonly expr: AstExpr
  readonly descending: boolean
  /** null: the default (NULLS FIRST for ASC, NULLS LAST for DESC, as Spark). */
  readonly nullsFirst: boolean | null
  readonly pos: Pos
}

export type FromItem = AstTableRef | AstWindowTvf | AstJoin | AstSubquery

export interface AstTableRef {
  readonly kind: 'table'
  readonly name: string
  readonly alias: string | null
  readonly pos: Pos
}

/**
 * A window table function: `TUMBLE(src, ts, size)`, `HOP(src, ts, slide, size)`,
 * `SESSION(src, ts, gap)`, `CUMULATE(src, ts, step, size)`, also written with `TABLE src` and
 * `DESCRIPTOR(ts)`. `args` are the arguments after the time column, in order as written.
 */
export interface AstWindowTvf {
  readonly kind: 'window_tvf'
  readonly fn: 'tumble' | 'hop' | 'session' | 'cumulate'
  readonly table: AstTableRef
  readonly timeColumn: AstColumn
  readonly args: readonly AstExpr[]
  readonly alias: string | null
  readonly pos: Pos
}

export interface AstJoin {
  readonly kind: 'join'
  readonly joinType: 'inner' | 'left' | 'right' | 'full' | 'cross'
  readonly left: FromItem
  readonly right: FromItem
  readonly on: AstExpr | null
  readonly pos: Pos
}

export interface AstSubquery {
  readonly kind: 'subquery'
  readonly query: AstSelect
  readonly alias: string | null
  readonly pos: Pos
}

export interface AstSelect {
  readonly kind: 'select'
  readonly distinct: boolean
  readonly items: readonly SelectItem[]
  readonly from: FromItem | null
  readonly where: AstExpr | null
  readonly groupBy: readonly AstExpr[]
  readonly having: AstExpr | null
  readonly orderBy: readonly OrderItem[]
  readonly limit: number | null
  readonly pos: Pos
}

export type EmitMode = 'append' | 'update' | 'complete'

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

export interface ColumnDef {
  readonly name: string
  readonly type: DataType
  readonly primaryKey: boolean
  readonly notNull: boolean
  readonly pos: Pos
}

/** `WITH (key = 'value', …)`: keys lower-cased, values as strings (numbers and booleans as written). */
export interface OptionDef {
  readonly key: string
  readonly value: string
  readonly pos: Pos
}

export interface WatermarkDef {
  readonly column: string
  /** The `AS` expression, typically `ts - INTERVAL '5' SECOND`. */
  readonly expr: AstExpr
  readonly pos: Pos
}

export interface CreateStream {
  readonly kind: 'create_stream'
  readonly name: string
  readonly ifNotExists: boolean
  readonly columns: readonly ColumnDef[]
  readonly watermark: WatermarkDef | null
  readonly options: readonly OptionDef[]
  readonly pos: Pos
}

export interface CreateTable {
  readonly kind: 'create_table'
  readonly name: string
  readonly ifNotExists: boolean
  readonly columns: readonly ColumnDef[]
  /** From a column's PRIMARY KEY or a `PRIMARY KEY (a, b)` clause. */
  readonly primaryKey: readonly string[]
  readonly options: readonly OptionDef[]
  readonly pos: Pos
}

export interface CreateSink {
  readonly kind: 'create_sink'
  readonly name: string
  readonly ifNotExists: boolean
  readonly options: readonly OptionDef[]
  readonly pos: Pos
}

export interface InsertValues {
  readonly kind: 'insert_values'
  readonly target: string
  readonly columns: readonly string[] | null
  readonly rows: readonly (readonly AstExpr[])[]
  readonly pos: Pos
}

/** `SELECT … [EMIT …]`: a push query. */
export interface QueryStatement {
  readonly kind: 'query'
  readonly select: AstSelect
  readonly emit: EmitMode | null
  readonly pos: Pos
}

/** `INSERT INTO sink SELECT … [EMIT …]`: a persistent query. */
export interface InsertQuery {
  readonly kind: 'insert_query'
  readonly target: string
  readonly select: AstSelect
  readonly emit: EmitMode | null
  readonly pos: Pos
}

export interface Show {
  readonly kind: 'show'
  readonly what: 'streams' | 'tables' | 'sinks' | 'queries'
  readonly pos: Pos
}

export interface Describe {
  readonly kind: 'describe'
  readonly name: string
  readonly pos: Pos
}

export interface Explain {
  readonly kind: 'explain'
  readonly statement: QueryStatement | InsertQuery
  readonly pos: Pos
}

export interface StopQuery {
  readonly kind: 'stop_query'
  readonly queryId: string
  readonly pos: Pos
}

export interface Drop {
  readonly kind: 'drop'
  readonly objectKind: 'stream' | 'table' | 'sink'
  readonly name: string
  readonly ifExists: boolean
  readonly pos: Pos
}

/** `SET 'option' = 'value'` (also unquoted `SET option = value`); option lower-cased. */
export interface SetOption {
  readonly kind: 'set'
  readonly option: string
  readonly value: string
  readonly pos: Pos
}

export type Statement =
  | CreateStream
  | CreateTable
  | CreateSink
  | InsertValues
  | QueryStatement
  | InsertQuery
  | Show
  | Describe
  | Explain
  | StopQuery
  | Drop
  | SetOption

/** One statement of a script with its original text (for messages and the catalog). */
export interface ParsedStatement {
  readonly statement: Statement
  readonly text: string
}
