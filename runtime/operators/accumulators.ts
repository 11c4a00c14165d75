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
 * States can also be kept column-wise, one array per slot over many groups (`AccColumns`, for
 * pane window aggregates: no array per group); the `…Columns` functions read and write them,
 * a group of columns being an index into them.
 *
 * WARNING: inputs are append-only, so accumulators only grow; `merge` combines partial states
 * (panes of a hopping window, merged sessions).
 */
import type { AggregateCall } from '../graph.ts'
import { assertNever, internalError } from '../errors.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import { stringLess } from '../state/key-order.ts'
import type { JsonValue, Row, Value } from '../types.ts'
import { compareValues } from './group-keys.ts'

/** A COUNT DISTINCT state: distinct value (JSON-typed values as their JSON text) → multiplicity. */
export type DistinctCounts = Map<string | number | boolean, number>
export type AccSlot = Value | DistinctCounts
export type AccState = AccSlot[]
/** Many states column-wise: `columns[slot][group]`. */
export type AccColumns = AccSlot[][]

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
    const state = (name: string) => (o: string): string => `${name}[${o}]`
    const column = (name: string, index: string) => (o: string): string => `${name}[${o}][${index}]`
    this.merge = compileFrom<Accumulators['merge']>('merge', 'into, from', this.mergeLines(state('into'), state('from')))
    this.mergeFromColumns = compileFrom<Accumulators['mergeFromColumns']>(
      'mergeFromColumns', 'into, cols, i', this.mergeLines(state('into'), column('cols', 'i')))
    this.mergeColumns = compileFrom<Accumulators['mergeColumns']>(
      'mergeColumns', 'into, j, cols, i', this.mergeLines(column('into', 'j'), column('cols', 'i')))
    this.assignColumns = compileFrom<Accumulators['assignColumns']>(
      'assignColumns', 'into, j, cols, i', this.assignLines(column('into', 'j'), column('cols', 'i')))
    this.stateAt = compileFrom<Accumulators['stateAt']>(
      'stateAt', 'cols, i', [`const into = [${this.initialSlots().join(', ')}];`, ...this.assignLines(state('into'), column('cols', 'i')), 'return into;'])
    const appends = this.initialSlots().map((v, o) => `cols[${int(o)}].push(${v});`)
    this.appendCreated = compileFrom<Accumulators['appendCreated']>('appendCreated', 'cols', appends)
  }

  /** A fresh state (generated: an array literal of the initial slots). */
  readonly create: () => AccState

  /** Adds `from` into `into` (generated, like the functions below). */
  readonly merge: (into: AccState, from: AccState) => void
  /** Adds group `i` of `cols` into `into`. */
  readonly mergeFromColumns: (into: AccState, cols: AccColumns, i: number) => void
  /** Adds group `i` of `cols` into group `j` of `into`. */
  readonly mergeColumns: (into: AccColumns, j: number, cols: AccColumns, i: number) => void
  /**
   * Makes group `j` of `into` (an existing one, or the next: `j` = the columns' length) what
   * merging group `i` of `cols` into a fresh state would make it: window emission reuses its
   * scratch columns from window to window.
   */
  readonly assignColumns: (into: AccColumns, j: number, cols: AccColumns, i: number) => void
  /** A copy of group `i` of `cols` as a state of its own. */
  readonly stateAt: (cols: AccColumns, i: number) => AccState
  /** Appends a fresh state to `cols`. */
  readonly appendCreated: (cols: AccColumns) => void

  /** Empty columns. */
  newColumns(): AccColumns {
    return Array.from({ length: this.width }, () => [])
  }

  /** Appends state `s` to `cols`. */
  appendState(cols: AccColumns, s: AccState): void {
    for (let o = 0; o < this.width; o++) (cols[o] as AccSlot[]).push(s[o] as AccSlot)
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
    return s.map((v) => this.encodeSlot(v))
  }

  /** Writes the slots of `encode` of group `i` of `cols` to `out` from `offset` (many states in one list). */
  encodeColumnsAt(cols: AccColumns, i: number, out: JsonValue[], offset: number): void {
    for (let o = 0; o < this.width; o++) out[offset + o] = this.encodeSlot((cols[o] as AccSlot[])[i] as AccSlot)
  }

  decode(json: unknown): AccState {
    if (!Array.isArray(json) || json.length !== this.width) throw internalError('corrupt aggregate state')
    return this.decodeAt(json, 0)
  }

  /** The state encoded in `json[offset … offset + width)` (see `encodeColumnsAt`; the caller checks the length). */
  decodeAt(json: readonly unknown[], offset: number): AccState {
    const s = this.create()
    for (let i = 0; i < this.width; i++) {
      const cur = s[i]
      if (cur instanceof Map) {
        for (const [k, n] of json[offset + i] as [string | number | boolean, number][]) cur.set(k, n)
      } else {
        s[i] = json[offset + i] as Value
      }
    }
    return s
  }

  private encodeSlot(v: AccSlot): JsonValue {
    return v instanceof Map ? [...v].map(([k, n]) => [k, n]) : (v as JsonValue)
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
   * The source of the update for the whole list, as statements over `row` and the state's
   * slots — `s[o]` unless `slot` says how to reach slot `o` — calling non-column arguments as
   * `f[i](row)` and comparing with `cmp` and `less` (see `replaces`). Only numbers and fixed
   * text go into it.
   */
  updateSource(slot: (o: string) => string = (o) => `s[${o}]`): UpdateSource {
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
      const o = slot(int(offset))
      const v = `v${i}`
      switch (call.fn) {
        case 'count_star':
          lines.push(`${o}++;`)
          break
        case 'count':
          lines.push(`if (${arg(call)} != null) ${o}++;`)
          break
        case 'count_distinct': {
          const key = call.arg?.type === 'JSON' ? `JSON.stringify(${v})` : v
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null) { const m = ${o}; m.set(${key}, (m.get(${key}) ?? 0) + 1); }`)
          break
        }
        case 'sum':
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null) ${o} = ${o} === null ? ${v} : ${o} + ${v};`)
          break
        case 'min':
        case 'max':
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null && (${o} === null || ${replaces(call, v, o)})) ${o} = ${v};`)
          break
        case 'avg':
          lines.push(`const ${v} = ${arg(call)}; if (${v} != null) { ${o} += ${v}; ${slot(int(offset + 1))}++; }`)
          break
        default:
          assertNever(call.fn, 'aggregate function')
      }
    })
    return { body: lines.join('\n'), fns, cmp: compareValues, less: stringLess }
  }

  private compileCreate(): () => AccState {
    return new Function(`return function create() { return [${this.initialSlots().join(', ')}]; }`)() as () => AccState
  }

  /** The initial value of each slot, as code. */
  private initialSlots(): string[] {
    return this.calls.flatMap((call): string[] => {
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
  }

  /**
   * Generated builders of windowed output rows, `[start, end, ...keys, ...results]` as one
   * array literal of `keyCount` keys (a row built by pushes would grow its backing store): of
   * a state, and of group `j` of columns.
   */
  windowRows(keyCount: number): { readonly ofState: WindowRowFn; readonly ofColumns: WindowColumnsRowFn } {
    const keys = Array.from({ length: keyCount }, (_, i) => `k[${int(i)}]`)
    const items = (slot: (o: string) => string): string => ['start', 'end', ...keys, ...this.resultExprs(slot)].join(', ')
    return {
      ofState: new Function(`return function windowRow(start, end, k, s) { return [${items((o) => `s[${o}]`)}]; }`)() as WindowRowFn,
      ofColumns: new Function(`return function windowRowAt(start, end, k, s, j) { return [${items((o) => `s[${o}][j]`)}]; }`)() as WindowColumnsRowFn,
    }
  }

  /** Each aggregate's result as an expression over the state's slots `slot(o)` (fixed text and indices only). */
  private resultExprs(slot: (o: string) => string): string[] {
    return this.calls.map((call, i) => {
      const offset = this.offsets[i] as number
      const o = slot(int(offset))
      switch (call.fn) {
        case 'count_star':
        case 'count':
        case 'sum':
        case 'min':
        case 'max':
          return o
        case 'count_distinct':
          return `${o}.size`
        case 'avg': {
          const n = slot(int(offset + 1))
          return `(${n} === 0 ? null : ${o} / ${n})`
        }
        default:
          return assertNever(call.fn, 'aggregate function')
      }
    })
  }

  private compileResults(): (s: AccState, out: Row) => Row {
    const pushes = this.resultExprs((o) => `s[${o}]`).map((e) => `out.push(${e});`)
    return new Function(`return function results(s, out) { ${pushes.join(' ')} return out; }`)() as (s: AccState, out: Row) => Row
  }

  /**
   * Statements adding the state whose slot `o` is `from(o)` into the one whose slot is
   * `into(o)`: straight-line code, as window emission merges once per group and pane.
   */
  private mergeLines(into: (o: string) => string, from: (o: string) => string): string[] {
    return this.calls.map((call, i) => {
      const offset = this.offsets[i] as number
      const o = int(offset)
      const [a, b] = [into(o), from(o)]
      switch (call.fn) {
        case 'count_star':
        case 'count':
          return `${a} += ${b};`
        case 'avg':
          return `${a} += ${b}; ${into(int(offset + 1))} += ${from(int(offset + 1))};`
        case 'count_distinct':
          return `{ const m = ${a}; for (const [v, n] of ${b}) m.set(v, (m.get(v) ?? 0) + n); }`
        case 'sum':
          return `{ const y = ${b}; if (y !== null) { const x = ${a}; ${a} = x === null ? y : x + y; } }`
        case 'min':
        case 'max':
          return `{ const y = ${b}; if (y !== null) { const x = ${a}; if (x === null || ${replaces(call, 'y', 'x')}) ${a} = y; } }`
        default:
          return assertNever(call.fn, 'aggregate function')
      }
    })
  }

  /** Statements making the state at `into` a copy of the one at `from` (COUNT DISTINCT maps copied). */
  private assignLines(into: (o: string) => string, from: (o: string) => string): string[] {
    return Array.from({ length: this.width }, (_, slot) => {
      const o = int(slot)
      return this.slotIsDistinct(slot) ? `${into(o)} = new Map(${from(o)});` : `${into(o)} = ${from(o)};`
    })
  }

  private slotIsDistinct(slot: number): boolean {
    const i = this.offsets.indexOf(slot)
    return i >= 0 && (this.calls[i] as AggregateCall).fn === 'count_distinct'
  }

  private compileUpdate(): UpdateFn {
    const src = this.updateSource()
    const factory = new Function('f', 'cmp', 'less', `return function update(s, row) {\n${src.body}\n}`) as (
      f: RowFn[],
      cmp: UpdateSource['cmp'],
      less: UpdateSource['less'],
    ) => UpdateFn
    return factory(src.fns, src.cmp, src.less)
  }
}

/**
 * Code that is true when `value` is to replace `current` (both non-null) as the MIN or MAX of
 * `call`, by the argument's type: `<` for numbers, TIMESTAMPs and booleans; `stringLess` for
 * strings, as `<` compares UTF-16 code units where Spark compares UTF-8 bytes (code points,
 * the order of `compareValues` too); `compareValues` for JSON. Per-row updates and merges
 * both use it: a tumbling window (updates only) and a hopping one (merged panes) must agree.
 */
function replaces(call: AggregateCall, value: string, current: string): string {
  const min = call.fn === 'min'
  const type = call.arg?.type ?? 'NULL'
  switch (type) {
    case 'BOOLEAN':
    case 'INT':
    case 'BIGINT':
    case 'DOUBLE':
    case 'TIMESTAMP':
    case 'INTERVAL':
    case 'NULL':
      return min ? `${value} < ${current}` : `${value} > ${current}`
    case 'VARCHAR':
      return min ? `less(${value}, ${current})` : `less(${current}, ${value})`
    case 'JSON':
      return `cmp(${value}, ${current}) ${min ? '<' : '>'} 0`
    default:
      return assertNever(type, 'data type')
  }
}

/** A generated function of `params` running `lines`; `cmp` and `less` (see `replaces`) are in scope. */
function compileFrom<F>(name: string, params: string, lines: readonly string[]): F {
  const factory = new Function('cmp', 'less', `return function ${name}(${params}) {\n${lines.join('\n')}\n}`) as (
    cmp: UpdateSource['cmp'],
    less: UpdateSource['less'],
  ) => F
  return factory(compareValues, stringLess)
}

/** Builds `[start, end, ...keys, ...results of s]` (see `Accumulators.windowRows`). */
export type WindowRowFn = (start: number, end: number, keys: readonly Value[], s: AccState) => Row
/** The same of group `j` of columns `s`. */
export type WindowColumnsRowFn = (start: number, end: number, keys: readonly Value[], s: AccColumns, j: number) => Row

/** Update statements for generated code; see `Accumulators.updateSource`. */
export interface UpdateSource {
  readonly body: string
  readonly fns: RowFn[]
  /** `compareValues`, for JSON. */
  readonly cmp: (a: Value, b: Value) => number
  /** `stringLess`: code point order, for strings. */
  readonly less: (a: string, b: string) => boolean
}

/** An index or count as code: only non-negative integers pass. */
export function int(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw internalError(`invalid index ${String(n)}`)
  return JSON.stringify(n)
}
