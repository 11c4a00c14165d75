/**
 * Seeded random inputs for the differential test: event streams, their split into
 * micro-batches, and queries from a small grammar of the SQL Weir supports (see query-ast.ts).
 * Everything is a pure function of the seed, so a failing case is reproduced from its seed.
 */
import type { AggFn, QExpr, Query, ScalarType, WindowDef } from './query-ast.ts'

/** mulberry32: a tiny, fast 32-bit PRNG. */
export class Rng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T
  }
}

/** A per-case seed derived from the run seed and the case number (splitmix-style mixing). */
export function caseSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** One event: `ts` is epoch milliseconds and never NULL (Weir and Spark drop NULL event times). */
export interface Event {
  readonly k: number | null
  readonly v: number | null
  readonly s: string | null
  readonly ts: number
}

export interface EventStream {
  /** The type of column `v`. */
  readonly vType: 'INT' | 'DOUBLE'
  /** Watermark delay in seconds. */
  readonly delayS: number
  readonly rows: readonly Event[]
  /** Row counts of the micro-batches, in order; they sum to rows.length, each >= 1. */
  readonly batches: readonly number[]
}

export const T0 = Date.parse('2026-01-01T00:00:00Z')

// '～' (U+FF5E) and '😀' (U+1F600, a surrogate pair in UTF-16) order one way by code point, as
// Spark and DuckDB compare strings, and the other by UTF-16 code unit, as JavaScript's `<` does.
const STRINGS = [
  'a', 'b', 'A', 'ab', ' ab ', 'abc', 'bcd', 'x_y', '', 'hello', 'Hello world', '50%', 'zz',
  '\uff5e', '\u{1f600}', 'a\u{1f600}',
]

export function generateEvents(rng: Rng, maxRows = 80, maxBatches = 10): EventStream {
  const vType = rng.chance(0.5) ? 'INT' : 'DOUBLE'
  const n = rng.int(1, maxRows)
  const rows: Event[] = []
  let cursor = T0 + rng.int(0, 5000)
  for (let i = 0; i < n; i++) {
    cursor += rng.int(0, 1500)
    let ts = cursor
    const r = rng.next()
    if (r < 0.08) ts = cursor - rng.int(5000, 20000) // very late
    else if (r < 0.2) ts = cursor - rng.int(1, 3000) // out of order
    if (rng.chance(0.25)) ts -= ts % 1000 // on a second boundary: window edges
    const v = rng.chance(0.1) ? null : vType === 'INT' ? rng.int(-10, 20) : rng.int(-40, 40) / 4
    rows.push({
      k: rng.chance(0.07) ? null : rng.chance(0.05) ? -1 : rng.int(0, 4),
      v,
      s: rng.chance(0.1) ? null : rng.pick(STRINGS),
      ts,
    })
  }
  return { vType, delayS: rng.int(0, 4), rows, batches: splitBatches(rng, n, maxBatches) }
}

