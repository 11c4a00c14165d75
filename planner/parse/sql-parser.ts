/**
 * The only file that imports node-sql-parser. It parses pre-processed SELECT text and hands the
 * loose tree, typed `unknown`, straight to the converters; what leaves this file is our AST or a
 * WeirError whose position points into the user's script.
 *
 * WARNING: node-sql-parser's errors list every token it expected (hundreds of characters); we
 * replace them with `syntax error at or near "X"` / `unexpected end of input`.
 */
import pkg from 'node-sql-parser/build/postgresql.js'
import type { AstExpr, AstSelect } from '../ast.ts'
import { WeirError } from '../../runtime/errors.ts'
import { SelectConverter } from './convert-select.ts'
import { Locator } from './locator.ts'
import { get, isSet, list } from './loose.ts'
import { preprocess, type Preprocessed } from './preprocess.ts'
import { isOp, tokenize, type SourceText, type Token } from './tokenizer.ts'

const parser = new pkg.Parser()
const OPTIONS = { database: 'postgresql', parseOptions: { includeLocations: true } }
const SELECT_PREFIX = 'SELECT '

/**
 * A range of a statement's tokens: `tokens[from..to)` is the text to parse; tokens after `to`
 * (an EMIT clause, say) are still used to name the culprit of a syntax error.
 */
export interface TokenRange {
  readonly src: SourceText
  readonly tokens: readonly Token[]
  readonly from: number
  readonly to: number
}

function rangeOffsets(r: TokenRange): { start: number; end: number } {
  const first = r.tokens[r.from]
  const last = r.tokens[r.to - 1]
  if (first === undefined || last === undefined || r.to <= r.from) {
    const at = first?.start ?? r.tokens[r.tokens.length - 1]?.end ?? 0
    throw parseError('unexpected end of input', r.src, at)
  }
  return { start: first.start, end: last.end }
}

/** Parses `SELECT …` (no EMIT clause) into an AstSelect. */
export function parseSelect(r: TokenRange): AstSelect {
  const { start, end } = rangeOffsets(r)
  const pre = preprocess(r.src, r.tokens.slice(r.from, r.to), start, end)
  const ast = astify(pre.text, pre.base, r, end)
  const nodes = Array.isArray(ast) ? ast : [ast]
  if (nodes.length !== 1) throw parseError('expected one statement', r.src, start)
  const locator = new Locator(tokenize(pre.text, pre.base, r.src), r.src, end)
  return guard(r.src, start, () => new SelectConverter(locator, pre).select(nodes[0]))
}

/** Parses one expression (a WATERMARK's AS clause, a VALUES item) by reading `SELECT <expr>`. */
export function parseExpression(r: TokenRange): AstExpr {
  const { start, end } = rangeOffsets(r)
  const pre = preprocess(r.src, r.tokens.slice(r.from, r.to), start, end)
  const base = start - SELECT_PREFIX.length
  const ast = astify(SELECT_PREFIX + pre.text, base, r, end)
  const node = Array.isArray(ast) ? ast[0] : ast
  const shifted: Preprocessed = { ...pre, text: SELECT_PREFIX + pre.text, base }
  const locator = new Locator(tokenize(pre.text, start, r.src), r.src, end)
  return guard(r.src, start, () => {
    const conv = new SelectConverter(locator, shifted)
    const first = r.tokens[r.from] as Token
    // `SELECT DISTINCT a` would parse, but DISTINCT is no part of an expression.
    if (isSet(get(get(node, 'distinct'), 'type'))) return conv.syntax(`syntax error at or near "${r.src.raw(first)}"`, r.src.pos(first.start))
    const columns = list(get(node, 'columns'))
    const expr = conv.expr(get(columns[0], 'expr'))
    if (expr.kind === 'star') return conv.syntax('syntax error at or near "*"', expr.pos)
    const alias = get(columns[0], 'as')
    const clauses = ['from', 'where', 'groupby', 'having', 'orderby', 'window'].some((k) => isSet(get(node, k)))
    if (columns.length === 1 && !isSet(alias) && !clauses && !isSet(get(get(node, 'limit'), 'value'))) return expr
    // `SELECT <expr>` parsed, but with more than one expression in it: blame what follows it.
    const culprit = (isSet(alias) ? locator.next() : undefined) ?? firstClauseToken(r)
    return conv.syntax(`syntax error at or near "${r.src.raw(culprit)}"`, r.src.pos(culprit.start))
  })
}

const CLAUSE_WORDS = new Set(['as', 'from', 'where', 'group', 'having', 'order', 'limit', 'offset', 'window', 'into'])

/** The first depth-0 comma or clause keyword of the range (falling back to its first token). */
function firstClauseToken(r: TokenRange): Token {
  let depth = 0
  for (let j = r.from; j < r.to; j++) {
    const t = r.tokens[j] as Token
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')')) depth--
    else if (depth === 0 && (isOp(t, ',') || (t.kind === 'word' && CLAUSE_WORDS.has(t.value.toLowerCase())))) return t
  }
  return r.tokens[r.from] as Token
}

function astify(text: string, base: number, r: TokenRange, end: number): unknown {
  try {
    return parser.astify(text, OPTIONS)
  } catch (e) {
    const offset = get(get(get(e, 'location'), 'start'), 'offset')
    const at = typeof offset === 'number' ? Math.max(base + offset, r.tokens[r.from]?.start ?? 0) : end
    // Name the whole token at the failure point, read from the original text.
    const culprit = r.tokens.slice(r.from).find((t) => t.end > at)
    if (culprit === undefined) throw parseError('unexpected end of input', r.src, end, e)
    const raw = r.src.raw(culprit)
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw
    throw parseError(`syntax error at or near "${shown}"`, r.src, culprit.start, e)
  }
}

function parseError(message: string, src: SourceText, offset: number, cause?: unknown): WeirError {
  return new WeirError('SQL_PARSE_ERROR', message, { domain: 'user', position: src.pos(offset), cause })
}

/** Conversion must only ever throw WeirError, whatever shape the parser hands us. */
function guard<T>(src: SourceText, start: number, convert: () => T): T {
  try {
    return convert()
  } catch (e) {
    if (e instanceof WeirError) throw e
    throw parseError('could not parse this statement', src, start, e)
  }
}
