/**
 * Aggregate accumulators: the per-group state of an aggregate list, as one flat array of slots,
 * and the functions over it. The per-row `update` for the whole list is generated once with
 * `new Function`; the generated text holds only slot and column indices (numbers checked to be
 * integers) and fixed code — never user text. Arguments that are not plain columns are called
 * through the functions `compileExpr` made.
 *
 * Slots per call: count_star, count → [n]; count_distinct → [Map value→multiplicity];
 * sum, min, max → [value or null]; avg → [sum, n]. SQL NULL arguments are ignored; SUM, MIN,
 * MAX and AVG of no non-null value are NULL; COUNT of none is 0. Sums of integers stay
 * integers (exact up to 2^53), as JavaScript numbers.
 *
 * WARNING: inputs are append-only, so accumulators only grow; `merge` combines partial states
 * (panes of a hopping window, merged sessions).
 */
import type { AggregateCall } from '../graph.ts'
import { assertNever, internalError } from '../errors.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import type { JsonValue, Row, Value } from '../types.ts'
import { compareValues } from './group-keys.ts'

/** A COUNT DISTINCT state: distinct value (JSON-typed values as their JSON text) → multiplicity. */
export type DistinctCounts = Map<string | number | boolean, number>
export type AccSlot = Value | DistinctCounts
export type AccState = AccSlot[]

export type UpdateFn = (state: AccState, row: Row) => void

export class Accumulators {
  readonly calls: readonly AggregateCall[]
  /** Number of slots of a state. */
  readonly width: number
  /** Adds one input row to a state. */
  readonly update: UpdateFn
  private readonly offsets: number[] = []

  constructor(calls: readonly AggregateCall[]) {
    this.calls = calls
    let width = 0
    for (const c of calls) {
      this.offsets.push(width)
      width += c.fn === 'avg' ? 2 : 1
    }
    this.width = width
    this.update = this.compileUpdate()
  }

  create(): AccState {
    const s: AccState = new Array<AccSlot>(this.width)
    for (let i = 0; i < this.calls.length; i++) {
      const o = this.offsets[i] as number
      const call = this.calls[i] as AggregateCall
      switch (call.fn) {
        case 'count_star':
        case 'count':
          s[o] = 0
          break
        case 'count_distinct':
          s[o] = new Map()
          break
        case 'sum':
        case 'min':
        case 'max':
          s[o] = null
          break
        case 'avg':
          s[o] = 0
          s[o + 1] = 0
          break
        default:
          assertNever(call.fn, 'aggregate function')
      }
    }
    return s
  }

  /** Adds `from` into `into`. */
  merge(into: AccState, from: AccState): void {
    for (let i = 0; i < this.calls.length; i++) {
      const o = this.offsets[i] as number
      const fn = (this.calls[i] as AggregateCall).fn
      switch (fn) {
        case 'count_star':
        case 'count':
          into[o] = (into[o] as number) + (from[o] as number)
          break
        case 'avg':
          into[o] = (into[o] as number) + (from[o] as number)
          into[o + 1] = (into[o + 1] as number) + (from[o + 1] as number)
          break
        case 'count_distinct': {
          const m = into[o] as DistinctCounts
          for (const [v, n] of from[o] as DistinctCounts) m.set(v, (m.get(v) ?? 0) + n)
          break
        }
        case 'sum': {
          const b = from[o] as number | null
          if (b !== null) into[o] = into[o] === null ? b : (into[o] as number) + b
          break
        }
        case 'min':
        case 'max': {
          const b = from[o] as Value
          if (b === null) break
          const a = into[o] as Value
          if (a === null || (fn === 'min' ? compareValues(b, a) < 0 : compareValues(b, a) > 0)) into[o] = b
          break
        }
        default:
          assertNever(fn, 'aggregate function')
      }
    }
  }

