/**
 * The scalar function catalog: SQL names (with aliases), argument counts and type rules. Each
 * entry binds to a `call` whose `fn` the runtime compiler implements (`runtime/expr/`); keep the
 * two in step. Aggregates are planned elsewhere; here they are only recognised by name.
 */
import type { AstExpr } from './ast.ts'
import type { Expr } from '../runtime/graph.ts'
import { type DataType, isNumericType } from '../runtime/types.ts'
import { sqlError } from '../runtime/errors.ts'
import {
  type BoundArg, bindConcatFunction, call, castAll, commonType, implicitCast, isComparable, literal, typeError,
} from './expr-types.ts'

export interface ScalarFunction {
  readonly minArgs: number
  /** Infinity for variadic functions. */
  readonly maxArgs: number
  /** The accepted argument types, for messages: `substring(VARCHAR, INT[, INT])`. */
  readonly signature: string
  /**
   * Types the bound arguments (inserting implicit casts) and builds the call; null when the
   * types do not fit (the binder then reports TYPE_MISMATCH with `signature`). May throw its own
   * errors for bad literal arguments.
   */
  readonly bind: (args: readonly BoundArg[], site: AstExpr) => Expr | null
}

/** Names the planner aggregates; anywhere else they are AGGREGATE_NOT_ALLOWED. */
export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max', 'avg'])

/** Functions refused on purpose, with why. A streaming query must give the same answer on replay. */
export const UNSUPPORTED_FUNCTIONS: ReadonlyMap<string, string> = new Map(
  [
    ...['now', 'current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime', 'sysdate', 'getdate']
      .map((n): [string, string] => [n, `${n}() is not supported: wall-clock time is not deterministic in a stream (a replayed batch would differ); use the event-time column or window_start/window_end`]),
    ...['rand', 'random', 'uuid', 'gen_random_uuid']
      .map((n): [string, string] => [n, `${n}() is not supported: it is not deterministic, so a replayed batch would differ`]),
  ],
)

/** `date_trunc` units. */
export const DATE_TRUNC_UNITS: ReadonlySet<string> = new Set(
  ['millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'],
)

/** `EXTRACT` fields and their result types (second and epoch carry the milliseconds as a fraction). */
export const EXTRACT_FIELDS: ReadonlyMap<string, DataType> = new Map<string, DataType>([
  ['year', 'INT'], ['quarter', 'INT'], ['month', 'INT'], ['day', 'INT'], ['hour', 'INT'], ['minute', 'INT'],
  ['second', 'DOUBLE'], ['millisecond', 'INT'], ['dow', 'INT'], ['doy', 'INT'], ['epoch', 'DOUBLE'],
])

// A parameter: a concrete type (implicit casts apply), any numeric type (kept as is), any
// integer type (kept as is), or any type.
type Param = DataType | 'NUMERIC' | 'INTEGER' | 'ANY'

function fitParam(arg: BoundArg, p: Param): Expr | null {
  const t = arg.expr.type
  switch (p) {
    case 'ANY':
      return arg.expr
    case 'NUMERIC':
      return isNumericType(t) ? arg.expr : t === 'NULL' ? implicitCast(arg, 'DOUBLE') : null
    case 'INTEGER':
      return t === 'INT' || t === 'BIGINT' ? arg.expr : t === 'NULL' ? implicitCast(arg, 'INT') : null
    default:
      return implicitCast(arg, p)
  }
}

/**
 * A function with positional parameters, the last `optional` of them optional; the result type
 * is fixed or computed from the typed arguments.
 */
