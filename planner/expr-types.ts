/**
 * Type rules shared by the binder and the function catalog: node constructors, implicit casts
 * (numeric widening, string literal → TIMESTAMP, NULL fits anything), common types, and the
 * typing of operators.
 *
 * Implicit casts are explicit `cast` nodes in the bound tree (except on literals, which are
 * retyped in place), so every call's arguments have exactly the types its rule expects and the
 * compiler never guesses.
 */
import type { AstExpr } from './ast.ts'
import type { CallExpr, CastExpr, Expr, LiteralExpr } from '../runtime/graph.ts'
import { type DataType, type Value, isNumericType, parseTimestamp } from '../runtime/types.ts'
import { sqlError, type WeirError } from '../runtime/errors.ts'
import { formatAst } from './format-expr.ts'

/** A bound argument with the syntax it came from (for error positions and messages). */
export interface BoundArg {
  readonly expr: Expr
  readonly ast: AstExpr
}

export function literal(value: Value, type: DataType): LiteralExpr {
  return Object.freeze({ kind: 'literal', value, type })
}

export function call(fn: string, args: readonly Expr[], type: DataType): CallExpr {
  return Object.freeze({ kind: 'call', fn, args: Object.freeze([...args]), type })
}

export function castTo(expr: Expr, type: DataType): CastExpr {
  return Object.freeze({ kind: 'cast', expr, type })
}

/** TYPE_MISMATCH naming the offending expression as SQL text, at its position. */
export function typeError(message: string, ast: AstExpr): WeirError {
  return sqlError('TYPE_MISMATCH', `${message} in "${formatAst(ast)}"`, ast.pos)
}

const NUMERIC_RANK: Readonly<Partial<Record<DataType, number>>> = { INT: 0, BIGINT: 1, DOUBLE: 2 }

function wider(a: DataType, b: DataType): DataType {
  return (NUMERIC_RANK[a] ?? 0) >= (NUMERIC_RANK[b] ?? 0) ? a : b
}

function isStringLiteral(e: Expr): boolean {
  return e.kind === 'literal' && e.type === 'VARCHAR' && typeof e.value === 'string'
}

/**
 * The type a set of values meets at (comparison operands, CASE branches, COALESCE arguments):
 * numeric types widen INT < BIGINT < DOUBLE, NULL fits anything, and string literals next to a
 * TIMESTAMP become timestamps. Null when the types do not meet. 'NULL' when all are NULL.
 */
export function commonType(args: readonly BoundArg[]): DataType | null {
  const hasTimestamp = args.some((a) => a.expr.type === 'TIMESTAMP')
  let t: DataType = 'NULL'
  for (const a of args) {
    const u: DataType = hasTimestamp && isStringLiteral(a.expr) ? 'TIMESTAMP' : a.expr.type
    if (u === 'NULL' || u === t) continue
    if (t === 'NULL') t = u
    else if (isNumericType(t) && isNumericType(u)) t = wider(t, u)
    else return null
  }
  return t
}

/**
 * `arg` as a `target` value when that needs no more than an implicit cast; null when it needs
 * an explicit CAST. A string literal becoming a TIMESTAMP is parsed now: a bad one is
 * INVALID_LITERAL at the literal's position.
 */
export function implicitCast(arg: BoundArg, target: DataType): Expr | null {
  const e = arg.expr
  if (e.type === target || target === 'NULL') return e
  const widening = isNumericType(e.type) && isNumericType(target) && wider(e.type, target) === target
  if (e.kind === 'literal') {
    if (e.value === null) return literal(null, target)
    if (widening) return literal(e.value, target)
    if (target === 'TIMESTAMP' && typeof e.value === 'string' && e.type === 'VARCHAR') {
      const ms = parseTimestamp(e.value)
      if (ms === null) {
        throw sqlError('INVALID_LITERAL', `invalid TIMESTAMP literal '${e.value}': expected ISO-8601 or YYYY-MM-DD HH:MM:SS[.fff]`, arg.ast.pos)
      }
      return literal(ms, 'TIMESTAMP')
    }
    return null
  }
  if (e.type === 'NULL' || widening) return castTo(e, target)
  return null
}