  /** Appends the aggregate results of a state to `out`. */
  results(s: AccState, out: Row): Row {
    for (let i = 0; i < this.calls.length; i++) {
      const o = this.offsets[i] as number
      const fn = (this.calls[i] as AggregateCall).fn
      switch (fn) {
        case 'count_star':
        case 'count':
        case 'sum':
        case 'min':
        case 'max':
          out.push(s[o] as Value)
          break
        case 'count_distinct':
          out.push((s[o] as DistinctCounts).size)
          break
        case 'avg': {
          const n = s[o + 1] as number
          out.push(n === 0 ? null : (s[o] as number) / n)
          break
        }
        default:
          assertNever(fn, 'aggregate function')
      }
    }
    return out
  }

  clone(s: AccState): AccState {
    const c = s.slice()
    for (let i = 0; i < c.length; i++) {
      const v = c[i]
      if (v instanceof Map) c[i] = new Map(v)
    }
    return c
  }

  /** JSON form for the state store: COUNT DISTINCT maps become `[value, n]` pair lists. */
  encode(s: AccState): JsonValue[] {
    return s.map((v) => (v instanceof Map ? [...v].map(([k, n]) => [k, n]) : (v as JsonValue)))
  }

  decode(json: unknown): AccState {
    if (!Array.isArray(json) || json.length !== this.width) throw internalError('corrupt aggregate state')
    const s = this.create()
    for (let i = 0; i < this.width; i++) {
      const cur = s[i]
      if (cur instanceof Map) {
        for (const [k, n] of json[i] as [string | number | boolean, number][]) cur.set(k, n)
      } else {
        s[i] = json[i] as Value
      }
    }
    return s
  }

  /** A rough estimate of a state's heap size. */
  estimateBytes(s: AccState): number {
    let bytes = 16 + 8 * s.length
    for (const v of s) {
      if (v instanceof Map) bytes += 64 + 48 * v.size
      else if (typeof v === 'string') bytes += 16 + 2 * v.length
    }
    return bytes
  }

  private compileUpdate(): UpdateFn {
    const fns: RowFn[] = []
    const lines: string[] = []
    const arg = (call: AggregateCall): string => {
      const e = call.arg
      if (e === null) throw internalError(`${call.fn} needs an argument`)
      if (e.kind === 'column') return `row[${int(e.index)}]`
      fns.push(compileExpr(e))
      return `f[${fns.length - 1}](row)`
    }
    this.calls.forEach((call, i) => {
      const offset = this.offsets[i] as number
      const o = int(offset)
      const v = `v${i}`
      switch (call.fn) {
        case 'count_star':
          lines.push(`s[${o}]++;`)
          break
        case 'count':
          lines.push(`if (${arg(call)} != null) s[${o}]++;`)
          break
        case 'count_distinct': {
          const key = call.arg?.type === 'JSON' ? `JSON.stringify(${v})` : v
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null) { const m = s[${o}]; m.set(${key}, (m.get(${key}) ?? 0) + 1); }`)
          break
        }
        case 'sum':
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null) s[${o}] = s[${o}] === null ? ${v} : s[${o}] + ${v};`)
          break
        case 'min':
        case 'max': {
          const better = call.arg?.type === 'JSON' ? `cmp(${v}, s[${o}]) ${call.fn === 'min' ? '<' : '>'} 0` : `${v} ${call.fn === 'min' ? '<' : '>'} s[${o}]`
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null && (s[${o}] === null || ${better})) s[${o}] = ${v};`)
          break
        }
        case 'avg':
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null) { s[${o}] += ${v}; s[${int(offset + 1)}]++; }`)
          break
        default:
          assertNever(call.fn, 'aggregate function')
      }
    })
    const factory = new Function('f', 'cmp', `return function update(s, row) {\n  ${lines.join('\n  ')}\n}`) as (
      f: RowFn[],
      cmp: (a: Value, b: Value) => number,
    ) => UpdateFn
    return factory(fns, compareValues)
  }
}

function int(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw internalError(`invalid index ${String(n)}`)
  return JSON.stringify(n)
}