function splitBatches(rng: Rng, n: number, maxBatches: number): number[] {
  const count = rng.int(1, Math.min(n, maxBatches))
  const cuts = new Set<number>()
  while (cuts.size < count - 1) cuts.add(rng.int(1, n - 1))
  const sorted = [...cuts].sort((a, b) => a - b)
  const sizes: number[] = []
  let prev = 0
  for (const c of [...sorted, n]) {
    sizes.push(c - prev)
    prev = c
  }
  return sizes
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

type NumType = 'INT' | 'DOUBLE'

interface Typed {
  readonly e: QExpr
  readonly t: ScalarType
}

const col = (name: string): QExpr => ({ kind: 'col', name })
const lit = (value: number | string | boolean | null, type: ScalarType): QExpr => ({ kind: 'lit', value, type })
const fn = (name: string, ...args: QExpr[]): QExpr => ({ kind: 'fn', name, args })

export class ExprGen {
  constructor(private readonly rng: Rng, private readonly vType: NumType) {}

  private numLit(t: NumType): QExpr {
    return t === 'INT' ? lit(this.rng.int(-3, 12), 'INT') : lit(this.rng.int(-20, 40) / 4, 'DOUBLE')
  }

  /** A numeric expression. */
  num(depth: number): Typed {
    const r = this.rng
    if (depth <= 0 || r.chance(0.35)) {
      const c = r.int(0, 3)
      if (c === 0) return { e: col('k'), t: 'INT' }
      if (c === 1) return { e: col('v'), t: this.vType }
      const t: NumType = r.chance(0.5) ? 'INT' : 'DOUBLE'
      return { e: this.numLit(t), t }
    }
    const d = depth - 1
    switch (r.int(0, 8)) {
      case 0: {
        const a = this.num(d)
        const b = this.num(d)
        return { e: { kind: 'bin', op: r.pick(['+', '-', '*'] as const), l: a.e, r: b.e }, t: wider(a.t, b.t) }
      }
      case 1: // `/` only by a non-zero DOUBLE literal: no integer division, no division by zero
        return { e: { kind: 'bin', op: '/', l: this.num(d).e, r: lit(r.pick([2, 4, 0.5, -2]), 'DOUBLE') }, t: 'DOUBLE' }
      case 2: // `%` of an INT by a positive literal (both sides truncate toward zero)
        return { e: { kind: 'bin', op: '%', l: col(this.vType === 'INT' && r.chance(0.5) ? 'v' : 'k'), r: lit(r.int(2, 4), 'INT') }, t: 'INT' }
      case 3: {
        const a = this.num(d)
        return { e: fn('abs', a.e), t: a.t }
      }
      case 4: { // rounding functions of DOUBLE arguments only
        const a = this.num(d)
        if (a.t === 'INT') return a
        const name = r.pick(['round', 'floor', 'ceil'])
        return { e: name === 'round' && r.chance(0.5) ? fn('round', a.e, lit(1, 'INT')) : fn(name, a.e), t: 'DOUBLE' }
      }
      case 5:
        return { e: fn('length', this.str(d).e), t: 'INT' }
      case 6: {
        const a = this.num(d)
        const b = this.num(d)
        return { e: fn('coalesce', a.e, b.e), t: wider(a.t, b.t) }
      }
      case 7: {
        const a = this.num(d)
        const b = this.num(d)
        return { e: { kind: 'case', whens: [{ when: this.bool(d), then: a.e }], else: r.chance(0.7) ? b.e : null }, t: wider(a.t, b.t) }
      }
      default:
        return { e: fn('nullif', col('k'), lit(r.int(0, 4), 'INT')), t: 'INT' }
    }
  }

  /** A VARCHAR expression. */
  str(depth: number): Typed {
    const r = this.rng
    const t: ScalarType = 'VARCHAR'
    if (depth <= 0 || r.chance(0.4)) return { e: r.chance(0.75) ? col('s') : lit(r.pick(STRINGS), t), t }
    const d = depth - 1
    switch (r.int(0, 6)) {
      case 0:
        return { e: fn(r.pick(['upper', 'lower', 'trim']), this.str(d).e), t }
      case 1: {
        const start = lit(r.int(1, 3), 'INT')
        const args = r.chance(0.5) ? [this.str(d).e, start, lit(r.int(0, 3), 'INT')] : [this.str(d).e, start]
        return { e: fn('substring', ...args), t }
      }
      case 2:
        return { e: { kind: 'bin', op: '||', l: this.str(d).e, r: this.str(d).e }, t }
      case 3:
        return { e: fn('concat', this.str(d).e, this.str(d).e), t }
      case 4:
        return { e: fn('coalesce', this.str(d).e, lit(r.pick(STRINGS), t)), t }
      case 5:
        return { e: { kind: 'cast', e: col('k'), type: 'VARCHAR' }, t }
      default:
        return { e: { kind: 'case', whens: [{ when: this.bool(d), then: this.str(d).e }], else: this.str(d).e }, t }
    }
  }

  /** A BOOLEAN expression (a predicate). */
  bool(depth: number): QExpr {
    const r = this.rng
    const d = Math.max(0, depth - 1)
    const choice = depth <= 0 ? r.int(0, 6) : r.int(0, 9)
    switch (choice) {
      case 0:
      case 1: {
        const op = r.pick(['=', '<>', '<', '<=', '>', '>='] as const)
        if (r.chance(0.7)) return { kind: 'bin', op, l: this.num(d).e, r: this.numLit(r.chance(0.5) ? 'INT' : 'DOUBLE') }
        return { kind: 'bin', op, l: this.str(d).e, r: r.chance(0.6) ? lit(r.pick(STRINGS), 'VARCHAR') : this.str(d).e }
      }
      case 2:
        return { kind: 'is_null', e: r.pick([col('k'), col('v'), col('s'), this.num(d).e]), negated: r.chance(0.5) }
      case 3: {
        if (r.chance(0.5)) {
          const list = Array.from({ length: r.int(1, 4) }, () => (r.chance(0.1) ? lit(null, 'INT') : lit(r.int(-1, 5), 'INT')))
          return { kind: 'in', e: col('k'), list, negated: r.chance(0.3) }
        }
        const list = Array.from({ length: r.int(1, 3) }, () => lit(r.pick(STRINGS), 'VARCHAR'))
        return { kind: 'in', e: this.str(d).e, list, negated: r.chance(0.3) }
      }
      case 4: {
        const lo = r.int(-5, 5)
        return { kind: 'between', e: this.num(d).e, lo: lit(lo, 'INT'), hi: lit(lo + r.int(0, 8), 'INT'), negated: r.chance(0.3) }
      }
      case 5:
        return { kind: 'like', e: this.str(d).e, pattern: r.pick(['a%', '%b%', '_', '%', 'A%', 'h_llo%', '%0%', '%_y', '']), negated: r.chance(0.3) }
      case 6:
        return { kind: 'bin', op: '>', l: col('k'), r: lit(r.int(0, 3), 'INT') }
      case 7:
        return { kind: 'not', e: this.bool(d) }
      default:
        return { kind: 'bin', op: r.pick(['AND', 'OR'] as const), l: this.bool(d), r: this.bool(d) }
    }
  }

  /** An aggregate call (its type is what HAVING comparisons need). */
  agg(): Typed {
    const r = this.rng
    const fnName: AggFn = r.pick(['count_star', 'count', 'count_distinct', 'sum', 'min', 'max', 'avg'])
    switch (fnName) {
      case 'count_star':
        return { e: { kind: 'agg', fn: fnName, arg: null }, t: 'INT' }
      case 'count':
      case 'count_distinct': {
        const arg = r.pick([col('k'), col('v'), col('s'), this.num(1).e, this.str(1).e])
        return { e: { kind: 'agg', fn: fnName, arg }, t: 'INT' }
      }
      case 'sum':
      case 'avg': {
        const a = r.chance(0.6) ? { e: col('v'), t: this.vType } : this.num(1)
        return { e: { kind: 'agg', fn: fnName, arg: a.e }, t: fnName === 'avg' ? 'DOUBLE' : a.t }
      }
      default: {
        const a: Typed = r.chance(0.4) ? { e: col('s'), t: 'VARCHAR' } : r.chance(0.6) ? { e: col('v'), t: this.vType } : this.num(1)
        return { e: { kind: 'agg', fn: fnName, arg: a.e }, t: a.t }
      }
    }
  }

  having(): QExpr {
    const r = this.rng
    const one = (): QExpr => {
      const a = this.agg()
      const op = r.pick(['>', '>=', '<', '<>'] as const)
      const rhs = a.t === 'VARCHAR' ? lit(r.pick(STRINGS), 'VARCHAR') : a.t === 'BOOLEAN' ? lit(true, 'BOOLEAN') : lit(r.int(0, 6), 'INT')
      return { kind: 'bin', op, l: a.e, r: rhs }
    }
    return r.chance(0.3) ? { kind: 'bin', op: r.pick(['AND', 'OR'] as const), l: one(), r: one() } : one()
  }
}

function wider(a: ScalarType, b: ScalarType): NumType {
  return a === 'DOUBLE' || b === 'DOUBLE' ? 'DOUBLE' : 'INT'
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

function windowDef(rng: Rng): WindowDef {
  if (rng.chance(0.5)) return { kind: 'tumble', sizeS: rng.int(1, 10) }
  const slideS = rng.int(1, 5)
  return { kind: 'hop', slideS, sizeS: slideS * rng.int(1, 3) + (rng.chance(0.3) ? rng.int(1, slideS) - 1 : 0) }
}

/** Aggregates, sometimes inside an expression (`COUNT(*) + 1`, `COALESCE(SUM(v), 0)`). */
function aggregates(g: ExprGen, rng: Rng): QExpr[] {
  return Array.from({ length: rng.int(1, 4) }, () => {
    const a = g.agg()
    if (a.t === 'VARCHAR' || !rng.chance(0.2)) return a.e
    if (rng.chance(0.5)) return fn('coalesce', a.e, lit(0, 'INT'))
    return { kind: 'bin', op: rng.pick(['+', '-', '*'] as const), l: a.e, r: lit(rng.int(1, 3), 'INT') }
  })
}

/** A filter/projection query (append mode). */
export function statelessQuery(rng: Rng, vType: NumType): Query {
  const g = new ExprGen(rng, vType)
  const select = Array.from({ length: rng.int(1, 4) }, (): QExpr => {
    const c = rng.int(0, 9)
    if (c === 0) return col(rng.pick(['k', 'v', 's', 'ts']))
    if (c <= 4) return g.num(2).e
    if (c <= 7) return g.str(2).e
    return g.bool(1)
  })
  return {
    shape: 'stateless', select, where: rng.chance(0.8) ? g.bool(2) : null, window: null, groupByKey: false,
    having: null, mode: 'append', descriptorSpelling: false,
  }
}

/**
 * An aggregation: GROUP BY k, or a window with or without k. No HAVING in update mode: a group
 * that stops passing HAVING is not retracted there (as in Spark), so the sink keeps its old row.
 */
export function aggregateQuery(rng: Rng, vType: NumType, opts: { windowed: boolean; mode: Query['mode'] }): Query {
  const g = new ExprGen(rng, vType)
  const window = opts.windowed ? windowDef(rng) : null
  const groupByKey = window === null || rng.chance(0.6)
  const select: QExpr[] = [
    ...(window === null ? [] : [col('window_start'), col('window_end')]),
    ...(groupByKey ? [col('k')] : []),
    ...aggregates(g, rng),
  ]
  return {
    shape: window === null ? 'aggregate' : 'window',
    select,
    where: rng.chance(0.5) ? g.bool(2) : null,
    window,
    groupByKey,
    having: opts.mode !== 'update' && rng.chance(0.3) ? g.having() : null,
    mode: opts.mode,
    descriptorSpelling: rng.chance(0.3),
  }
}
