/**
 * Expressions as SQL text: `formatAst` for messages and default column names (the planner also
 * compares these strings to match GROUP BY keys with select items, so the output must depend
 * only on the tree), `formatExpr` for EXPLAIN. Both are deterministic and put parentheses only
 * where precedence needs them (PostgreSQL's precedence order).
 */
import type { AstExpr } from './ast.ts'
import type { Expr } from '../runtime/graph.ts'
import { type DataType, type Value, formatTimestamp } from '../runtime/types.ts'
import { assertNever } from '../runtime/errors.ts'

// Binding strength; higher binds tighter. Comparisons, LIKE, IN, BETWEEN and IS share a level.
const OR = 1
const AND = 2
const NOT = 3
const COMPARE = 4
const OTHER = 5 // ||, ->, ->>
const ADD = 6
const MUL = 7
const UNARY = 8
const ATOM = 9

const BINARY_PREC: Readonly<Record<string, number>> = {
  or: OR, and: AND,
  '=': COMPARE, '<>': COMPARE, '!=': COMPARE, '<': COMPARE, '<=': COMPARE, '>': COMPARE, '>=': COMPARE,
  '||': OTHER, '->': OTHER, '->>': OTHER,
  '+': ADD, '-': ADD, '*': MUL, '/': MUL, '%': MUL,
}

/** Text with its precedence, so a parent knows whether to parenthesise it. */
interface Piece {
  readonly text: string
  readonly prec: number
}

/** Own entries only: a name like `constructor` must not find Object's. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

const atom = (text: string): Piece => ({ text, prec: ATOM })

function wrap(p: Piece, min: number): string {
  return p.prec < min ? `(${p.text})` : p.text
}

/** Left-associative infix: the right operand needs parentheses at equal precedence. */
function infix(left: Piece, op: string, right: Piece): Piece {
  const prec = own(BINARY_PREC, op) ?? COMPARE
  const sym = op === 'and' || op === 'or' ? op.toUpperCase() : op
  return { text: `${wrap(left, prec)} ${sym} ${wrap(right, prec + 1)}`, prec }
}

function unary(op: string, operand: Piece): Piece {
  if (op === 'not') return { text: `NOT ${wrap(operand, NOT)}`, prec: NOT }
  // `- -x` would read as a comment (`--`).
  const inner = operand.text.startsWith('-') || operand.text.startsWith('+') ? `(${operand.text})` : wrap(operand, UNARY)
  return { text: `${op}${inner}`, prec: UNARY }
}

const operand = (p: Piece): string => wrap(p, COMPARE + 1)

/** An identifier, double-quoted when it would not read back as the same name unquoted. */
export function formatIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

function caseText(operandText: string | null, whens: readonly (readonly [string, string])[], elseText: string | null): Piece {
  const parts = ['CASE']
  if (operandText !== null) parts.push(operandText)
  for (const [w, t] of whens) parts.push(`WHEN ${w} THEN ${t}`)
  if (elseText !== null) parts.push(`ELSE ${elseText}`)
  parts.push('END')
  return atom(parts.join(' '))
}

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/** SQL text of an AST expression, for messages and default column names. */
export function formatAst(ast: AstExpr): string {
  return astPiece(ast).text
}

function astPiece(ast: AstExpr): Piece {
  const f = (a: AstExpr): string => astPiece(a).text
  switch (ast.kind) {
    case 'column':
      return atom(ast.table === null ? formatIdent(ast.name) : `${formatIdent(ast.table)}.${formatIdent(ast.name)}`)
    case 'literal': {
      const v = ast.value
      switch (ast.type) {
        case 'string': return atom(quote(String(v)))
        case 'timestamp': return atom(`TIMESTAMP ${quote(String(v))}`)
        case 'boolean': return atom(v === true ? 'TRUE' : 'FALSE')
        case 'null': return atom('NULL')
        case 'number': {
          const n = Number(v)
          const text = ast.isInteger === false && Number.isInteger(n) ? n.toFixed(1) : String(n)
          return n < 0 ? { text, prec: UNARY } : atom(text)
        }
        default: return assertNever(ast.type, 'literal type')
      }
    }
    case 'interval':
      return atom(/^interval\b/i.test(ast.text) ? ast.text : `INTERVAL ${ast.text}`)
    case 'binary':
      return infix(astPiece(ast.left), ast.op.toLowerCase(), astPiece(ast.right))
    case 'unary':
      return unary(ast.op, astPiece(ast.operand))
    case 'function': {
      const args = ast.star ? '*' : `${ast.distinct ? 'DISTINCT ' : ''}${ast.args.map(f).join(', ')}`
      return atom(`${ast.name}(${args})`)
    }
    case 'case':
      return caseText(
        ast.operand === null ? null : f(ast.operand),
        ast.whens.map((w) => [f(w.when), f(w.then)] as const),
        ast.else === null ? null : f(ast.else),
      )
    case 'cast':
      return atom(`CAST(${f(ast.expr)} AS ${ast.target})`)
    case 'in':
      return { text: `${operand(astPiece(ast.expr))} ${ast.negated ? 'NOT IN' : 'IN'} (${ast.list.map(f).join(', ')})`, prec: COMPARE }
    case 'between':
      return {
        text: `${operand(astPiece(ast.expr))} ${ast.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${operand(astPiece(ast.low))} AND ${operand(astPiece(ast.high))}`,
        prec: COMPARE,
      }
    case 'like': {
      const op = `${ast.negated ? 'NOT ' : ''}${ast.caseInsensitive ? 'ILIKE' : 'LIKE'}`
      return { text: `${operand(astPiece(ast.expr))} ${op} ${operand(astPiece(ast.pattern))}`, prec: COMPARE }
    }
    case 'is_null':
      return { text: `${operand(astPiece(ast.expr))} ${ast.negated ? 'IS NOT NULL' : 'IS NULL'}`, prec: COMPARE }
    case 'extract':
      return atom(`EXTRACT(${ast.field.toUpperCase()} FROM ${f(ast.source)})`)
    case 'star':
      return atom(ast.table === null ? '*' : `${formatIdent(ast.table)}.*`)
    default:
      return assertNever(ast, 'expression kind')
  }
}

