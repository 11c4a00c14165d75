/**
 * The operator graph: the one serialisable plan type between planner and runtime.
 *
 * The planner produces a `QueryGraph`; the runtime instantiates one operator per node and runs
 * it in micro-batches. Everything here is plain data (JSON-serialisable, no functions), so a
 * graph can be stored in a checkpoint and compared on restart.
 */
import type { DataType, Schema, Value } from './types.ts'
import { assertNever } from './errors.ts'

// ---------------------------------------------------------------------------------------------
// Expressions (bound and typed: columns are positions in the operator's input row)
// ---------------------------------------------------------------------------------------------

export type Expr = ColumnExpr | LiteralExpr | CallExpr | CaseExpr | CastExpr

/** The value at `index` in the input row (for a join's combined row: left columns then right). */
export interface ColumnExpr {
  readonly kind: 'column'
  readonly index: number
  readonly type: DataType
  /** For EXPLAIN only. */
  readonly name?: string
}

/** A constant. INTERVAL literals are milliseconds; TIMESTAMP literals epoch milliseconds. */
export interface LiteralExpr {
  readonly kind: 'literal'
  readonly value: Value
  readonly type: DataType
}

/**
 * A scalar function or operator. `fn` is one of the names in `SCALAR_FUNCTIONS` (planner side)
 * and `compileExpr` (runtime side); operators have symbolic names: `and`, `or`, `not`, `=`, `<>`,
 * `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `/`, `%`, `neg`, `is_null`, `is_not_null`, `like`,
 * `not_like`, `in`, `not_in` (args: value, then list), `between`, `not_between`, `concat`,
 * `json_get` (`->`), `json_get_text` (`->>`), and the named functions (`lower`, `coalesce`, …).
 */
export interface CallExpr {
  readonly kind: 'call'
  readonly fn: string
  readonly args: readonly Expr[]
  readonly type: DataType
}

export interface CaseExpr {
  readonly kind: 'case'
  /** `CASE operand WHEN …`; absent for the searched form `CASE WHEN cond …`. */
  readonly operand: Expr | null
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[]
  readonly else: Expr | null
  readonly type: DataType
}

export interface CastExpr {
  readonly kind: 'cast'
  readonly expr: Expr
  readonly type: DataType
}

// ---------------------------------------------------------------------------------------------
// Aggregates and windows
// ---------------------------------------------------------------------------------------------

export type AggregateFn = 'count_star' | 'count' | 'count_distinct' | 'sum' | 'min' | 'max' | 'avg'

/**
 * One aggregate. `arg` is null for `count_star`. Result types: count* → BIGINT, sum of integers
 * → BIGINT, sum of DOUBLE → DOUBLE, avg → DOUBLE, min/max → the argument's type. NULL
 * arguments are ignored; SUM/MIN/MAX/AVG of no non-null value is NULL, COUNT of none is 0.
 */
export interface AggregateCall {
  readonly fn: AggregateFn
  readonly arg: Expr | null
  readonly type: DataType
  /** For EXPLAIN only, e.g. `count(*)`. */
  readonly name: string
}

/**
 * An event-time window assignment. Sizes are milliseconds; `timeColumn` is the input column
 * holding the event time (TIMESTAMP). Windows are [start, end), aligned to the epoch plus
 * `offset`.
 *
 * - tumbling: one window per row, `start = floor((t - offset) / size) * size + offset`.
 * - hopping: windows of `size` every `slide`; a row is in every window with start <= t < end.
 * - cumulating: windows [s, s + step), [s, s + 2·step) … [s, s + size) where s is the
 *   tumbling start for `size`; a row is in every such window with t < end.
 * - session: per grouping key, rows closer than `gap` share a window [first, last + gap).
 */
