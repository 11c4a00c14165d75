/**
 * Code generation per call `fn` (the names listed on `CallExpr` in graph.ts, plus the named
 * functions of the planner's catalog). Every generator follows SQL NULL semantics: `strict`
 * calls are NULL when any argument is; the exceptions (AND, OR, IS NULL, COALESCE, CONCAT,
 * IN with NULLs, GREATEST/LEAST) say so.
 */
import type { CallExpr, Expr } from '../graph.ts'
import { type DataType, parseTimestamp } from '../types.ts'
import { assertNever, internalError } from '../errors.ts'
import { stringLess } from '../state/key-order.ts'
import type { CallGen, Gen, Operand } from './codegen.ts'
import * as S from './string-functions.ts'
import { likeDynamic, likeMatcher } from './like.ts'
import { DATE_TRUNC, EXTRACT, type TimeFn, dateTruncDynamic, extractDynamic, timeFunction } from './time-functions.ts'

// eslint-style `Function` without `any`: helpers are called with already-checked arguments.
type Helper = (...args: never[]) => unknown

/** NULL-propagating call of a runtime helper. */
function helper(f: Helper): CallGen {
  return { value: (g, e) => g.strict(e.args, (r) => `${g.constant(f)}(${r.join(', ')})`) }
}

/** NULL-propagating inline JavaScript. */
function inline(body: (refs: string[], e: CallExpr) => string): CallGen {
  return { value: (g, e) => g.strict(e.args, (r) => body(r, e)) }
}

type Comparison = '===' | '!==' | Order
type Order = '<' | '<=' | '>' | '>='

/**
 * `a op b` as code, for `a` and `b` (variables or constants) of `type`. JavaScript's operators
 * order strings by UTF-16 code unit, while Spark orders them by UTF-8 byte, i.e. by code point
 * (the order of MIN/MAX and of state keys too, see key-order.ts): the two disagree where a
 * surrogate pair ('😀', U+1F600) meets a unit of U+E000–U+FFFF ('～', U+FF5E). So VARCHAR
 * orders through `stringLess`, at about the cost of `<`; every other type (numbers, TIMESTAMP,
 * INTERVAL, BOOLEAN) and equality keep the bare operator.
 */
function compare(g: Gen, type: DataType, a: string, op: Comparison, b: string): string {
  if (type !== 'VARCHAR' || op === '===' || op === '!==') return `${a} ${op} ${b}`
  const less = g.constant(stringLess)
  switch (op) {
    case '<':
      return `${less}(${a}, ${b})`
    case '<=':
      return `!${less}(${b}, ${a})`
    case '>':
      return `${less}(${b}, ${a})`
    case '>=':
      return `!${less}(${a}, ${b})`
    default:
      return assertNever(op, 'comparison')
  }
}

/** The type the arguments of a comparison were cast to (the planner gives them one type). */
function argumentType(e: CallExpr): DataType {
  return e.args.find((a) => a.type !== 'NULL')?.type ?? 'NULL'
}

function comparison(op: Comparison, negated: Comparison): CallGen {
  return {
    value: (g, e) => g.strict(e.args, ([a, b]) => compare(g, argumentType(e), a!, op, b!)),
    isTrue: (g, e) => g.strictTest(e.args, ([a, b]) => compare(g, argumentType(e), a!, op, b!)),
    isFalse: (g, e) => g.strictTest(e.args, ([a, b]) => compare(g, argumentType(e), a!, negated, b!)),
  }
}

/**
 * Kleene AND / OR: `dominant` (false for AND, true for OR) wins over NULL; otherwise any NULL
 * makes NULL. Later operands are not evaluated once the result is known.
 */
function logical(dominant: boolean): CallGen {
  const d = String(dominant)
  return {
    value(g, e) {
      const temps = e.args.map(() => g.temp())
      const tests = e.args.map((a, i) => `(${temps[i]} = ${g.value(a)}) === ${d}`).join(' || ')
      const nulls = temps.map((t) => `${t} == null`).join(' || ')
      return `(${tests} ? ${d} : ${nulls} ? null : ${String(!dominant)})`
    },
    // AND is TRUE when all are TRUE and FALSE when any is FALSE; OR the other way round.
    isTrue: (g, e) => `(${e.args.map((a) => g.isTrue(a)).join(dominant ? ' || ' : ' && ')})`,
    isFalse: (g, e) => `(${e.args.map((a) => g.isFalse(a)).join(dominant ? ' && ' : ' || ')})`,
  }
}

