/**
 * Binding: an `AstExpr` becomes a typed graph `Expr` with columns resolved to row positions,
 * implicit casts made explicit, and literals in their runtime representation (TIMESTAMP and
 * INTERVAL as milliseconds). Type errors are caught here, at plan time, with the position of
 * the offending text; the compiled expression never has to check types.
 */
import type { AstColumn, AstExpr, AstFunction, AstLiteral } from './ast.ts'
import type { Expr } from '../runtime/graph.ts'
import { type DataType, parseTimestamp } from '../runtime/types.ts'
import { assertNever, sqlError } from '../runtime/errors.ts'
import {
  type BoundArg, bindArithmetic, bindComparison, bindConcatOperator, bindJsonAccess, bindLogical, call, castAll,
  castError, castTo, commonType, implicitCast, isComparable, literal, typeError,
} from './expr-types.ts'
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS, UNSUPPORTED_FUNCTIONS, arityText, bindExtract } from './functions.ts'
import { formatAst } from './format-expr.ts'

export interface ExprScope {
  /** Resolve a column reference; throws WeirError UNKNOWN_COLUMN / AMBIGUOUS_COLUMN with the ref's pos. */
  resolveColumn(col: AstColumn): { index: number; type: DataType; name: string }
  /**
   * Called first on every AST node: return a bound Expr to replace the node (used by the
   * caller for aggregates and GROUP BY expressions), or undefined to bind normally.
   */
  intercept?(ast: AstExpr): Expr | undefined
}

const INT_MIN = -2147483648
const INT_MAX = 2147483647

/** Binds and types `ast` against `scope`. Throws WeirError (user domain) with the text's position. */
export function bindExpr(ast: AstExpr, scope: ExprScope): Expr {
  const replaced = scope.intercept?.(ast)
  if (replaced !== undefined) return replaced
  const arg = (a: AstExpr): BoundArg => ({ expr: bindExpr(a, scope), ast: a })
  switch (ast.kind) {
    case 'column': {
      const c = scope.resolveColumn(ast)
      return Object.freeze({ kind: 'column', index: c.index, type: c.type, name: c.name })
    }
    case 'literal':
      return bindLiteral(ast)
    case 'interval':
      return literal(ast.ms, 'INTERVAL')
    case 'binary':
      return bindBinary(ast.op, arg(ast.left), arg(ast.right), ast)
    case 'unary':
      return bindUnary(ast.op, arg(ast.operand), ast)
    case 'function':
      return bindFunction(ast, scope)
    case 'case':
      return bindCase(ast, scope)
    case 'cast':
      return bindCast(arg(ast.expr), ast.target, ast)
    case 'in': {
      const value = arg(ast.expr)
      const list = ast.list.map(arg)
      const all = [value, ...list]
      const t = comparableType(all, ast, 'IN')
      return call(ast.negated ? 'not_in' : 'in', castAll(all, t, ast), 'BOOLEAN')
    }
    case 'between': {
      const all = [arg(ast.expr), arg(ast.low), arg(ast.high)]
      const t = comparableType(all, ast, 'BETWEEN')
      return call(ast.negated ? 'not_between' : 'between', castAll(all, t, ast), 'BOOLEAN')
    }
    case 'like': {
      const all = [arg(ast.expr), arg(ast.pattern)]
      for (const a of all) {
        if (a.expr.type !== 'VARCHAR' && a.expr.type !== 'NULL') {
          throw typeError(`cannot apply ${ast.caseInsensitive ? 'ILIKE' : 'LIKE'} to ${a.expr.type}`, ast)
        }
      }
      checkLikePattern(all[1]!)
      const fn = `${ast.negated ? 'not_' : ''}${ast.caseInsensitive ? 'ilike' : 'like'}`
      return call(fn, castAll(all, 'VARCHAR', ast), 'BOOLEAN')
    }
    case 'is_null':
      return call(ast.negated ? 'is_not_null' : 'is_null', [bindExpr(ast.expr, scope)], 'BOOLEAN')
    case 'extract':
      return bindExtract(ast.field, arg(ast.source), ast, ast)
    case 'star':
      throw sqlError('UNSUPPORTED_OPERATION', `"${formatAst(ast)}" is only allowed as a select item or in count(*)`, ast.pos)
    default:
      return assertNever(ast, 'expression kind')
  }
}

