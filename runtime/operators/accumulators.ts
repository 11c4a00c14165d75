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
  private readonly hasDistinct: boolean

  constructor(calls: readonly AggregateCall[]) {
    this.calls = calls
    let width = 0
    for (const c of calls) {
      this.offsets.push(width)
      width += c.fn === 'avg' ? 2 : 1
    }
    this.width = width
    this.hasDistinct = calls.some((c) => c.fn === 'count_distinct')
    this.update = this.compileUpdate()
    this.create = this.compileCreate()
    this.results = this.compileResults()
  }

  /** A fresh state (generated: an array literal of the initial slots). */
  readonly create: () => AccState

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

  /** Appends the aggregate results of a state to `out` (generated). */
  readonly results: (s: AccState, out: Row) => Row

  clone(s: AccState): AccState {
    const c = s.slice()
    for (let i = 0; i < c.length; i++) {
      const v = c[i]
      if (v instanceof Map) c[i] = new Map(v)
    }
    return c
  }

  /**
   * JSON form for the state store: COUNT DISTINCT maps become `[value, n]` pair lists. Without
   * COUNT DISTINCT the state is JSON already and is returned as is (stores copy on write).
   */
  encode(s: AccState): JsonValue[] {
    // A copy: the state store owns what it is given, and the live accumulator keeps changing.
    if (!this.hasDistinct) return (s as JsonValue[]).slice()
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

  /**
   * The source of the update for the whole list, as statements over `s` (the state) and `row`,
   * calling non-column arguments as `f[i](row)` and comparing JSON values with `cmp`. Only
   * numbers and fixed text go into it.
   */
  updateSource(): UpdateSource {
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
          const op = call.fn === 'min' ? '<' : '>'
          const better = call.arg?.type === 'JSON' ? `cmp(${v}, s[${o}]) ${op} 0` : `${v} ${op} s[${o}]`
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
    return { body: lines.join('\n'), fns, cmp: compareValues }
  }

  private compileCreate(): () => AccState {
    const slots = this.calls.flatMap((call): string[] => {
      switch (call.fn) {
        case 'count_star':
        case 'count':
          return ['0']
        case 'count_distinct':
          return ['new Map()']
        case 'sum':
        case 'min':
        case 'max':
          return ['null']
        case 'avg':
          return ['0', '0']
        default:
          return assertNever(call.fn, 'aggregate function')
      }
    })
    return new Function(`return function create() { return [${slots.join(', ')}]; }`)() as () => AccState
  }

  private compileResults(): (s: AccState, out: Row) => Row {
    const pushes = this.calls.map((call, i) => {
      const offset = this.offsets[i] as number
      const o = int(offset)
      switch (call.fn) {
        case 'count_star':
        case 'count':
        case 'sum':
        case 'min':
        case 'max':
          return `out.push(s[${o}]);`
        case 'count_distinct':
          return `out.push(s[${o}].size);`
        case 'avg':
          return `out.push(s[${int(offset + 1)}] === 0 ? null : s[${o}] / s[${int(offset + 1)}]);`
        default:
          return assertNever(call.fn, 'aggregate function')
      }
    })
    return new Function(`return function results(s, out) { ${pushes.join(' ')} return out; }`)() as (s: AccState, out: Row) => Row
  }

  private compileUpdate(): UpdateFn {
    const src = this.updateSource()
    const factory = new Function('f', 'cmp', `return function update(s, row) {\n${src.body}\n}`) as (
      f: RowFn[],
      cmp: (a: Value, b: Value) => number,
    ) => UpdateFn
    return factory(src.fns, src.cmp)
  }
}

/** Update statements for generated code; see `Accumulators.updateSource`. */
export interface UpdateSource {
  readonly body: string
  readonly fns: RowFn[]
  readonly cmp: (a: Value, b: Value) => number
}

/** An index or count as code: only non-negative integers pass. */
export function int(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw internalError(`invalid index ${String(n)}`)
  return JSON.stringify(n)
}