/** Casts every argument to `target` (callers have checked with `commonType`). */
export function castAll(args: readonly BoundArg[], target: DataType, site: AstExpr): Expr[] {
  return args.map((a) => {
    const e = implicitCast(a, target)
    if (e === null) throw typeError(`cannot use ${a.expr.type} as ${target}`, site)
    return e
  })
}

/** Types that `=`, `<` etc. accept. JSON is excluded: compare `->>` text or CAST instead. */
export function isComparable(t: DataType): boolean {
  return t !== 'JSON'
}

function typesText(args: readonly BoundArg[]): string {
  return args.map((a) => a.expr.type).join(' and ')
}

/** `=`, `<>`, `<`, `<=`, `>`, `>=`: both sides at their common type; BOOLEAN. */
export function bindComparison(op: string, left: BoundArg, right: BoundArg, site: AstExpr): Expr {
  const t = commonType([left, right])
  if (t === null || !isComparable(t)) {
    const hint = t === 'JSON' ? ' (compare JSON as text with ->> or CAST it)' : ''
    throw typeError(`cannot compare ${typesText([left, right])} with ${op}${hint}`, site)
  }
  return call(op, castAll([left, right], t, site), 'BOOLEAN')
}

// Arithmetic on time: which (left, right) pairs mean what, per operator, first match wins.
type Operand = DataType | 'NUMERIC'
const TIME_ARITHMETIC: Readonly<Record<string, readonly (readonly [Operand, Operand, DataType])[]>> = {
  '+': [['TIMESTAMP', 'INTERVAL', 'TIMESTAMP'], ['INTERVAL', 'TIMESTAMP', 'TIMESTAMP'], ['INTERVAL', 'INTERVAL', 'INTERVAL']],
  '-': [['TIMESTAMP', 'INTERVAL', 'TIMESTAMP'], ['TIMESTAMP', 'TIMESTAMP', 'INTERVAL'], ['INTERVAL', 'INTERVAL', 'INTERVAL']],
  '*': [['INTERVAL', 'NUMERIC', 'INTERVAL'], ['NUMERIC', 'INTERVAL', 'INTERVAL']],
  '/': [['INTERVAL', 'NUMERIC', 'INTERVAL']],
}

function fits(t: DataType, want: Operand): boolean {
  return t === 'NULL' || (want === 'NUMERIC' ? isNumericType(t) : t === want)
}

/**
 * `+ - * / %`. Numbers widen to the wider type (INT and BIGINT division truncates, at run
 * time). TIMESTAMP ± INTERVAL → TIMESTAMP, TIMESTAMP − TIMESTAMP → INTERVAL, INTERVAL ± INTERVAL,
 * INTERVAL × number and INTERVAL ÷ number → INTERVAL. A NULL operand takes the type of the
 * first rule the other side fits.
 */
export function bindArithmetic(op: string, left: BoundArg, right: BoundArg, site: AstExpr): Expr {
  const lt = left.expr.type
  const rt = right.expr.type
  if (lt === 'NULL' && rt === 'NULL') return call(op, [left.expr, right.expr], 'NULL')
  if ((isNumericType(lt) || lt === 'NULL') && (isNumericType(rt) || rt === 'NULL')) {
    // As in Spark, `/` always divides as DOUBLE (7 / 2 = 3.5); the other operators widen.
    const t = op === '/' ? 'DOUBLE' : lt === 'NULL' ? rt : rt === 'NULL' ? lt : wider(lt, rt)
    return call(op, castAll([left, right], t, site), t)
  }
  const rule = (TIME_ARITHMETIC[op] ?? []).find(([l, r]) => fits(lt, l) && fits(rt, r))
  if (rule === undefined) throw typeError(`cannot apply ${op} to ${lt} and ${rt}`, site)
  const [l, r, result] = rule
  const target = (t: DataType, want: Operand): DataType => (t !== 'NULL' ? t : want === 'NUMERIC' ? 'BIGINT' : want)
  return call(op, [implicitCast(left, target(lt, l)) ?? left.expr, implicitCast(right, target(rt, r)) ?? right.expr], result)
}

/** AND / OR: BOOLEAN (or NULL) operands. */
export function bindLogical(op: 'and' | 'or', left: BoundArg, right: BoundArg, site: AstExpr): Expr {
  for (const a of [left, right]) {
    if (a.expr.type !== 'BOOLEAN' && a.expr.type !== 'NULL') {
      throw typeError(`cannot apply ${op.toUpperCase()} to ${typesText([left, right])}`, site)
    }
  }
  return call(op, castAll([left, right], 'BOOLEAN', site), 'BOOLEAN')
}