function nullTest(isNull: boolean): CallGen {
  const yes = isNull ? '==' : '!='
  const no = isNull ? '!=' : '=='
  return {
    value: (g, e) => `(${g.value(e.args[0]!)} ${yes} null)`,
    isTrue: (g, e) => `(${g.value(e.args[0]!)} ${yes} null)`,
    isFalse: (g, e) => `(${g.value(e.args[0]!)} ${no} null)`,
  }
}

// Lists of at most this many literals compile to `===` chains; longer ones to a Set lookup.
const INLINE_IN_LIMIT = 6

/**
 * `x IN (…)`: TRUE when x equals an element; otherwise NULL if x or any element is NULL, else
 * FALSE. `found`/`open` are JS conditions (x found / the answer is NULL) given x in `ref`.
 */
function inParts(g: Gen, e: CallExpr): { x: Operand; found: string; open: string } {
  const [value, ...list] = e.args
  const x = g.operand(value!)
  const constants = list.map((a) => g.constantValue(a))
  if (list.length > INLINE_IN_LIMIT && constants.every((v) => v !== undefined)) {
    const present = constants.filter((v) => v !== null)
    const open = present.length < constants.length ? 'true' : 'false'
    return { x, found: `${g.constant(new Set(present))}.has(${x.ref})`, open }
  }
  const ops = list.map((a) => g.operand(a))
  const present = ops.filter((o) => !o.isNull)
  const found = present.length === 0 ? 'false' : `(${present.map((o) => `${o.assign ?? o.ref} === ${x.ref}`).join(' || ')})`
  // Read only when nothing matched, so every element's temp has been assigned by then.
  const nullable = present.filter((o) => o.assign !== null).map((o) => `${o.ref} == null`)
  const open = present.length < ops.length ? 'true' : nullable.length > 0 ? nullable.join(' || ') : 'false'
  return { x, found, open }
}

function inList(negated: boolean): CallGen {
  const hit = String(!negated)
  const miss = String(negated)
  // x is (not) in the list for certain: x non-null, and found / not found with no NULL element.
  const certainly = (g: Gen, e: CallExpr, inside: boolean): string => {
    const { x, found, open } = inParts(g, e)
    if (x.isNull) return 'false'
    const cond = inside ? found : open === 'true' ? 'false' : `!${found} && !(${open})`
    return x.assign === null ? `(${cond})` : `(${x.assign} != null && ${cond})`
  }
  return {
    value(g, e) {
      const { x, found, open } = inParts(g, e)
      if (x.isNull) return 'null'
      const body = `${found} ? ${hit} : ${open} ? null : ${miss}`
      return x.assign === null ? `(${body})` : `(${x.assign} == null ? null : ${body})`
    },
    isTrue: (g, e) => certainly(g, e, !negated),
    isFalse: (g, e) => certainly(g, e, negated),
  }
}

/**
 * `x BETWEEN lo AND hi` is `x >= lo AND x <= hi` with Kleene AND: FALSE as soon as one bound is
 * known to fail, NULL when x or a needed bound is NULL.
 */
function between(negated: boolean): CallGen {
  const parts = (g: Gen, e: CallExpr): { x: Operand; outside: string; open: string } => {
    const [v, l, h] = e.args
    const x = g.operand(v!)
    const lo = g.operand(l!)
    const hi = g.operand(h!)
    const type = argumentType(e)
    const fails = (o: typeof lo, op: Order): string => {
      if (o.isNull) return 'false'
      const test = compare(g, type, x.ref, op, o.ref)
      return o.assign === null ? test : `(${o.ref} != null && ${test})`
    }
    const assigns = [lo.assign, hi.assign].filter((a): a is string => a !== null)
    const outside = `(${[...assigns, `${fails(lo, '<')} || ${fails(hi, '>')}`].join(', ')})`
    const open = [lo, hi].map((o) => (o.isNull ? 'true' : o.assign === null ? 'false' : `${o.ref} == null`)).join(' || ')
    return { x, outside, open }
  }
  const inRange = (g: Gen, e: CallExpr): string => {
    const type = argumentType(e)
    return g.strictTest(e.args, ([x, lo, hi]) => `${compare(g, type, x!, '>=', lo!)} && ${compare(g, type, x!, '<=', hi!)}`)
  }
  const outOfRange = (g: Gen, e: CallExpr): string => {
    const { x, outside } = parts(g, e)
    if (x.isNull) return 'false'
    return x.assign === null ? outside : `(${x.assign} != null && ${outside})`
  }
  return {
    value(g, e) {
      const { x, outside, open } = parts(g, e)
      if (x.isNull) return 'null'
      const body = `${outside} ? ${String(negated)} : ${open} ? null : ${String(!negated)}`
      return x.assign === null ? `(${body})` : `(${x.assign} == null ? null : ${body})`
    },
    isTrue: negated ? outOfRange : inRange,
    isFalse: negated ? inRange : outOfRange,
  }
}

