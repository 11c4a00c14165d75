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
import { tokenize, type SourceText, type Token } from './tokenizer.ts'

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
  const shifted: Preprocessed = { text: SELECT_PREFIX + pre.text, base, intervals: pre.intervals }
  const locator = new Locator(tokenize(pre.text, start, r.src), r.src, end)
  return guard(r.src, start, () => {
    const conv = new SelectConverter(locator, shifted)
    const columns = list(get(node, 'columns'))
    const expr = conv.expr(get(columns[0], 'expr'))
    const extra = columns.length !== 1 || isSet(get(columns[0], 'as')) || isSet(get(node, 'from')) || isSet(get(node, 'where'))
    const rest = locator.next()
    if (extra || rest !== undefined) {
      if (rest === undefined) return conv.syntax('syntax error: expected one expression')
      return conv.syntax(`syntax error at or near "${r.src.raw(rest)}"`, r.src.pos(rest.start))
    }
    return expr
  })
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