/**
 * `expr` as a value of `target` where SQL assigns implicitly (INSERT values, defaults): numeric
 * widening, NULL, and string literals into TIMESTAMP columns. Throws TYPE_MISMATCH otherwise.
 */
export function coerceExpr(expr: Expr, ast: AstExpr, target: DataType): Expr {
  const e = implicitCast({ expr, ast }, target)
  if (e === null) throw typeError(`cannot assign ${expr.type} to ${target}`, ast)
  return e
}

function bindLiteral(ast: AstLiteral): Expr {
  const v = ast.value
  switch (ast.type) {
    case 'string':
      return literal(String(v), 'VARCHAR')
    case 'boolean':
      return literal(v === true, 'BOOLEAN')
    case 'null':
      return literal(null, 'NULL')
    case 'number':
      return numberLiteral(Number(v), ast.isInteger ?? Number.isInteger(v))
    case 'timestamp': {
      const ms = parseTimestamp(String(v))
      if (ms === null) {
        throw sqlError('INVALID_LITERAL', `invalid TIMESTAMP literal '${String(v)}': expected ISO-8601 or YYYY-MM-DD HH:MM:SS[.fff]`, ast.pos)
      }
      return literal(ms, 'TIMESTAMP')
    }
    default:
      return assertNever(ast.type, 'literal type')
  }
}