/** LIKE family: a literal pattern becomes one matcher per query; others are cached per pattern. */
function like(negated: boolean, caseInsensitive: boolean): CallGen {
  const match = (g: Gen, e: CallExpr): { args: Expr[]; body: (r: string[]) => string } => {
    const [s, p] = e.args
    if (p!.kind === 'literal' && typeof p!.value === 'string') {
      const m = g.constant(likeMatcher(p!.value, caseInsensitive))
      return { args: [s!], body: ([x]) => `${m}(${x})` }
    }
    const f = g.constant(likeDynamic)
    return { args: [s!, p!], body: ([x, y]) => `${f}(${x}, ${y}, ${String(caseInsensitive)})` }
  }
  const test = (g: Gen, e: CallExpr, want: boolean): string => {
    const m = match(g, e)
    return g.strictTest(m.args, (r) => (want ? m.body(r) : `!${m.body(r)}`))
  }
  return {
    value(g, e) {
      const m = match(g, e)
      return g.strict(m.args, (r) => (negated ? `!${m.body(r)}` : m.body(r)))
    },
    isTrue: (g, e) => test(g, e, !negated),
    isFalse: (g, e) => test(g, e, negated),
  }
}

/** date_trunc / extract: a literal unit picks its function once; otherwise look it up per row. */
function timeCall(table: Readonly<Record<string, TimeFn>>, dynamic: Helper, what: string): CallGen {
  return {
    value(g, e) {
      const [unit, ts] = e.args
      if (unit!.kind === 'literal' && typeof unit!.value === 'string') {
        const f = timeFunction(table, unit!.value)
        if (f === undefined) throw internalError(`unknown ${what} ${JSON.stringify(unit!.value)}`)
        const k = g.constant(f)
        return g.strict([ts!], ([x]) => `${k}(${x})`)
      }
      return helper(dynamic).value(g, e)
    },
  }
}

/**
 * GREATEST / LEAST skip NULLs (PostgreSQL, Spark); NULL only when every argument is. Strings
 * compare by code point, as in `compare`.
 */
function extreme(op: '>' | '<'): CallGen {
  return {
    value(g, e) {
      const r = g.temp()
      const n = g.temp()
      const steps = [`${r} = ${g.value(e.args[0]!)}`]
      for (const a of e.args.slice(1)) {
        const wins = compare(g, e.type, n, op, r)
        steps.push(`${n} = ${g.value(a)}`, `${r} = ${n} != null && (${r} == null || ${wins}) ? ${n} : ${r}`)
      }
      return `(${steps.join(', ')}, ${r})`
    },
  }
}

const coalesce: CallGen = {
  value(g, e) {
    let code = ''
    for (let i = 0; i < e.args.length - 1; i++) {
      const o = g.operand(e.args[i]!)
      if (o.isNull) continue
      if (o.assign === null) return `(${code}${o.ref})`
      code += `${o.assign} != null ? ${o.ref} : `
    }
    return `(${code}${g.value(e.args[e.args.length - 1]!)})`
  },
}

const nullif: CallGen = {
  value(g, e) {
    const a = g.operand(e.args[0]!)
    if (a.isNull) return 'null'
    const test = `${g.value(e.args[1]!)} === ${a.ref} ? null : ${a.ref}`
    return a.assign === null ? `(${test})` : `(${a.assign} == null ? null : ${test})`
  },
}

