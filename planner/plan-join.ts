/**
 * JOIN planning: binds `a JOIN b ON …` over the two inputs, splits the ON condition into
 * equi-join keys, one-input filters and the rest, classifies the join (stream-static,
 * static-stream, stream-stream), applies Spark's rules for which join types each kind supports,
 * and derives from the event-time conditions how the watermark bounds a stream-stream join's
 * state (`join-time-bounds.ts`).
 */
import type { AstJoin, FromItem } from './ast.ts'
import { columnsOf, type Expr, type JoinNode, type JoinSideTime, type OperatorNode } from '../runtime/graph.ts'
import { assertNever, sqlError } from '../runtime/errors.ts'
import { Scope, type ScopeColumn } from './scope.ts'
import { tumbleBoundsExprs } from './windows.ts'
import { bindBoolean, rejectAggregates, type PlanContext, type Planned } from './plan-query.ts'
import { conjuncts, deriveSideTimes, shiftColumns, type SideTimeInfo } from './join-time-bounds.ts'

type PlanFrom = (item: FromItem, ctx: PlanContext) => Planned

/** One planned input of a join. */
interface JoinInput {
  readonly node: OperatorNode
  readonly columns: readonly ScopeColumn[]
  readonly stream: boolean
  /** Per column: how far below the watermark a future row's value may lie (0 for the event time itself), null when not an event-time column. */
  readonly lags: readonly (number | null)[]
}

/** Event-time lags of the columns of scopes this module produced (a join's output). */
const scopeLags = new WeakMap<Scope, readonly (number | null)[]>()

const JOIN_WORDS: Record<JoinNode['joinType'], string> = {
  inner: 'INNER', left: 'LEFT OUTER', right: 'RIGHT OUTER', full: 'FULL OUTER',
}

export function planJoin(item: AstJoin, ctx: PlanContext, planFrom: PlanFrom): Planned {
  if (item.joinType === 'cross' || item.on === null) {
    throw sqlError('SQL_UNSUPPORTED', 'CROSS JOIN and comma-separated FROM lists are not supported; write JOIN … ON with an equality between the inputs', item.pos)
  }
  const joinType = item.joinType
  const left = planInput(item.left, ctx, planFrom)
  const right = planInput(item.right, ctx, planFrom)
  const nl = left.columns.length
  const columns: ScopeColumn[] = [
    ...left.columns,
    ...right.columns.map((c) => ({ ...c, index: c.index + nl })),
  ]
  const scope = new Scope(columns)
  const on = bindBoolean(item.on, scope.withInterceptor(rejectAggregates('JOIN … ON')), 'JOIN … ON')

  const leftKeys: Expr[] = []
  const rightKeys: Expr[] = []
  const rest: Expr[] = []
  for (const c of conjuncts(on)) {
    const pair = keyPair(c, nl)
    if (pair) {
      leftKeys.push(pair[0])
      rightKeys.push(pair[1])
    } else {
      rest.push(c)
    }
  }

  if (!left.stream && !right.stream && !ctx.batch) {
    throw sqlError('UNSUPPORTED_OPERATION', 'a join of two static tables is not a continuous query: at least one input must be a stream', item.pos)
  }
  if (leftKeys.length === 0) {
    throw sqlError('UNSUPPORTED_OPERATION',
      `a streaming join needs at least one equality between the two inputs in its ON condition (e.g. ON a.id = b.id); ${left.stream && right.stream ? 'stream-stream join without equality predicate is not supported' : 'a join without one would compare every row with every row'}`,
      item.pos)
  }
  const schema = { fields: columns.map((c) => ({ name: c.name, type: c.type })) }
  const lags = [...left.lags, ...right.lags]
  const base = { kind: 'join', id: ctx.id(), schema, joinType, left: left.node, right: right.node, leftKeys, rightKeys } as const

  let node: JoinNode
  if (!left.stream || !right.stream || ctx.batch) {
    checkStreamStatic(joinType, left.stream, right.stream, ctx, item)
    node = {
      ...base, inputs: left.stream || ctx.batch ? 'stream-static' : 'static-stream', condition: and(rest),
      leftFilter: null, rightFilter: null, leftTime: null, rightTime: null,
    }
  } else {
    node = planStreamStream(base, rest, left, right, ctx, item)
  }
  const out = new Scope(columns)
  scopeLags.set(out, lags)
  return { node, scope: out, updating: false }
}

