/**
 * Event-time windows: from window table functions (`TUMBLE(src, ts, size)` …) and from Spark's
 * `GROUP BY window(ts, '10 minutes'[, '5 minutes'[, offset]])` / `session_window(ts, gap)`.
 */
import type { AstExpr, AstFunction, AstWindowTvf } from './ast.ts'
import type { Expr, WindowSpec } from '../runtime/graph.ts'
import { sqlError } from '../runtime/errors.ts'
import { formatDuration, parseDuration } from '../runtime/duration.ts'
import type { Scope } from './scope.ts'
import type { AstColumn } from './ast.ts'

const TVF_ARGS: Readonly<Record<AstWindowTvf['fn'], { names: readonly string[]; optional: number }>> = {
  tumble: { names: ['size', 'offset'], optional: 1 },
  hop: { names: ['slide', 'size', 'offset'], optional: 1 },
  cumulate: { names: ['step', 'size', 'offset'], optional: 1 },
  session: { names: ['gap'], optional: 0 },
}

export function windowFromTvf(tvf: AstWindowTvf, scope: Scope): WindowSpec {
  const timeColumn = resolveTimeColumn(tvf.timeColumn, scope, tvf.fn.toUpperCase())
  const shape = TVF_ARGS[tvf.fn]
  const required = shape.names.length - shape.optional
  if (tvf.args.length < required || tvf.args.length > shape.names.length) {
    const sig = `${tvf.fn.toUpperCase()}(source, time_column, ${shape.names.slice(0, required).join(', ')}${shape.optional ? `[, ${shape.names.slice(required).join(', ')}]` : ''})`
    throw sqlError('INVALID_WINDOW', `${tvf.fn.toUpperCase()} takes ${sig}`, tvf.pos)
  }
  const ms = tvf.args.map((a, i) => durationArg(a, `${tvf.fn.toUpperCase()} ${shape.names[i]}`, shape.names[i] === 'offset'))
  switch (tvf.fn) {
    case 'tumble':
      return { kind: 'tumbling', timeColumn, size: ms[0]!, offset: ms[1] ?? 0 }
    case 'hop':
      return hopping(timeColumn, ms[1]!, ms[0]!, ms[2] ?? 0, tvf.pos)
    case 'cumulate': {
      const [step, size] = [ms[0]!, ms[1]!]
      if (size % step !== 0) {
        throw sqlError('INVALID_WINDOW', `CUMULATE size (${formatDuration(size)}) must be a multiple of its step (${formatDuration(step)})`, tvf.pos)
      }
      return { kind: 'cumulating', timeColumn, size, step, offset: ms[2] ?? 0 }
    }
    case 'session':
      return { kind: 'session', timeColumn, gap: ms[0]! }
  }
}

/** Spark's `window(ts, size[, slide[, offset]])` and `session_window(ts, gap)` in GROUP BY. */
export function windowFromGroupBy(fn: AstFunction, scope: Scope): WindowSpec {
  const name = fn.name
  const first = fn.args[0]
  if (!first || first.kind !== 'column') {
    throw sqlError('INVALID_WINDOW', `${name}() takes the event-time column as its first argument`, fn.pos)
  }
  const timeColumn = resolveTimeColumn(first, scope, name)
  const rest = fn.args.slice(1)
  if (name === 'session_window') {
    if (rest.length !== 1) throw sqlError('INVALID_WINDOW', 'session_window(time_column, gap) takes a gap duration', fn.pos)
    return { kind: 'session', timeColumn, gap: durationArg(rest[0]!, 'session gap', false) }
  }
  if (rest.length < 1 || rest.length > 3) {
    throw sqlError('INVALID_WINDOW', 'window(time_column, size[, slide[, start_time]]) takes one to three durations', fn.pos)
  }
  const size = durationArg(rest[0]!, 'window size', false)
  const slide = rest[1] ? durationArg(rest[1], 'window slide', false) : size
  const offset = rest[2] ? durationArg(rest[2], 'window start time', true) : 0
  return slide === size ? { kind: 'tumbling', timeColumn, size, offset } : hopping(timeColumn, size, slide, offset, fn.pos)
}

export function isWindowFunction(ast: AstExpr): ast is AstFunction {
  return ast.kind === 'function' && (ast.name === 'window' || ast.name === 'session_window')
}

/** `window_start` and `window_end` of a tumbling window, computed per row. */
export function tumbleBoundsExprs(spec: Extract<WindowSpec, { kind: 'tumbling' }>): [Expr, Expr] {
  const time: Expr = { kind: 'column', index: spec.timeColumn, type: 'TIMESTAMP' }
  const size: Expr = { kind: 'literal', value: spec.size, type: 'INTERVAL' }
  const offset: Expr = { kind: 'literal', value: spec.offset, type: 'INTERVAL' }
  const start: Expr = { kind: 'call', fn: 'tumble_start', args: [time, size, offset], type: 'TIMESTAMP' }
  return [start, { kind: 'call', fn: '+', args: [start, size], type: 'TIMESTAMP' }]
}

export function describeWindow(spec: WindowSpec, timeName: string): string {
  const off = 'offset' in spec && spec.offset !== 0 ? `, offset=${formatDuration(spec.offset)}` : ''
  switch (spec.kind) {
    case 'tumbling':
      return `tumbling(${timeName}, size=${formatDuration(spec.size)}${off})`
    case 'hopping':
      return `hopping(${timeName}, size=${formatDuration(spec.size)}, slide=${formatDuration(spec.slide)}${off})`
    case 'cumulating':
      return `cumulating(${timeName}, step=${formatDuration(spec.step)}, size=${formatDuration(spec.size)}${off})`
    case 'session':
      return `session(${timeName}, gap=${formatDuration(spec.gap)})`
  }
}

function hopping(timeColumn: number, size: number, slide: number, offset: number, pos: AstExpr['pos']): WindowSpec {
  if (slide > size) {
    throw sqlError('INVALID_WINDOW', `a hopping window's slide (${formatDuration(slide)}) must not exceed its size (${formatDuration(size)})`, pos)
  }
  return slide === size ? { kind: 'tumbling', timeColumn, size, offset } : { kind: 'hopping', timeColumn, size, slide, offset }
}

function resolveTimeColumn(col: AstColumn, scope: Scope, what: string): number {
  const resolved = scope.resolveColumn(col)
  if (resolved.type !== 'TIMESTAMP') {
    throw sqlError('INVALID_WINDOW', `${what} needs a TIMESTAMP time column, but "${col.name}" is ${resolved.type}`, col.pos)
  }
  return resolved.index
}

function durationArg(ast: AstExpr, what: string, allowZero: boolean): number {
  let ms: number | null = null
  if (ast.kind === 'interval') ms = ast.ms
  else if (ast.kind === 'literal' && ast.type === 'string') ms = parseDuration(String(ast.value))
  if (ms === null) {
    throw sqlError('INVALID_WINDOW', `${what} must be an interval such as INTERVAL '1' MINUTE or '1 minute'`, ast.pos)
  }
  if (ms < 0 || (ms === 0 && !allowZero) || !Number.isInteger(ms)) {
    throw sqlError('INVALID_WINDOW', `${what} must be a positive whole number of milliseconds`, ast.pos)
  }
  return ms
}
