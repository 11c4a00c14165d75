/**
 * Plans a continuous query: binds a SELECT against the catalog, applies Spark's streaming rules
 * (output modes, unsupported operations) and produces the operator graph.
 */
import type { AstExpr, AstSelect, AstSubquery, AstWindowTvf, EmitMode, FromItem, SelectItem } from './ast.ts'
import type { Catalog } from './catalog.ts'
import type {
  AggregateNode, DeduplicateNode, Expr, OperatorNode, OutputMode, QueryGraph, SortNode, WindowAggregateNode, WindowSpec,
} from '../runtime/graph.ts'
import type { DataType, Field } from '../runtime/types.ts'
import { sqlError } from '../runtime/errors.ts'
import { bindExpr } from './bind-expr.ts'
import { formatAst } from './format-expr.ts'
import { Scope, type ScopeColumn } from './scope.ts'
import { planAggregation, isAggregateCall } from './plan-aggregate.ts'
import { fuseJoinOutput, planJoin } from './plan-join.ts'
import { chooseOutputMode } from './output-mode.ts'
import { windowFromTvf, tumbleBoundsExprs } from './windows.ts'

export interface PlanOptions {
  /** EMIT clause of the statement. */
  readonly emit: EmitMode | null
  /** The session's `output_mode` option, used when there is no EMIT clause. */
  readonly sessionOutputMode?: string | undefined
  /**
   * Plan for a bounded input run once (pull queries): no streaming restrictions, sources may be
   * tables, aggregations run in complete mode, ORDER BY and LIMIT allowed anywhere.
   */
  readonly batch?: boolean
}

export interface PlannedQuery {
  readonly graph: QueryGraph
  /** Things EXPLAIN should say, e.g. that state is unbounded. */
  readonly warnings: readonly string[]
}

/** What planning a FROM item or a SELECT gives: a node and the columns it exposes. */
export interface Planned {
  readonly node: OperatorNode
  readonly scope: Scope
  /** True when the node's output has updates or retractions (after an aggregation). */
  readonly updating: boolean
  /** A window TVF whose window is applied by the aggregation (or a tumble projection) above it. */
  readonly pendingWindow?: { readonly spec: WindowSpec; readonly tvf: AstWindowTvf }
}

/** Mutable planning context shared by the nodes of one query. */
export class PlanContext {
  private nextId = 0
  readonly warnings: string[] = []
  readonly sources: string[] = []
  /** Stateful nodes whose output mode is decided once the whole query is planned. */
  readonly statefulNodes: { node: { outputMode: OutputMode }; watermarkBound: boolean; aggregation: boolean; session?: boolean; join?: 'inner' | 'outer' }[] = []
  constructor(readonly catalog: Catalog, readonly options: PlanOptions) {}
  id(): number {
    return this.nextId++
  }
  get batch(): boolean {
    return this.options.batch === true
  }
}

export function planQuery(select: AstSelect, catalog: Catalog, options: PlanOptions): PlannedQuery {
  const ctx = new PlanContext(catalog, options)
  const planned = planSelect(select, ctx)
  const outputMode = chooseOutputMode(select, planned, ctx)
  for (const s of ctx.statefulNodes) s.node.outputMode = outputMode
  const root = fuseJoinOutput(planOrderAndLimit(select, planned, outputMode, ctx))
  const graph: QueryGraph = { root, outputMode, schema: root.schema, sources: [...new Set(ctx.sources)] }
  return { graph, warnings: ctx.warnings }
}

export function planSelect(select: AstSelect, ctx: PlanContext): Planned {
  if (!select.from) throw sqlError('SQL_UNSUPPORTED', 'a query needs a FROM clause naming a stream', select.pos)
  let from = planFrom(select.from, ctx)
  if (select.where) {
    const scope = from.scope.withInterceptor(rejectAggregates('WHERE'))
    const predicate = bindBoolean(select.where, scope, 'WHERE')
    from = { ...from, node: { kind: 'filter', id: ctx.id(), schema: from.node.schema, input: from.node, predicate } }
  }
  const aggregated = select.groupBy.length > 0 || select.items.some((i) => containsAggregate(i.expr)) || (select.having !== null)
  if (aggregated) {
    if (from.updating) {
      throw sqlError('UNSUPPORTED_OPERATION', 'multiple streaming aggregations are not supported: this query aggregates the result of an aggregation', select.pos)
    }
    if (select.distinct) {
      throw sqlError('UNSUPPORTED_OPERATION', 'SELECT DISTINCT over an aggregation is not supported on streams', select.pos)
    }
    return planAggregation(select, from, ctx)
  }
  const projected = planProjection(select.items, materializeTumble(from, ctx, select), ctx)
  if (!select.distinct) return projected
  if (projected.updating) {
    throw sqlError('UNSUPPORTED_OPERATION', 'SELECT DISTINCT over an updating result is not supported', select.pos)
  }
  const eventTime = projected.scope.columns.find((c) => c.eventTime)
  if (!eventTime && !ctx.batch) {
    ctx.warnings.push('DISTINCT without an event-time column that has a watermark: its state grows without bound')
  }
  const node: DeduplicateNode = {
    kind: 'deduplicate', id: ctx.id(), schema: projected.node.schema, input: projected.node,
    eventTimeColumn: eventTime ? eventTime.index : null,
  }
  ctx.statefulNodes.push({ node: { outputMode: 'append' }, watermarkBound: eventTime !== undefined, aggregation: false })
  return { ...projected, node }
}