// Types that turn into text for `||` and CONCAT (PostgreSQL's "anynonarray || text").
function toText(arg: BoundArg, site: AstExpr): Expr {
  const t = arg.expr.type
  if (t === 'VARCHAR') return arg.expr
  if (t === 'NULL') return implicitCast(arg, 'VARCHAR') ?? arg.expr
  if (t === 'INTERVAL') throw typeError(`cannot convert INTERVAL to VARCHAR`, site)
  return castTo(arg.expr, 'VARCHAR')
}

/** `a || b`: NULL-propagating concatenation; at least one side must be text. */
export function bindConcatOperator(left: BoundArg, right: BoundArg, site: AstExpr): Expr {
  const anyText = left.expr.type === 'VARCHAR' || right.expr.type === 'VARCHAR' ||
    (left.expr.type === 'NULL' && right.expr.type === 'NULL')
  if (!anyText) throw typeError(`cannot apply || to ${typesText([left, right])}`, site)
  return call('concat', [toText(left, site), toText(right, site)], 'VARCHAR')
}

/** CONCAT(a, …): NULL if any argument is NULL (Spark and Flink); concat_ws-like skipping is `concat_skip_nulls`. */
export function bindConcatFunction(args: readonly BoundArg[], site: AstExpr): Expr {
  return call('concat', args.map((a) => toText(a, site)), 'VARCHAR')
}

/** `j -> key` (JSON) and `j ->> key` (text): key is text (object member) or an integer (array element). */
export function bindJsonAccess(op: '->' | '->>', left: BoundArg, right: BoundArg, site: AstExpr): Expr {
  const lt = left.expr.type
  const rt = right.expr.type
  if (lt !== 'JSON' && lt !== 'NULL') {
    const hint = lt === 'VARCHAR' ? ' (CAST the text AS JSON first)' : ''
    throw typeError(`cannot apply ${op} to ${lt}${hint}`, site)
  }
  if (rt !== 'VARCHAR' && rt !== 'INT' && rt !== 'BIGINT' && rt !== 'NULL') {
    throw typeError(`JSON key must be VARCHAR or an integer, not ${rt}`, site)
  }
  const l = implicitCast(left, 'JSON') ?? left.expr
  return call(op === '->' ? 'json_get' : 'json_get_text', [l, right.expr], op === '->' ? 'JSON' : 'VARCHAR')
}

/**
 * Explicit CAST: which conversions exist. Numbers ↔ TIMESTAMP are refused on purpose (Spark
 * counts seconds, epoch-millis inputs count milliseconds): the message names the function to use.
 */
export function castError(from: DataType, to: DataType): string | null {
  if (from === to || from === 'NULL') return null
  const hint = isNumericType(from) && to === 'TIMESTAMP'
    ? '; use to_timestamp(seconds) or from_epoch_millis(ms)'
    : from === 'TIMESTAMP' && isNumericType(to) ? '; use to_epoch_millis(ts)' : ''
  return CASTS[from]?.includes(to) === true ? null : `cannot cast ${from} to ${to}${hint}`
}

const CASTS: Readonly<Partial<Record<DataType, readonly DataType[]>>> = {
  BOOLEAN: ['INT', 'BIGINT', 'DOUBLE', 'VARCHAR', 'JSON'],
  INT: ['BOOLEAN', 'BIGINT', 'DOUBLE', 'VARCHAR', 'JSON', 'INTERVAL'],
  BIGINT: ['BOOLEAN', 'INT', 'DOUBLE', 'VARCHAR', 'JSON', 'INTERVAL'],
  DOUBLE: ['BOOLEAN', 'INT', 'BIGINT', 'VARCHAR', 'JSON', 'INTERVAL'],
  VARCHAR: ['BOOLEAN', 'INT', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'JSON'],
  TIMESTAMP: ['VARCHAR', 'JSON'],
  JSON: ['BOOLEAN', 'INT', 'BIGINT', 'DOUBLE', 'VARCHAR', 'TIMESTAMP'],
  INTERVAL: ['INT', 'BIGINT', 'DOUBLE'],
}