export type WindowSpec =
  | { readonly kind: 'tumbling'; readonly timeColumn: number; readonly size: number; readonly offset: number }
  | { readonly kind: 'hopping'; readonly timeColumn: number; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'cumulating'; readonly timeColumn: number; readonly size: number; readonly step: number; readonly offset: number }
  | { readonly kind: 'session'; readonly timeColumn: number; readonly gap: number }

export type OutputMode = 'append' | 'update' | 'complete'

// ---------------------------------------------------------------------------------------------
// Operator nodes
// ---------------------------------------------------------------------------------------------

/** A watermark declared on a source: `column` is the event-time column, `delayMs` its delay. */
export interface WatermarkSpec {
  readonly column: number
  readonly delayMs: number
}

interface NodeBase {
  /** Unique within the graph; names the operator's state (`op-<id>`). */
  readonly id: number
  /** The rows this node outputs. */
  readonly schema: Schema
}

/** Rows read from a catalog stream. The only leaf of a streaming graph. */
export interface SourceNode extends NodeBase {
  readonly kind: 'source'
  /** The catalog name of the stream. */
  readonly source: string
  readonly watermark: WatermarkSpec | null
}

/** A bounded table loaded when the query starts (stream-static joins). */
export interface StaticTableNode extends NodeBase {
  readonly kind: 'static-table'
  readonly table: string
}

export interface FilterNode extends NodeBase {
  readonly kind: 'filter'
  readonly input: OperatorNode
  readonly predicate: Expr
}

export interface ProjectNode extends NodeBase {
  readonly kind: 'project'
  readonly input: OperatorNode
  readonly exprs: readonly Expr[]
}

/**
 * Aggregation over event-time windows. Output rows: `[window_start, window_end, ...keys,
 * ...aggregates]`. Input is append-only.
 *
 * Late rows: a row is dropped (and counted) when the end of the window it would update is at
 * or before the watermark in force for the batch (per window, so a hopping row may be late for
 * one window and on time for the next). Complete mode drops nothing and evicts nothing.
 *
 * Emission per batch: append — windows whose end <= watermark, once, then their state is
 * removed; update — groups changed in this batch (`+` first time, `U-`/`U+` after), and closed
 * windows are evicted silently; complete — every group, as a snapshot.
 */
export interface WindowAggregateNode extends NodeBase {
  readonly kind: 'window-aggregate'
  readonly input: OperatorNode
  readonly window: WindowSpec
  readonly keys: readonly Expr[]
  readonly aggregates: readonly AggregateCall[]
  readonly outputMode: OutputMode
}

/**
 * Aggregation without windows. Output rows: `[...keys, ...aggregates]`. Input is append-only.
 * `eventTimeKey` is the index in `keys` of a watermarked event-time key (GROUP BY ts, …): with
 * it a group is closed once that key is at or before the watermark (append mode emits it then
 * and evicts it; late rows for closed groups are dropped). Without it state is unbounded and
 * only update and complete modes are allowed.
 */
export interface AggregateNode extends NodeBase {
  readonly kind: 'aggregate'
  readonly input: OperatorNode
  readonly keys: readonly Expr[]
  readonly aggregates: readonly AggregateCall[]
  readonly outputMode: OutputMode
  readonly eventTimeKey: number | null
}

/**
 * SELECT DISTINCT over an append-only stream: a row is emitted the first time it is seen.
 * With `eventTimeColumn` (an input column carrying the watermark), rows whose event time is at
 * or before the watermark are dropped as late and state older than the watermark is evicted;
 * without it state is unbounded.
 */
export interface DeduplicateNode extends NodeBase {
  readonly kind: 'deduplicate'
  readonly input: OperatorNode
  readonly eventTimeColumn: number | null
}

/** ORDER BY / LIMIT over a complete-mode snapshot (the only place a stream may be sorted). */
export interface SortNode extends NodeBase {
  readonly kind: 'sort'
  readonly input: OperatorNode
  readonly keys: readonly { readonly expr: Expr; readonly descending: boolean; readonly nullsFirst: boolean }[]
  readonly limit: number | null
}