function planFrom(item: FromItem, ctx: PlanContext): Planned {
  switch (item.kind) {
    case 'table': {
      const rel = ctx.catalog.relation(item.name)
      if (!rel) {
        const isSink = ctx.catalog.sink(item.name) !== undefined
        throw sqlError(
          'UNKNOWN_RELATION',
          isSink
            ? `"${item.name}" is a sink; only a memory sink can be read, with a pull query (SELECT without EMIT)`
            : `stream or table "${item.name}" does not exist`,
          item.pos,
        )
      }
      if (rel.kind === 'table' && !ctx.batch) {
        throw sqlError('UNSUPPORTED_OPERATION', `"${rel.name}" is a static table: a continuous query must read a stream (a table can only be joined to one)`, item.pos)
      }
      const wmIndex = rel.watermark ? rel.fields.findIndex((f) => f.name === rel.watermark!.column) : -1
      const schema = { fields: rel.fields }
      const node: OperatorNode = rel.kind === 'table'
        ? { kind: 'static-table', id: ctx.id(), schema, table: rel.name }
        : {
            kind: 'source', id: ctx.id(), schema, source: rel.name,
            watermark: wmIndex >= 0 && !ctx.batch ? { column: wmIndex, delayMs: rel.watermark!.delayMs } : null,
          }
      ctx.sources.push(rel.name)
      return { node, scope: Scope.fromFields(rel.fields, item.alias ?? item.name, wmIndex >= 0 && !ctx.batch ? wmIndex : null), updating: false }
    }
    case 'window_tvf': {
      const base = planFrom(item.table, ctx)
      const spec = windowFromTvf(item, base.scope)
      const n = base.scope.columns.length
      const time = base.scope.columns[spec.timeColumn]!
      const qualifier = item.alias ?? item.table.alias ?? item.table.name
      const cols: ScopeColumn[] = base.scope.columns.map((c) => ({ ...c, qualifier: item.alias ?? c.qualifier }))
      cols.push({ qualifier, name: 'window_start', type: 'TIMESTAMP', index: n, eventTime: time.eventTime })
      cols.push({ qualifier, name: 'window_end', type: 'TIMESTAMP', index: n + 1, eventTime: time.eventTime })
      return { node: base.node, scope: new Scope(cols), updating: false, pendingWindow: { spec, tvf: item } }
    }
    case 'subquery':
      return planSubquery(item, ctx)
    case 'join':
      return planJoin(item, ctx, planFrom)
  }
}

function planSubquery(item: AstSubquery, ctx: PlanContext): Planned {
  const inner = planSelect(item.query, ctx)
  const cols = inner.scope.columns.map((c) => ({ ...c, qualifier: item.alias }))
  return { ...inner, scope: new Scope(cols) }
}

/** A tumbling TVF read without aggregation: window bounds are computed per row. */
function materializeTumble(from: Planned, ctx: PlanContext, select: AstSelect): Planned {
  if (!from.pendingWindow) return from
  const { spec, tvf } = from.pendingWindow
  if (spec.kind !== 'tumbling') {
    throw sqlError('SQL_UNSUPPORTED', `${tvf.fn.toUpperCase()} without GROUP BY window_start, window_end is not supported; aggregate over the window`, select.pos)
  }
  const inputs = from.scope.columns.slice(0, -2)
  const exprs: Expr[] = inputs.map((c) => ({ kind: 'column', index: c.index, type: c.type, name: c.name }))
  exprs.push(...tumbleBoundsExprs(spec))
  const node: OperatorNode = { kind: 'project', id: ctx.id(), schema: { fields: from.scope.fields() }, input: from.node, exprs }
  return { node, scope: from.scope, updating: false }
}

