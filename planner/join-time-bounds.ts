/**
 * How the watermark bounds a stream-stream join's state, derived as Spark derives its join state
 * watermark predicates (StreamingSymmetricHashJoinHelper, StreamingJoinHelper):
 *
 * - Watermark in the join keys: an equi-key pair of event-time columns (`a.ts = b.ts`, equal
 *   TUMBLE windows `x.window_end = y.window_end`): a buffered row whose key is at or before the
 *   watermark can no longer match. This takes precedence, as in Spark.
 * - Otherwise, a range condition: each conjunct `leftTime + c1 <op> rightTime + c2` (or
 *   BETWEEN, which is two of them) bounds one side by the other. Future rows of the other side
 *   have event time > watermark, so a row of this side whose time is at or below
 *   `watermark + c` (strict comparison) or `watermark + c - 1 ms` (non-strict) cannot match.
 *   Over several conjuncts the smallest (most conservative) bound wins, as in Spark.
 *
 * Columns carry a *lag*: how far below the watermark a future row's value may lie. The event
 * time itself and a window end lag 0; a window start lags the window size (a row on time for
 * [s, s + size) may have start = watermark - size + 1 ms).
 */
import type { Expr, JoinSideTime } from '../runtime/graph.ts'
import { assertNever } from '../runtime/errors.ts'

export interface SideTimeInfo {
  /** Number of left columns in the combined row. */
  readonly nl: number
  /** Per combined-row column: its lag, or null when it is not an event-time column. */
  readonly lags: readonly (number | null)[]
}

type Evict = NonNullable<JoinSideTime['evict']>

/** The conjuncts of an AND tree. */
export function conjuncts(e: Expr): Expr[] {
  if (e.kind === 'call' && e.fn === 'and') return e.args.flatMap(conjuncts)
  return [e]
}

/** The expression with every column position moved by `delta`. */
export function shiftColumns(e: Expr, delta: number): Expr {
  switch (e.kind) {
    case 'column': return { ...e, index: e.index + delta }
    case 'literal': return e
    case 'call': return { ...e, args: e.args.map((a) => shiftColumns(a, delta)) }
    case 'cast': return { ...e, expr: shiftColumns(e.expr, delta) }
    case 'case':
      return {
        ...e,
        operand: e.operand && shiftColumns(e.operand, delta),
        whens: e.whens.map((w) => ({ when: shiftColumns(w.when, delta), then: shiftColumns(w.then, delta) })),
        else: e.else && shiftColumns(e.else, delta),
      }
    default: return assertNever(e, 'expression')
  }
}

/** `column + c` (c in ms), for TIMESTAMP ± INTERVAL arithmetic. */
interface Linear { readonly col: number; readonly c: number }

function linear(e: Expr): Linear | null {
  if (e.kind === 'column') return { col: e.index, c: 0 }
  if (e.kind === 'cast' && e.type === 'TIMESTAMP') return linear(e.expr)
  if (e.kind !== 'call' || e.args.length !== 2 || (e.fn !== '+' && e.fn !== '-')) return null
  const [a, b] = e.args as [Expr, Expr]
  const bi = interval(b)
  if (bi !== null) {
    const l = linear(a)
    return l && { col: l.col, c: l.c + (e.fn === '+' ? bi : -bi) }
  }
  const ai = interval(a)
  if (ai !== null && e.fn === '+') {
    const l = linear(b)
    return l && { col: l.col, c: l.c + ai }
  }
  return null
}

function interval(e: Expr): number | null {
  return e.kind === 'literal' && e.type === 'INTERVAL' && typeof e.value === 'number' ? e.value : null
}

type Op = '<' | '<=' | '>' | '>='

/** The comparisons of a conjunct: `a op b`; BETWEEN is two, `=` is two non-strict. */
function comparisons(e: Expr): [Expr, Op, Expr][] {
  if (e.kind !== 'call') return []
  const [a, b, c] = e.args
  switch (e.fn) {
    case '<': case '<=': case '>': case '>=':
      return a && b ? [[a, e.fn, b]] : []
    case '=':
      return a && b ? [[a, '<=', b], [a, '>=', b]] : []
    case 'between':
      return a && b && c ? [[a, '>=', b], [a, '<=', c]] : []
    default:
      return []
  }
}

export function deriveSideTimes(
  leftKeys: readonly Expr[], rightKeys: readonly Expr[], conditions: readonly Expr[], info: SideTimeInfo,
): { leftTime: Pick<JoinSideTime, 'evict'>; rightTime: Pick<JoinSideTime, 'evict'> } {
  const { nl, lags } = info
  // Watermark in the join keys.
  for (let i = 0; i < leftKeys.length; i++) {
    const l = leftKeys[i]!
    const r = rightKeys[i]!
    if (l.kind !== 'column' || r.kind !== 'column') continue
    const lagL = lags[l.index]
    const lagR = lags[r.index + nl]
    if (lagL === null || lagL === undefined || lagR === null || lagR === undefined) continue
    return {
      leftTime: { evict: { column: l.index, offsetMs: 0 - lagR } },
      rightTime: { evict: { column: r.index, offsetMs: 0 - lagL } },
    }
  }
  // Range conditions: candidates per side, keyed by the bounded column.
  const left: Evict[] = []
  const right: Evict[] = []
  // Equi-keys over time expressions (`a.ts = b.ts + INTERVAL '1' MINUTE`) bound both sides too.
  const keyEqualities: Expr[] = leftKeys.map((l, i) => ({
    kind: 'call', fn: '=', args: [l, shiftColumns(rightKeys[i]!, nl)], type: 'BOOLEAN',
  }))
  for (const cond of [...keyEqualities, ...conditions]) {
    for (const [a, op, b] of comparisons(cond)) {
      const p = linear(a)
      const q = linear(b)
      if (p === null || q === null) continue
      const lagP = lags[p.col]
      const lagQ = lags[q.col]
      if (lagP === null || lagP === undefined || lagQ === null || lagQ === undefined) continue
      // Normalise to x - y <op> k with x a left column and y a right column.
      let x: Linear, y: Linear, o: Op
      if (p.col < nl && q.col >= nl) {
        x = p; y = q; o = op
      } else if (p.col >= nl && q.col < nl) {
        x = q; y = p; o = flip(op)
      } else {
        continue
      }
      const k = y.c - x.c
      const strict = o === '<' || o === '>'
      const lagX = lags[x.col]!
      const lagY = lags[y.col]!
      if (o === '>' || o === '>=') {
        // x > y + k: future right rows have y > watermark - lagY.
        left.push({ column: x.col, offsetMs: k - lagY - (strict ? 0 : 1) })
      } else {
        // y > x - k: future left rows have x > watermark - lagX.
        right.push({ column: y.col - nl, offsetMs: -k - lagX - (strict ? 0 : 1) })
      }
    }
  }
  return { leftTime: { evict: pick(left) }, rightTime: { evict: pick(right) } }
}

function flip(op: Op): Op {
  switch (op) {
    case '<': return '>'
    case '<=': return '>='
    case '>': return '<'
    case '>=': return '<='
    default: return assertNever(op, 'comparison')
  }
}

/** The first bounded column, with its most conservative (smallest) offset. */
function pick(candidates: readonly Evict[]): Evict | null {
  const first = candidates[0]
  if (first === undefined) return null
  const same = candidates.filter((c) => c.column === first.column)
  return { column: first.column, offsetMs: Math.min(...same.map((c) => c.offsetMs)) }
}