/**
 * How the watermark bounds one input of a stream-stream join. Values are that input's own row
 * positions. `null` fields mean "never": no late rows, or state kept forever.
 */
export interface JoinSideTime {
  /** A row is late (dropped, counted) when `row[column] <= watermark - lagMs`. */
  readonly late: { readonly column: number; readonly lagMs: number } | null
  /**
   * A buffered row can no longer match once `row[column] <= watermark + offsetMs` (Spark's join
   * state watermark): it is removed, and emitted with NULLs first if its side is preserved by an
   * outer join and it never matched.
   */
  readonly evict: { readonly column: number; readonly offsetMs: number } | null
}

/**
 * An equi-join. Output rows: left columns then right columns (NULLs for the missing side of an
 * outer join's unmatched row). Inputs are append-only; so is the output.
 *
 * - `stream-static` / `static-stream`: the static input (a `static-table` node, the right or the
 *   left) is hashed on its keys whenever a new version of it arrives; every stream row is
 *   joined with it at once. Stateless: nothing is late, nothing is buffered.
 * - `stream-stream`: both inputs are buffered (symmetric hash join); `leftTime`/`rightTime` say
 *   what is late and when a buffered row is dropped.
 *
 * A row whose key has a NULL never matches.
 */
export interface JoinNode extends NodeBase {
  readonly kind: 'join'
  readonly joinType: 'inner' | 'left' | 'right' | 'full'
  readonly inputs: 'stream-static' | 'static-stream' | 'stream-stream'
  readonly left: OperatorNode
  readonly right: OperatorNode
  /** Equi-join keys: `leftKeys[i]` over left rows equals `rightKeys[i]` over right rows. */
  readonly leftKeys: readonly Expr[]
  readonly rightKeys: readonly Expr[]
  /** Any further condition over the combined row (left columns then right). */
  readonly condition: Expr | null
  /**
   * Stream-stream only: the parts of the ON condition over one input alone (over that input's
   * row). A row failing its filter can never match: it is not buffered, and an outer join emits
   * it with NULLs at once (Spark's pre-join filter).
   */
  readonly leftFilter: Expr | null
  readonly rightFilter: Expr | null
  /** Stream-stream only (null otherwise). */
  readonly leftTime: JoinSideTime | null
  readonly rightTime: JoinSideTime | null
  /**
   * The combined-row columns emitted, in order (a projection of plain columns fused into the
   * join, so no combined row is built for it); absent: every column. `schema` is the output's.
   */
  readonly output?: readonly number[]
}

export type OperatorNode =
  | SourceNode
  | StaticTableNode
  | FilterNode
  | ProjectNode
  | WindowAggregateNode
  | AggregateNode
  | DeduplicateNode
  | SortNode
  | JoinNode

/** A planned continuous query: its operator tree and what it promises about its output. */
export interface QueryGraph {
  readonly root: OperatorNode
  readonly outputMode: OutputMode
  /** The output columns (root.schema). */
  readonly schema: Schema
  /** The stream names read, in order of appearance. */
  readonly sources: readonly string[]
}

/** The distinct column positions an expression reads. */
export function columnsOf(e: Expr): number[] {
  const out = new Set<number>()
  const visit = (x: Expr): void => {
    switch (x.kind) {
      case 'column': out.add(x.index); return
      case 'literal': return
      case 'call': x.args.forEach(visit); return
      case 'cast': visit(x.expr); return
      case 'case':
        if (x.operand) visit(x.operand)
        for (const w of x.whens) { visit(w.when); visit(w.then) }
        if (x.else) visit(x.else)
        return
      default: assertNever(x, 'expression')
    }
  }
  visit(e)
  return [...out]
}

export function nodeInputs(node: OperatorNode): OperatorNode[] {
  switch (node.kind) {
    case 'source':
    case 'static-table':
      return []
    case 'join':
      return [node.left, node.right]
    default:
      return [node.input]
  }
}