/** Integers that fit 32 bits are INT, other integers BIGINT, anything with a point DOUBLE. */
function numberLiteral(n: number, integer: boolean): Expr {
  if (!integer || !Number.isInteger(n)) return literal(n, 'DOUBLE')
  return literal(n, n >= INT_MIN && n <= INT_MAX ? 'INT' : 'BIGINT')
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>='])
const ARITHMETIC = new Set(['+', '-', '*', '/', '%'])

function bindBinary(op: string, left: BoundArg, right: BoundArg, ast: AstExpr): Expr {
  const o = op.toLowerCase()
  if (COMPARISONS.has(o)) return bindComparison(o, left, right, ast)
  if (o === '!=') return bindComparison('<>', left, right, ast)
  if (ARITHMETIC.has(o)) return bindArithmetic(o, left, right, ast)
  if (o === 'and' || o === 'or') return bindLogical(o, left, right, ast)
  if (o === '||') return bindConcatOperator(left, right, ast)
  if (o === '->' || o === '->>') return bindJsonAccess(o, left, right, ast)
  throw sqlError('UNSUPPORTED_OPERATION', `operator ${op} is not supported in "${formatAst(ast)}"`, ast.pos)
}

function bindUnary(op: 'not' | '-' | '+', operand: BoundArg, ast: AstExpr): Expr {
  const e = operand.expr
  const t = e.type
  switch (op) {
    case 'not':
      if (t !== 'BOOLEAN' && t !== 'NULL') throw typeError(`cannot apply NOT to ${t}`, ast)
      return call('not', castAll([operand], 'BOOLEAN', ast), 'BOOLEAN')
    case '-':
      if (t !== 'INT' && t !== 'BIGINT' && t !== 'DOUBLE' && t !== 'INTERVAL' && t !== 'NULL') {
        throw typeError(`cannot negate ${t}`, ast)
      }
      // Fold negative number literals so `-2147483648` is an INT and EXPLAIN shows `-5`.
      if (e.kind === 'literal' && typeof e.value === 'number') {
        const n = 0 - e.value
        return t === 'INTERVAL' ? literal(n, t) : numberLiteral(n, t !== 'DOUBLE')
      }
      return call('neg', [e], t)
    case '+':
      if (t !== 'INT' && t !== 'BIGINT' && t !== 'DOUBLE' && t !== 'INTERVAL' && t !== 'NULL') {
        throw typeError(`cannot apply unary + to ${t}`, ast)
      }
      return e
    default:
      return assertNever(op, 'unary operator')
  }
}

function bindFunction(ast: AstFunction, scope: ExprScope): Expr {
  const name = ast.name.toLowerCase()
  if (AGGREGATE_FUNCTIONS.has(name)) {
    throw sqlError('AGGREGATE_NOT_ALLOWED', `aggregate function ${formatAst(ast)} is not allowed here`, ast.pos)
  }
  const unsupported = UNSUPPORTED_FUNCTIONS.get(name)
  if (unsupported !== undefined) throw sqlError('UNSUPPORTED_FUNCTION', unsupported, ast.pos)
  const f = SCALAR_FUNCTIONS.get(name)
  if (f === undefined) throw sqlError('UNKNOWN_FUNCTION', `function ${ast.name}() does not exist`, ast.pos)
  if (ast.star) throw typeError(`${name}(*) is not valid; only count(*) takes *`, ast)
  if (ast.distinct) {
    throw sqlError('UNSUPPORTED_OPERATION', `DISTINCT is only allowed in aggregate functions, not in "${formatAst(ast)}"`, ast.pos)
  }
  const n = ast.args.length
  if (n < f.minArgs || n > f.maxArgs) {
    throw typeError(`${name}() takes ${arityText(f)} argument${f.maxArgs === 1 ? '' : 's'} but got ${n}`, ast)
  }
  const args = ast.args.map((a): BoundArg => ({ expr: bindExpr(a, scope), ast: a }))
  const bound = f.bind(args, ast)
  if (bound === null) {
    const got = args.map((a) => a.expr.type).join(', ')
    throw typeError(`cannot apply ${name} to (${got}); expected ${f.signature}`, ast)
  }
  return bound
}

/** The common type of IN / BETWEEN operands, which must also be comparable. */
function comparableType(all: readonly BoundArg[], ast: AstExpr, what: string): DataType {
  const t = commonType(all)
  if (t === null || !isComparable(t)) {
    const types = [...new Set(all.map((a) => a.expr.type))].join(' and ')
    throw typeError(`cannot compare ${types} in ${what}`, ast)
  }
  return t
}

function bindCase(ast: Extract<AstExpr, { kind: 'case' }>, scope: ExprScope): Expr {
  const arg = (a: AstExpr): BoundArg => ({ expr: bindExpr(a, scope), ast: a })
  const operand = ast.operand === null ? null : arg(ast.operand)
  let whens = ast.whens.map((w) => arg(w.when))
  if (operand === null) {
    for (const w of whens) {
      if (w.expr.type !== 'BOOLEAN' && w.expr.type !== 'NULL') throw typeError(`CASE WHEN condition must be BOOLEAN, not ${w.expr.type}`, w.ast)
    }
    whens = whens.map((w) => ({ expr: castAll([w], 'BOOLEAN', ast)[0]!, ast: w.ast }))
  }
  let boundOperand: Expr | null = null
  if (operand !== null) {
    const t = comparableType([operand, ...whens], ast, 'CASE')
    const cast = castAll([operand, ...whens], t, ast)
    boundOperand = cast[0]!
    whens = whens.map((w, i) => ({ expr: cast[i + 1]!, ast: w.ast }))
  }
  const results = ast.whens.map((w) => arg(w.then))
  if (ast.else !== null) results.push(arg(ast.else))
  const type = commonType(results)
  if (type === null) {
    const types = [...new Set(results.map((r) => r.expr.type))].join(', ')
    throw typeError(`CASE branches have incompatible types ${types}`, ast)
  }
  const typed = castAll(results, type, ast)
  return Object.freeze({
    kind: 'case',
    operand: boundOperand,
    whens: Object.freeze(whens.map((w, i) => Object.freeze({ when: w.expr, then: typed[i]! }))),
    else: ast.else === null ? null : typed[typed.length - 1]!,
    type,
  })
}

function bindCast(operand: BoundArg, target: DataType, ast: AstExpr): Expr {
  const e = operand.expr
  if (target === 'NULL') throw typeError('cannot cast to NULL', ast)
  const err = castError(e.type, target)
  if (err !== null) throw typeError(err, ast)
  if (e.type === target) return e
  // Casting a string literal to TIMESTAMP is checked now, like a TIMESTAMP literal.
  if (e.kind === 'literal' && (e.value === null || (target === 'TIMESTAMP' && e.type === 'VARCHAR'))) {
    return implicitCast(operand, target) ?? castTo(e, target)
  }
  return castTo(e, target)
}

/** LIKE patterns that are literals are checked now: a trailing escape has nothing to escape. */
function checkLikePattern(pattern: BoundArg): void {
  const e = pattern.expr
  if (e.kind !== 'literal' || typeof e.value !== 'string') return
  let i = 0
  while (i < e.value.length) {
    if (e.value[i] === '\\') {
      if (i === e.value.length - 1) {
        throw sqlError('INVALID_LITERAL', `LIKE pattern must not end with the escape character \\: '${e.value}'`, pattern.ast.pos)
      }
      i += 2
    } else {
      i++
    }
  }
}