function fixed(fn: string, params: readonly Param[], optional: number, result: DataType | ((args: readonly Expr[]) => DataType)): ScalarFunction {
  const shown = params.map((p) => (p === 'INTEGER' ? 'INT' : p))
  const required = shown.slice(0, params.length - optional).join(', ')
  const rest = shown.slice(params.length - optional)
  const signature = `${fn}(${required}${rest.map((p, i) => (i === 0 && required !== '' ? `[, ${p}` : `[${p}`)).join('')}${']'.repeat(rest.length)})`
  return {
    minArgs: params.length - optional,
    maxArgs: params.length,
    signature,
    bind(args) {
      const typed: Expr[] = []
      for (let i = 0; i < args.length; i++) {
        const e = fitParam(args[i]!, params[i]!)
        if (e === null) return null
        typed.push(e)
      }
      return call(fn, typed, typeof result === 'string' ? result : result(typed))
    },
  }
}

const firstType = (args: readonly Expr[]): DataType => args[0]!.type

/** Arguments unified at their common type (COALESCE, GREATEST, NULLIF). */
function unified(fn: string, min: number, max: number, comparable: boolean): ScalarFunction {
  return {
    minArgs: min,
    maxArgs: max,
    signature: `${fn}(T${max === 2 ? ', T' : ', …'}) with all arguments of one type`,
    bind(args, site) {
      const t = commonType(args)
      if (t === null || (comparable && !isComparable(t))) return null
      return call(fn, castAll(args, t, site), t)
    },
  }
}

function stringLiteralArg(arg: BoundArg, what: string, site: AstExpr): string {
  const e = arg.expr
  if (e.kind !== 'literal' || typeof e.value !== 'string') {
    throw typeError(`the ${what} must be a string literal`, site)
  }
  return e.value.toLowerCase()
}

/** `EXTRACT(field FROM ts)` and `date_part('field', ts)`: call `extract` with the field as a literal. */
export function bindExtract(field: string, source: BoundArg, fieldPos: AstExpr, site: AstExpr): Expr {
  const name = field.toLowerCase().replace(/s$/, '')
  const type = EXTRACT_FIELDS.get(name)
  if (type === undefined) {
    throw sqlError('INVALID_LITERAL', `unknown EXTRACT field '${field}'; expected one of ${[...EXTRACT_FIELDS.keys()].join(', ')}`, fieldPos.pos)
  }
  const ts = implicitCast(source, 'TIMESTAMP')
  if (ts === null) throw typeError(`cannot extract ${name} from ${source.expr.type}`, site)
  return call('extract', [literal(name, 'VARCHAR'), ts], type)
}

const dateTrunc: ScalarFunction = {
  minArgs: 2,
  maxArgs: 2,
  signature: `date_trunc(VARCHAR unit, TIMESTAMP)`,
  bind([unitArg, source], site) {
    const raw = stringLiteralArg(unitArg!, 'date_trunc unit', site)
    const unit = raw.replace(/s$/, '')
    if (!DATE_TRUNC_UNITS.has(unit)) {
      throw sqlError('INVALID_LITERAL', `unknown date_trunc unit '${raw}'; expected one of ${[...DATE_TRUNC_UNITS].join(', ')}`, unitArg!.ast.pos)
    }
    const ts = implicitCast(source!, 'TIMESTAMP')
    return ts === null ? null : call('date_trunc', [literal(unit, 'VARCHAR'), ts], 'TIMESTAMP')
  },
}

const datePart: ScalarFunction = {
  minArgs: 2,
  maxArgs: 2,
  signature: `date_part(VARCHAR field, TIMESTAMP)`,
  bind([fieldArg, source], site) {
    return bindExtract(stringLiteralArg(fieldArg!, 'date_part field', site), source!, fieldArg!.ast, site)
  },
}

/** to_timestamp(epoch seconds | text [, format]): the format is accepted and ignored (ISO text only). */
const toTimestamp: ScalarFunction = {
  minArgs: 1,
  maxArgs: 2,
  signature: 'to_timestamp(DOUBLE seconds | VARCHAR[, VARCHAR format])',
  bind([value]) {
    const t = value!.expr.type
    if (t === 'NULL') return literal(null, 'TIMESTAMP')
    if (!isNumericType(t) && t !== 'VARCHAR') return null
    return call('to_timestamp', [value!.expr], 'TIMESTAMP')
  },
}

/** epoch_ms(ts) → BIGINT milliseconds; epoch_ms(n) → TIMESTAMP (DuckDB's two directions). */
const epochMs: ScalarFunction = {
  minArgs: 1,
  maxArgs: 1,
  signature: 'epoch_ms(TIMESTAMP) or epoch_ms(BIGINT)',
  bind([value]) {
    const t = value!.expr.type
    if (isNumericType(t)) return call('from_epoch_millis', [value!.expr], 'TIMESTAMP')
    const ts = implicitCast(value!, 'TIMESTAMP')
    return ts === null ? null : call('to_epoch_millis', [ts], 'BIGINT')
  },
}

const concat: ScalarFunction = {
  minArgs: 1,
  maxArgs: Infinity,
  signature: 'concat(any, …)',
  bind: (args, site) => bindConcatFunction(args, site),
}

/** strpos(s, sub) is position(sub IN s) with the arguments the other way round. */
const strpos: ScalarFunction = {
  minArgs: 2,
  maxArgs: 2,
  signature: 'strpos(VARCHAR, VARCHAR)',
  bind: ([s, sub], site) => fixed('position', ['VARCHAR', 'VARCHAR'], 0, 'INT').bind([sub!, s!], site),
}

const ENTRIES: readonly (readonly [readonly string[], ScalarFunction])[] = [
  [['lower', 'lcase'], fixed('lower', ['VARCHAR'], 0, 'VARCHAR')],
  [['upper', 'ucase'], fixed('upper', ['VARCHAR'], 0, 'VARCHAR')],
  [['length', 'char_length', 'character_length'], fixed('length', ['VARCHAR'], 0, 'INT')],
  [['substring', 'substr'], fixed('substring', ['VARCHAR', 'INTEGER', 'INTEGER'], 1, 'VARCHAR')],
  [['concat'], concat],
  [['trim', 'btrim'], fixed('trim', ['VARCHAR', 'VARCHAR'], 1, 'VARCHAR')],
  [['ltrim'], fixed('ltrim', ['VARCHAR', 'VARCHAR'], 1, 'VARCHAR')],
  [['rtrim'], fixed('rtrim', ['VARCHAR', 'VARCHAR'], 1, 'VARCHAR')],
  [['replace'], fixed('replace', ['VARCHAR', 'VARCHAR', 'VARCHAR'], 0, 'VARCHAR')],
  [['position'], fixed('position', ['VARCHAR', 'VARCHAR'], 0, 'INT')],
  [['strpos'], strpos],
  [['abs'], fixed('abs', ['NUMERIC'], 0, firstType)],
  [['round'], fixed('round', ['NUMERIC', 'INTEGER'], 1, firstType)],
  [['floor'], fixed('floor', ['NUMERIC'], 0, firstType)],
  [['ceil', 'ceiling'], fixed('ceil', ['NUMERIC'], 0, firstType)],
  [['coalesce', 'ifnull'], unified('coalesce', 1, Infinity, false)],
  [['nullif'], unified('nullif', 2, 2, true)],
  [['greatest'], unified('greatest', 1, Infinity, true)],
  [['least'], unified('least', 1, Infinity, true)],
  [['date_trunc'], dateTrunc],
  [['date_part'], datePart],
  [['to_timestamp'], toTimestamp],
  [['to_epoch_millis', 'unix_millis'], fixed('to_epoch_millis', ['TIMESTAMP'], 0, 'BIGINT')],
  [['epoch_ms'], epochMs],
  [['from_epoch_millis', 'timestamp_millis'], fixed('from_epoch_millis', ['NUMERIC'], 0, 'TIMESTAMP')],
]

/** Scalar functions by lower-cased SQL name (aliases included). */
export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunction> = new Map(
  ENTRIES.flatMap(([names, f]) => names.map((n): [string, ScalarFunction] => [n, f])),
)

/** Arity text for messages: `2`, `1 or 2`, `at least 1`. */
export function arityText(f: ScalarFunction): string {
  if (f.maxArgs === Infinity) return `at least ${f.minArgs}`
  if (f.minArgs === f.maxArgs) return String(f.minArgs)
  if (f.maxArgs === f.minArgs + 1) return `${f.minArgs} or ${f.maxArgs}`
  return `${f.minArgs} to ${f.maxArgs}`
}
