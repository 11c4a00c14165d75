/** Graph-node builders for operator tests: only column and literal expressions. */
import type { AggregateCall, AggregateFn, AggregateNode, ColumnExpr, DeduplicateNode, Expr, OutputMode, SourceNode, WindowAggregateNode, WindowSpec } from '../graph.ts'
import type { DataType } from '../types.ts'

export const source: SourceNode = { kind: 'source', id: 0, schema: { fields: [] }, source: 'events', watermark: null }

export function col(index: number, type: DataType = 'BIGINT'): ColumnExpr {
  return { kind: 'column', index, type }
}

export function agg(fn: AggregateFn, arg: Expr | null = null, type: DataType = 'BIGINT'): AggregateCall {
  return { fn, arg, type, name: fn }
}

export function windowNode(window: WindowSpec, keys: Expr[], aggregates: AggregateCall[], outputMode: OutputMode): WindowAggregateNode {
  return { kind: 'window-aggregate', id: 1, schema: { fields: [] }, input: source, window, keys, aggregates, outputMode }
}

export function aggregateNode(keys: Expr[], aggregates: AggregateCall[], outputMode: OutputMode, eventTimeKey: number | null = null): AggregateNode {
  return { kind: 'aggregate', id: 1, schema: { fields: [] }, input: source, keys, aggregates, outputMode, eventTimeKey }
}

export function deduplicateNode(eventTimeColumn: number | null): DeduplicateNode {
  return { kind: 'deduplicate', id: 1, schema: { fields: [] }, input: source, eventTimeColumn }
}

export const tumbling = (size: number, timeColumn = 1, offset = 0): WindowSpec => ({ kind: 'tumbling', timeColumn, size, offset })
export const hopping = (size: number, slide: number, timeColumn = 1, offset = 0): WindowSpec => ({ kind: 'hopping', timeColumn, size, slide, offset })
export const cumulating = (size: number, step: number, timeColumn = 1, offset = 0): WindowSpec => ({ kind: 'cumulating', timeColumn, size, step, offset })
export const session = (gap: number, timeColumn = 1): WindowSpec => ({ kind: 'session', timeColumn, gap })