/** SELECT items over `from`: a projection, with `*` expanded. */
export function planProjection(items: readonly SelectItem[], from: Planned, ctx: PlanContext): Planned {
  const exprs: Expr[] = []
  const cols: ScopeColumn[] = []
  for (const item of items) {
    if (item.expr.kind === 'star') {
      const star = item.expr
      const matching = from.scope.columns.filter((c) => star.table === null || c.qualifier === star.table)
      if (matching.length === 0) throw sqlError('UNKNOWN_RELATION', `"${star.table}" is not a table in FROM`, star.pos)
      for (const c of matching) {
        exprs.push({ kind: 'column', index: c.index, type: c.type, name: c.name })
        cols.push({ qualifier: null, name: c.name, type: c.type, index: cols.length, eventTime: c.eventTime })
      }
      continue
    }
    const expr = bindExpr(item.expr, from.scope)
    const eventTime = expr.kind === 'column' && from.scope.columns.some((c) => c.index === expr.index && c.eventTime)
    exprs.push(expr)
    cols.push({ qualifier: null, name: outputName(item), type: expr.type, index: cols.length, eventTime })
  }
  const identity = exprs.length === from.node.schema.fields.length &&
    exprs.every((e, i) => e.kind === 'column' && e.index === i) &&
    cols.every((c, i) => c.name === from.node.schema.fields[i]!.name)
  const schema = { fields: cols.map((c): Field => ({ name: c.name, type: c.type })) }
  const node: OperatorNode = identity ? from.node : { kind: 'project', id: ctx.id(), schema, input: from.node, exprs }
  return { node, scope: new Scope(cols), updating: from.updating }
}

/** The output column name of a select item: its alias, its column name, or its SQL text. */
export function outputName(item: SelectItem): string {
  if (item.alias !== null) return item.alias
  if (item.expr.kind === 'column') return item.expr.name
  if (item.expr.kind === 'function' && !isAggregateCall(item.expr)) return item.expr.name
  return formatAst(item.expr).toLowerCase()
}

function planOrderAndLimit(select: AstSelect, planned: Planned, mode: OutputMode, ctx: PlanContext): OperatorNode {
  if (select.orderBy.length === 0 && select.limit === null) return planned.node
  const complete = mode === 'complete'
  if (!ctx.batch && !complete) {
    const what = select.orderBy.length > 0 ? 'ORDER BY' : 'LIMIT'
    throw sqlError(
      'UNSUPPORTED_OPERATION',
      `${what} is not supported on a streaming query unless it follows an aggregation in complete output mode (EMIT COMPLETE)`,
      (select.orderBy[0]?.pos) ?? select.pos,
    )
  }
  const scope = planned.scope
  const keys = select.orderBy.map((o) => {
    let expr: Expr
    if (o.expr.kind === 'literal' && o.expr.type === 'number') {
      const col = scope.columns[Number(o.expr.value) - 1]
      if (!col || !Number.isInteger(o.expr.value)) {
        throw sqlError('UNKNOWN_COLUMN', `ORDER BY position ${String(o.expr.value)} is not in the select list (1 to ${scope.columns.length})`, o.expr.pos)
      }
      expr = { kind: 'column', index: col.index, type: col.type, name: col.name }
    } else {
      expr = bindExpr(o.expr, scope)
    }
    // Spark's default: NULLS FIRST ascending, NULLS LAST descending.
    const nullsFirst = o.nullsFirst ?? !o.descending
    return { expr, descending: o.descending, nullsFirst }
  })
  const node: SortNode = { kind: 'sort', id: ctx.id(), schema: planned.node.schema, input: planned.node, keys, limit: select.limit }
  return node
}

export function bindBoolean(ast: AstExpr, scope: Scope, clause: string): Expr {
  const expr = bindExpr(ast, scope)
  if (expr.type !== 'BOOLEAN' && expr.type !== 'NULL') {
    throw sqlError('TYPE_MISMATCH', `argument of ${clause} must be BOOLEAN, not ${expr.type}: "${formatAst(ast)}"`, ast.pos)
  }
  return expr
}

export function rejectAggregates(clause: string): (ast: AstExpr) => Expr | undefined {
  return (ast) => {
    if (ast.kind === 'function' && isAggregateCall(ast)) {
      throw sqlError('AGGREGATE_NOT_ALLOWED', `aggregate functions are not allowed in ${clause}: "${formatAst(ast)}"`, ast.pos)
    }
    return undefined
  }
}

export function containsAggregate(ast: AstExpr): boolean {
  switch (ast.kind) {
    case 'function':
      return isAggregateCall(ast) || ast.args.some(containsAggregate)
    case 'binary':
      return containsAggregate(ast.left) || containsAggregate(ast.right)
    case 'unary':
      return containsAggregate(ast.operand)
    case 'case':
      return (ast.operand !== null && containsAggregate(ast.operand)) ||
        ast.whens.some((w) => containsAggregate(w.when) || containsAggregate(w.then)) ||
        (ast.else !== null && containsAggregate(ast.else))
    case 'cast':
      return containsAggregate(ast.expr)
    case 'in':
      return containsAggregate(ast.expr) || ast.list.some(containsAggregate)
    case 'between':
      return containsAggregate(ast.expr) || containsAggregate(ast.low) || containsAggregate(ast.high)
    case 'like':
      return containsAggregate(ast.expr) || containsAggregate(ast.pattern)
    case 'is_null':
      return containsAggregate(ast.expr)
    case 'extract':
      return containsAggregate(ast.source)
    case 'column': case 'literal': case 'interval': case 'star':
      return false
  }
}

export type { DataType, WindowAggregateNode, AggregateNode }