function planInput(item: FromItem, ctx: PlanContext, planFrom: PlanFrom): JoinInput {
  if (item.kind === 'table' && !ctx.batch) {
    const rel = ctx.catalog.relation(item.name)
    if (rel && rel.kind === 'table') {
      // Not a source: the executor reads static tables through their provider.
      const node: OperatorNode = { kind: 'static-table', id: ctx.id(), schema: { fields: rel.fields }, table: rel.name }
      const scope = Scope.fromFields(rel.fields, item.alias ?? item.name, null)
      return { node, columns: scope.columns, stream: false, lags: rel.fields.map(() => null) }
    }
  }
  const planned = planFrom(item, ctx)
  if (planned.updating) {
    throw sqlError('UNSUPPORTED_OPERATION',
      'a join over the result of a streaming aggregation is not supported: the aggregation updates rows the join has already used (join first, then aggregate)', item.pos)
  }
  const stream = containsSource(planned.node)
  const known = scopeLags.get(planned.scope)
  if (planned.pendingWindow) {
    const { spec, tvf } = planned.pendingWindow
    if (spec.kind !== 'tumbling') {
      throw sqlError('SQL_UNSUPPORTED', `${tvf.fn.toUpperCase()} as a join input is not supported; join TUMBLE windows, or aggregate over the window after the join`, tvf.pos)
    }
    const inputs = planned.scope.columns.slice(0, -2)
    const exprs: Expr[] = inputs.map((c) => ({ kind: 'column', index: c.index, type: c.type, name: c.name }))
    exprs.push(...tumbleBoundsExprs(spec))
    const node: OperatorNode = { kind: 'project', id: ctx.id(), schema: { fields: planned.scope.fields() }, input: planned.node, exprs }
    const n = inputs.length
    const lags = planned.scope.columns.map((c, i) => (!c.eventTime ? null : i === n ? spec.size : 0))
    return { node, columns: planned.scope.columns, stream, lags }
  }
  // window_start of a window planned elsewhere lags its event time by an unknown window size.
  const lags = known ?? planned.scope.columns.map((c) => (!c.eventTime ? null : c.name === 'window_start' ? null : 0))
  return { node: planned.node, columns: planned.scope.columns, stream, lags }
}

function containsSource(node: OperatorNode): boolean {
  switch (node.kind) {
    case 'source': return true
    case 'static-table': return false
    case 'join': return containsSource(node.left) || containsSource(node.right)
    default: return containsSource(node.input)
  }
}

/** `l = r` with one side over left columns only and the other over right columns only. */
function keyPair(c: Expr, nl: number): [Expr, Expr] | null {
  if (c.kind !== 'call' || c.fn !== '=' || c.args.length !== 2) return null
  const [a, b] = c.args as [Expr, Expr]
  const side = (e: Expr): 'left' | 'right' | null => {
    const cols = columnsOf(e)
    if (cols.length === 0) return null
    if (cols.every((i) => i < nl)) return 'left'
    if (cols.every((i) => i >= nl)) return 'right'
    return null
  }
  const sa = side(a)
  const sb = side(b)
  if (sa === 'left' && sb === 'right') return [a, shiftColumns(b, -nl)]
  if (sa === 'right' && sb === 'left') return [b, shiftColumns(a, -nl)]
  return null
}

function and(parts: readonly Expr[]): Expr | null {
  if (parts.length === 0) return null
  return parts.reduce((acc, p) => ({ kind: 'call', fn: 'and', args: [acc, p], type: 'BOOLEAN' }))
}

/** Spark's support matrix for a stream joined with a static table. */
function checkStreamStatic(joinType: JoinNode['joinType'], leftStream: boolean, rightStream: boolean, ctx: PlanContext, item: AstJoin): void {
  if (ctx.batch) return
  if (joinType === 'full') {
    throw sqlError('UNSUPPORTED_OPERATION', 'FULL OUTER join between a stream and a static table is not supported: the static side\'s unmatched rows would never be final', item.pos)
  }
  if (joinType === 'right' && leftStream && !rightStream) {
    throw sqlError('UNSUPPORTED_OPERATION', 'RIGHT OUTER join with a stream on the left and a static table on the right is not supported (the preserved side must be the stream); write it as a LEFT OUTER join with the stream on the left', item.pos)
  }
  if (joinType === 'left' && !leftStream && rightStream) {
    throw sqlError('UNSUPPORTED_OPERATION', 'LEFT OUTER join with a static table on the left and a stream on the right is not supported (the preserved side must be the stream); write it as a LEFT OUTER join with the stream on the left', item.pos)
  }
}