/** CONCAT(…): NULL arguments count as '' (PostgreSQL); never NULL. */
const concatSkipNulls: CallGen = {
  value(g, e) {
    const parts = e.args.flatMap((a) => {
      const o = g.operand(a)
      if (o.isNull) return []
      return [o.assign === null ? o.ref : `(${o.assign} == null ? '' : ${o.ref})`]
    })
    return parts.length === 0 ? `''` : `('' + ${parts.join(' + ')})`
  },
}

const jsonGetText: CallGen = {
  value: (g, e) => g.strict(e.args, ([j, k]) => `${g.constant(S.jsonText)}(${g.constant(S.jsonGet)}(${j}, ${k}))`),
}

const toTimestamp: CallGen = {
  value: (g, e) =>
    e.args[0]!.type === 'VARCHAR'
      ? helper(parseTimestamp).value(g, e)
      // Epoch seconds; rounding (not flooring) absorbs binary error such as 1.001 * 1000.
      : g.strict([e.args[0]!], ([x]) => `Math.round(${x} * 1000)`),
}

/**
 * Division and modulo by zero give NULL (Spark's non-ANSI behaviour) rather than failing the
 * query. INT and BIGINT division truncates toward zero; `+ 0` turns -0 into 0.
 */
const divide = inline(([a, b], e) =>
  e.type === 'DOUBLE' ? `${b} === 0 ? null : ${a} / ${b}` : `${b} === 0 ? null : Math.trunc(${a} / ${b}) + 0`)

export const CALLS: Readonly<Record<string, CallGen>> = {
  and: logical(false),
  or: logical(true),
  not: {
    value: (g, e) => g.strict(e.args, ([a]) => `!${a}`),
    isTrue: (g, e) => g.isFalse(e.args[0]!),
    isFalse: (g, e) => g.isTrue(e.args[0]!),
  },
  '=': comparison('===', '!=='),
  '<>': comparison('!==', '==='),
  '<': comparison('<', '>='),
  '<=': comparison('<=', '>'),
  '>': comparison('>', '<='),
  '>=': comparison('>=', '<'),
  '+': inline(([a, b]) => `${a} + ${b}`),
  '-': inline(([a, b]) => `${a} - ${b}`),
  // INTERVAL × number stays whole milliseconds.
  '*': inline(([a, b], e) => (e.type === 'INTERVAL' ? `Math.trunc(${a} * ${b})` : `${a} * ${b}`)),
  '/': divide,
  '%': inline(([a, b]) => `${b} === 0 ? null : ${a} % ${b} + 0`),
  neg: inline(([a]) => `0 - ${a!}`),
  is_null: nullTest(true),
  is_not_null: nullTest(false),
  in: inList(false),
  not_in: inList(true),
  between: between(false),
  not_between: between(true),
  like: like(false, false),
  not_like: like(true, false),
  ilike: like(false, true),
  not_ilike: like(true, true),
  concat: inline((r) => r.join(' + ')),
  concat_skip_nulls: concatSkipNulls,
  json_get: helper(S.jsonGet),
  json_get_text: jsonGetText,
  lower: inline(([a]) => `${a!}.toLowerCase()`),
  upper: inline(([a]) => `${a!}.toUpperCase()`),
  length: helper(S.charLength),
  substring: helper(S.substring),
  trim: helper(S.trim),
  ltrim: helper(S.ltrim),
  rtrim: helper(S.rtrim),
  replace: helper(S.replace),
  position: helper(S.position),
  abs: inline(([a]) => `Math.abs(${a!})`),
  round: helper(S.round),
  floor: inline(([a]) => `Math.floor(${a!})`),
  ceil: inline(([a]) => `Math.ceil(${a!})`),
  coalesce,
  nullif,
  greatest: extreme('>'),
  least: extreme('<'),
  date_trunc: timeCall(DATE_TRUNC, dateTruncDynamic, 'date_trunc unit'),
  extract: timeCall(EXTRACT, extractDynamic, 'EXTRACT field'),
  to_timestamp: toTimestamp,
  to_epoch_millis: { value: (g, e) => g.value(e.args[0]!) },
  from_epoch_millis: inline(([a]) => `Math.floor(${a!})`),
  // Internal (planner-generated, not callable from SQL): the start of the tumbling window of
  // size b and offset c containing a, with floor semantics for times before the epoch.
  tumble_start: inline(([a, b, c]) => `${a} - (((${a} - ${c}) % ${b}) + ${b}) % ${b}`),
}
