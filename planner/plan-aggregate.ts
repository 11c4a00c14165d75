/**
 * GROUP BY planning: window and non-window aggregation, HAVING, and the select list over the
 * aggregated row `[window_start, window_end]? ++ keys ++ aggregates`.
 */
import type { AstExpr, AstFunction, AstSelect } from './ast.ts'
import type { AggregateCall, AggregateFn, AggregateNode, Expr, OperatorNode, WindowAggregateNode, WindowSpec } from '../runtime/graph.ts'
import type { DataType, Field } from '../runtime/types.ts'
import { sqlError } from '../runtime/errors.ts'
import { bindExpr } from './bind-expr.ts'
import { formatAst } from './format-expr.ts'
import { Scope, unknownColumn, type ScopeColumn } from './scope.ts'
import { isWindowFunction, windowFromGroupBy } from './windows.ts'
import { bindBoolean, outputName, planProjection, rejectAggregates, type PlanContext, type Planned } from './plan-query.ts'

const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'avg'])

export function isAggregateCall(ast: AstFunction): boolean {
  return AGGREGATES.has(ast.name)
}

interface Key {
  readonly text: string
  readonly expr: Expr
}

export function planAggregation(select: AstSelect, from: Planned, ctx: PlanContext): Planned {
  const input = from.scope
  let window: WindowSpec | null = null
  let windowUsed = false
  const keys: Key[] = []
  const keyScope = input.withInterceptor(rejectAggregates('GROUP BY'))

  for (const g of select.groupBy) {
    const ast = resolveGroupByAlias(g, select, input)
    if (isWindowFunction(ast)) {
      if (window || from.pendingWindow) throw sqlError('INVALID_WINDOW', 'a query can group by only one window', ast.pos)
      window = windowFromGroupBy(ast, input)
      continue
    }
    if (from.pendingWindow && ast.kind === 'column' && (ast.name === 'window_start' || ast.name === 'window_end')) {
      const col = input.lookup(ast)
      if (col && col.index >= input.columns.length - 2) {
        windowUsed = true
        continue
      }
    }
    const text = formatAst(ast)
    if (keys.some((k) => k.text === text)) continue
    keys.push({ text, expr: bindExpr(ast, keyScope) })
  }
  if (from.pendingWindow) {
    if (!windowUsed) {
      throw sqlError('INVALID_WINDOW', `aggregating ${from.pendingWindow.tvf.fn.toUpperCase()}(…) needs GROUP BY window_start, window_end`, select.pos)
    }
    window = from.pendingWindow.spec
  }

  const winCols = window ? 2 : 0
  const aggregates: { call: AggregateCall; text: string }[] = []
  const aggBase = winCols + keys.length
  const windowEventTime = window !== null && input.columns[window.timeColumn]!.eventTime

  const interceptor = (ast: AstExpr): Expr | undefined => {
    if (ast.kind === 'function' && isAggregateCall(ast)) {
      const text = formatAst(ast)
      let i = aggregates.findIndex((a) => a.text === text)
      if (i < 0) {
        aggregates.push({ call: bindAggregate(ast, input), text })
        i = aggregates.length - 1
      }
      const call = aggregates[i]!.call
      return { kind: 'column', index: aggBase + i, type: call.type, name: call.name }
    }
    const text = formatAst(ast)
    const k = keys.findIndex((key) => key.text === text)
    if (k >= 0) return { kind: 'column', index: winCols + k, type: keys[k]!.expr.type, name: text }
    if (ast.kind === 'column') return resolveGroupedColumn(ast)
    return undefined
  }

  const resolveGroupedColumn = (ast: Extract<AstExpr, { kind: 'column' }>): Expr => {
    const windowBound = windowBoundName(ast)
    if (window && windowBound) {
      return { kind: 'column', index: windowBound === 'window_start' ? 0 : 1, type: 'TIMESTAMP', name: windowBound }
    }
    const col = input.lookup(ast)
    if (!col) throw unknownColumn(ast, input.columns)
    const k = keys.findIndex((key) => key.expr.kind === 'column' && key.expr.index === col.index)
    if (k < 0) {
      throw sqlError('NOT_GROUPED', `column "${ast.name}" must appear in the GROUP BY clause or be used in an aggregate function`, ast.pos)
    }
    return { kind: 'column', index: winCols + k, type: col.type, name: col.name }
  }

  // Bind the select list and HAVING over a placeholder scope to collect the aggregates first.
  const aggScope = new Scope([], interceptor)
  const having = select.having ? bindBoolean(select.having, aggScope, 'HAVING') : null
  for (const item of select.items) {
    if (item.expr.kind === 'star') {
      throw sqlError('NOT_GROUPED', 'SELECT * is not allowed with GROUP BY; name the grouped columns', item.pos)
    }
    bindExpr(item.expr, aggScope)
  }

  const keyFields: Field[] = keys.map((k, i) => ({ name: keyName(k, select, i), type: k.expr.type }))
  const aggFields: Field[] = aggregates.map((a) => ({ name: a.text.toLowerCase(), type: a.call.type }))
  const windowFields: Field[] = window ? [{ name: 'window_start', type: 'TIMESTAMP' }, { name: 'window_end', type: 'TIMESTAMP' }] : []
  const schema = { fields: [...windowFields, ...keyFields, ...aggFields] }
  let node: OperatorNode
  let watermarkBound: boolean
  if (window) {
    const w: WindowAggregateNode = {
      kind: 'window-aggregate', id: ctx.id(), schema, input: from.node, window,
      keys: keys.map((k) => k.expr), aggregates: aggregates.map((a) => a.call), outputMode: 'update',
    }
    node = w
    watermarkBound = windowEventTime
    ctx.statefulNodes.push({ node: w as { outputMode: WindowAggregateNode['outputMode'] }, watermarkBound, aggregation: true, session: window.kind === 'session' })
  } else {
    const eventTimeKey = keys.findIndex((k) => k.expr.kind === 'column' && input.columns.some((c) => c.index === (k.expr as { index: number }).index && c.eventTime))
    const a: AggregateNode = {
      kind: 'aggregate', id: ctx.id(), schema, input: from.node, keys: keys.map((k) => k.expr),
      aggregates: aggregates.map((x) => x.call), outputMode: 'update', eventTimeKey: eventTimeKey >= 0 ? eventTimeKey : null,
    }
    node = a
    watermarkBound = eventTimeKey >= 0
    ctx.statefulNodes.push({ node: a as { outputMode: AggregateNode['outputMode'] }, watermarkBound, aggregation: true })
  }
  if (!watermarkBound && !ctx.batch) {
    ctx.warnings.push('aggregation without a watermark on its grouping: its state grows without bound (allowed in update and complete modes only)')
  }

  const cols: ScopeColumn[] = schema.fields.map((f, index) => ({
    qualifier: null, name: f.name, type: f.type, index,
    eventTime: (index < winCols && windowEventTime) ||
      (index >= winCols && index < aggBase && (node.kind === 'aggregate' && node.eventTimeKey === index - winCols)),
  }))
  const aggregatedScope = new Scope(cols, interceptor)
  let planned: Planned = { node, scope: aggregatedScope, updating: true }
  if (having) {
    planned = { ...planned, node: { kind: 'filter', id: ctx.id(), schema, input: node, predicate: having } }
  }
  // Project the select list; keep eventTime flags for window bounds and event-time keys.
  const projected = planProjection(select.items, planned, ctx)
  return { ...projected, updating: true }
}