function planStreamStream(
  base: Omit<JoinNode, 'inputs' | 'condition' | 'leftFilter' | 'rightFilter' | 'leftTime' | 'rightTime'>,
  rest: readonly Expr[], left: JoinInput, right: JoinInput, ctx: PlanContext, item: AstJoin,
): JoinNode {
  const nl = left.columns.length
  const leftOnly: Expr[] = []
  const rightOnly: Expr[] = []
  const both: Expr[] = []
  for (const c of rest) {
    const cols = columnsOf(c)
    if (cols.length > 0 && cols.every((i) => i < nl)) leftOnly.push(c)
    else if (cols.length > 0 && cols.every((i) => i >= nl)) rightOnly.push(shiftColumns(c, -nl))
    else both.push(c)
  }
  const info: SideTimeInfo = { nl, lags: [...left.lags, ...right.lags] }
  const { leftTime, rightTime } = deriveSideTimes(base.leftKeys, base.rightKeys, both, info)
  const joinType = base.joinType
  const needLeft = joinType === 'left' || joinType === 'full'
  const needRight = joinType === 'right' || joinType === 'full'
  if ((needLeft && leftTime.evict === null) || (needRight && rightTime.evict === null)) {
    throw sqlError('UNSUPPORTED_OPERATION',
      `stream-stream ${JOIN_WORDS[joinType]} join is not supported without a watermark in the join keys, or a watermark on both inputs and a range condition ` +
      `that bounds the ${needLeft && needRight ? 'event time of each input by the other\'s' : `${needLeft ? 'left' : 'right'} input's event time by the other's`} ` +
      `(e.g. b.ts BETWEEN a.ts - INTERVAL '1' HOUR AND a.ts): without one its unmatched rows could never be emitted`,
      item.pos)
  }
  if (leftTime.evict === null || rightTime.evict === null) {
    const which = leftTime.evict === null && rightTime.evict === null ? 'both inputs' : leftTime.evict === null ? 'the left input' : 'the right input'
    ctx.warnings.push(`stream-stream join without an event-time range condition bounding ${which}: the state of ${which} grows without bound`)
  }
  ctx.statefulNodes.push({ node: { outputMode: 'append' }, watermarkBound: true, aggregation: false, join: joinType === 'inner' ? 'inner' : 'outer' })
  return {
    ...base, inputs: 'stream-stream', condition: and(both), leftFilter: and(leftOnly), rightFilter: and(rightOnly),
    leftTime: withLate(leftTime, left.lags), rightTime: withLate(rightTime, right.lags),
  }
}

/** The column deciding lateness: the eviction column, else the first event-time column. */
function withLate(t: Pick<JoinSideTime, 'evict'>, lags: readonly (number | null)[]): JoinSideTime {
  if (t.evict !== null) return { evict: t.evict, late: { column: t.evict.column, lagMs: lags[t.evict.column] ?? 0 } }
  const i = lags.findIndex((l) => l !== null)
  return { evict: null, late: i < 0 ? null : { column: i, lagMs: lags[i]! } }
}

/**
 * Folds a projection of plain columns directly over a join into the join (`output`), so the join
 * builds each output row once instead of a combined row and then its projection.
 */
export function fuseJoinOutput(node: OperatorNode): OperatorNode {
  switch (node.kind) {
    case 'source': case 'static-table':
      return node
    case 'join':
      return { ...node, left: fuseJoinOutput(node.left), right: fuseJoinOutput(node.right) }
    case 'project': {
      const input = fuseJoinOutput(node.input)
      if (input.kind === 'join' && input.output === undefined && node.exprs.every((e) => e.kind === 'column')) {
        return { ...input, schema: node.schema, output: node.exprs.map((e) => (e as { index: number }).index) }
      }
      return { ...node, input }
    }
    case 'filter': case 'window-aggregate': case 'aggregate': case 'deduplicate': case 'sort':
      return { ...node, input: fuseJoinOutput(node.input) }
    default:
      return assertNever(node, 'operator node')
  }
}