// ---------------------------------------------------------------------------------------------
// Bound expressions
// ---------------------------------------------------------------------------------------------

/**
 * A bound expression as SQL-ish text for EXPLAIN: columns by name (`columnNames[index]`, else
 * the name recorded at binding, else `#index`), implicit casts shown as CAST.
 */
export function formatExpr(expr: Expr, columnNames: readonly string[]): string {
  return exprPiece(expr, columnNames).text
}

const INFIX_FNS: Readonly<Record<string, string>> = {
  and: 'and', or: 'or', '=': '=', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', concat: '||', json_get: '->', json_get_text: '->>',
}

const LIKE_FNS: Readonly<Record<string, string>> = { like: 'LIKE', not_like: 'NOT LIKE', ilike: 'ILIKE', not_ilike: 'NOT ILIKE' }

// Calls whose SQL name differs from their `fn`.
const SQL_NAMES: Readonly<Record<string, string>> = { concat_skip_nulls: 'concat' }

function exprPiece(expr: Expr, names: readonly string[]): Piece {
  const p = (e: Expr): Piece => exprPiece(e, names)
  const f = (e: Expr): string => exprPiece(e, names).text
  switch (expr.kind) {
    case 'column':
      return atom(formatIdent(names[expr.index] ?? expr.name ?? `#${expr.index}`))
    case 'literal':
      return literalPiece(expr.value, expr.type)
    case 'cast':
      return atom(`CAST(${f(expr.expr)} AS ${expr.type})`)
    case 'case':
      return caseText(
        expr.operand === null ? null : f(expr.operand),
        expr.whens.map((w) => [f(w.when), f(w.then)] as const),
        expr.else === null ? null : f(expr.else),
      )
    case 'call': {
      const a = expr.args
      const op = own(INFIX_FNS, expr.fn)
      if (op !== undefined && a.length === 2) return infix(p(a[0]!), op, p(a[1]!))
      const like = own(LIKE_FNS, expr.fn)
      if (like !== undefined && a.length === 2) return { text: `${operand(p(a[0]!))} ${like} ${operand(p(a[1]!))}`, prec: COMPARE }
      switch (expr.fn) {
        case 'not': return unary('not', p(a[0]!))
        case 'neg': return unary('-', p(a[0]!))
        case 'is_null': return { text: `${operand(p(a[0]!))} IS NULL`, prec: COMPARE }
        case 'is_not_null': return { text: `${operand(p(a[0]!))} IS NOT NULL`, prec: COMPARE }
        case 'in':
        case 'not_in':
          return { text: `${operand(p(a[0]!))} ${expr.fn === 'in' ? 'IN' : 'NOT IN'} (${a.slice(1).map(f).join(', ')})`, prec: COMPARE }
        case 'between':
        case 'not_between':
          return {
            text: `${operand(p(a[0]!))} ${expr.fn === 'between' ? 'BETWEEN' : 'NOT BETWEEN'} ${operand(p(a[1]!))} AND ${operand(p(a[2]!))}`,
            prec: COMPARE,
          }
        case 'extract': {
          const field = a[0]
          if (field?.kind === 'literal' && typeof field.value === 'string' && a.length === 2) {
            return atom(`EXTRACT(${field.value.toUpperCase()} FROM ${f(a[1]!)})`)
          }
          break
        }
      }
      return atom(`${own(SQL_NAMES, expr.fn) ?? expr.fn}(${a.map(f).join(', ')})`)
    }
    default:
      return assertNever(expr, 'expression kind')
  }
}

const INTERVAL_UNITS: readonly (readonly [string, number])[] = [
  ['DAY', 86_400_000], ['HOUR', 3_600_000], ['MINUTE', 60_000], ['SECOND', 1000],
]

/** `INTERVAL '5' MINUTE`: the largest unit that divides exactly, else milliseconds. */
export function formatInterval(ms: number): string {
  for (const [unit, size] of INTERVAL_UNITS) {
    if (ms !== 0 && ms % size === 0) return `INTERVAL '${ms / size}' ${unit}`
  }
  return `INTERVAL '${ms}' MILLISECOND`
}

function literalPiece(value: Value, type: DataType): Piece {
  if (value === null) return atom('NULL')
  let text: string
  switch (type) {
    case 'VARCHAR':
      text = quote(String(value))
      break
    case 'TIMESTAMP':
      text = typeof value === 'number' ? `TIMESTAMP ${quote(formatTimestamp(value) ?? String(value))}` : quote(String(value))
      break
    case 'INTERVAL':
      text = typeof value === 'number' ? formatInterval(value) : String(value)
      break
    case 'DOUBLE':
      text = typeof value === 'number' && Number.isInteger(value) ? value.toFixed(1) : String(value)
      break
    case 'BOOLEAN':
      text = value === true ? 'TRUE' : 'FALSE'
      break
    case 'JSON':
      text = `CAST(${quote(JSON.stringify(value))} AS JSON)`
      break
    case 'INT':
    case 'BIGINT':
    case 'NULL':
      text = String(value)
      break
    default:
      return assertNever(type, 'data type')
  }
  return typeof value === 'number' && value < 0 ? { text, prec: UNARY } : atom(text)
}