function windowBoundName(ast: Extract<AstExpr, { kind: 'column' }>): 'window_start' | 'window_end' | null {
  if (ast.name === 'window_start' || ast.name === 'window_end') return ast.name
  // Spark's struct spelling: window.start, window.end.
  if (ast.table === 'window' && (ast.name === 'start' || ast.name === 'end')) return ast.name === 'start' ? 'window_start' : 'window_end'
  return null
}

/** GROUP BY 2 and GROUP BY alias (when the alias is not an input column) name a select item. */
function resolveGroupByAlias(g: AstExpr, select: AstSelect, input: Scope): AstExpr {
  if (g.kind === 'literal' && g.type === 'number') {
    const item = select.items[Number(g.value) - 1]
    if (!item || item.expr.kind === 'star') {
      throw sqlError('UNKNOWN_COLUMN', `GROUP BY position ${String(g.value)} is not in the select list`, g.pos)
    }
    return item.expr
  }
  if (g.kind === 'column' && g.table === null && !input.lookup(g)) {
    const item = select.items.find((i) => i.alias === g.name)
    if (item) return item.expr
  }
  return g
}

function keyName(key: Key, select: AstSelect, i: number): string {
  const item = select.items.find((it) => it.expr.kind !== 'star' && formatAst(it.expr) === key.text)
  if (item) return outputName(item)
  return key.expr.kind === 'column' && key.expr.name ? key.expr.name : `key${i}`
}

function bindAggregate(ast: AstFunction, input: Scope): AggregateCall {
  const name = formatAst(ast).toLowerCase()
  const nested = input.withInterceptor((inner) => {
    if (inner !== ast && inner.kind === 'function' && isAggregateCall(inner)) {
      throw sqlError('AGGREGATE_NOT_ALLOWED', `aggregate function calls cannot be nested: "${formatAst(ast)}"`, inner.pos)
    }
    return undefined
  })
  if (ast.star) {
    if (ast.name !== 'count') throw sqlError('SQL_PARSE_ERROR', `${ast.name}(*) is not valid; only count(*)`, ast.pos)
    return { fn: 'count_star', arg: null, type: 'BIGINT', name }
  }
  if (ast.args.length !== 1) {
    throw sqlError('TYPE_MISMATCH', `${ast.name}() takes exactly one argument: "${formatAst(ast)}"`, ast.pos)
  }
  const arg = bindExpr(ast.args[0]!, nested)
  if (ast.distinct && ast.name !== 'count') {
    throw sqlError('SQL_UNSUPPORTED', `${ast.name}(DISTINCT …) is not supported; only count(DISTINCT …)`, ast.pos)
  }
  const numeric = arg.type === 'INT' || arg.type === 'BIGINT' || arg.type === 'DOUBLE' || arg.type === 'NULL'
  const fn: AggregateFn = ast.name === 'count' ? (ast.distinct ? 'count_distinct' : 'count') : (ast.name as AggregateFn)
  let type: DataType
  switch (fn) {
    case 'count': case 'count_distinct': case 'count_star':
      type = 'BIGINT'
      break
    case 'sum':
      if (!numeric) throw typeError(ast, arg.type)
      type = arg.type === 'DOUBLE' ? 'DOUBLE' : 'BIGINT'
      break
    case 'avg':
      if (!numeric) throw typeError(ast, arg.type)
      type = 'DOUBLE'
      break
    case 'min': case 'max':
      if (arg.type === 'JSON') throw typeError(ast, arg.type)
      type = arg.type
      break
  }
  return { fn, arg, type, name }
}

function typeError(ast: AstFunction, type: DataType): Error {
  return sqlError('TYPE_MISMATCH', `function ${ast.name}(${type}) does not exist: "${formatAst(ast)}" needs a numeric argument`, ast.pos)
}
