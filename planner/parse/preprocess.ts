/**
 * Length-preserving rewrites that turn Weir's SELECT dialect into text node-sql-parser reads
 * correctly. Every rewrite keeps each character's offset, so the parser's locations (and our
 * tokens over the rewritten text) still point at the user's original characters.
 *
 * Also rejects, before parsing, what node-sql-parser would misread or what we do not support.
 */
import type { AstInterval } from '../ast.ts'
import { sqlError } from '../../runtime/errors.ts'
import { intervalMs, isIntervalUnit } from './interval.ts'
import { isOp, isWord, type SourceText, type Token } from './tokenizer.ts'
import { dataTypeFromName, isTypePrefix, LATER_TYPES } from './types.ts'

export interface Preprocessed {
  /** Same length as the original range; character i sits at absolute offset `base + i`. */
  readonly text: string
  readonly base: number
  /** Intervals were replaced by identifier placeholders (the map's keys) of the same length. */
  readonly intervals: ReadonlyMap<string, AstInterval>
  /**
   * Start offsets of the names of calls written `f(DISTINCT …)`: node-sql-parser accepts DISTINCT
   * only in COUNT, so we blank the keyword and remember it here.
   */
  readonly distinctCalls: ReadonlySet<number>
}

const WINDOW_TVFS = new Set(['tumble', 'hop', 'session', 'cumulate'])
const SET_OPS = new Set(['union', 'intersect', 'except'])

/** A placeholder name no user writes; `__wiv3____` stands for the fourth interval. */
export const INTERVAL_MARKER = /^__wiv(\d+)_*$/

/** `tokens` are the script's tokens for the range [start, end) of `src`. */
export function preprocess(src: SourceText, tokens: readonly Token[], start: number, end: number): Preprocessed {
  const chars = src.text.slice(start, end).split('')
  const intervals = new Map<string, AstInterval>()
  const distinctCalls = new Set<number>()
  const put = (from: number, to: number, replacement: string): void => {
    for (let i = from; i < to; i++) chars[i - start] = replacement[i - from] ?? ' '
  }
  const err = (code: string, message: string, t: Token): never => {
    throw sqlError(code, message, src.pos(t.start))
  }

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token
    const next = tokens[i + 1]
    if (t.kind === 'word') {
      const w = t.value.toLowerCase()
      if (SET_OPS.has(w)) err('SQL_UNSUPPORTED', `${w.toUpperCase()} is not supported`, t)
      if (w === 'over' && isOp(next, '(')) {
        err('SQL_UNSUPPORTED', 'window functions (OVER) are not supported; use GROUP BY with a window table function', t)
      }
      if (isOp(next, '(') && isWord(tokens[i + 2], 'distinct') && !isOp(tokens[i + 3], ')')) {
        const kw = tokens[i + 2] as Token
        put(kw.start, kw.end, '')
        distinctCalls.add(t.start)
      }
      if (w === 'interval') {
        i = replaceInterval(src, tokens, i, intervals, put)
      } else if (w === 'table' && isOp(next, '(') && isTvfName(tokens[i + 2]) && isOp(tokens[i + 3], '(')) {
        // Flink wraps window TVFs: `FROM TABLE(TUMBLE(…))`. Blank `TABLE(` and its `)`.
        const close = tokens[matchingParen(tokens, i + 1)]
        if (close !== undefined) {
          put(t.start, (next as Token).end, '')
          put(close.start, close.end, '')
        }
      } else if (WINDOW_TVFS.has(w) && isOp(next, '(') && isWord(tokens[i + 2], 'table')) {
        const table = tokens[i + 2] as Token
        put(table.start, table.end, '')
      } else if (w === 'descriptor' && isOp(next, '(') && isOp(tokens[i + 3], ')')) {
        // DESCRIPTOR(ts) → `ts` in place, so the time column keeps its exact position.
        put(t.start, (next as Token).end, '')
        const close = tokens[i + 3] as Token
        put(close.start, close.end, '')
      } else if (w === 'cross' && isWord(next, 'join')) {
        // node-sql-parser reads `t CROSS JOIN u` as t aliased CROSS; a comma join means the same.
        put(t.start, (next as Token).end, ',')
        i++
      } else if (w === 'substring' && isOp(next, '(')) {
        rewriteSubstring(tokens, i + 1, put)
      } else if (w === 'cast' && isOp(next, '(')) {
        checkCastType(src, tokens, i + 1)
      }
    } else if (isOp(t, '::')) {
      checkType(src, tokens, i + 1)
    }
  }
  return { text: chars.join(''), base: start, intervals, distinctCalls }
}

function isTvfName(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'word' && WINDOW_TVFS.has(t.value.toLowerCase())
}

/** Index of the `)` matching the `(` at `open`, or -1. */
function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0
  for (let j = open; j < tokens.length; j++) {
    if (isOp(tokens[j], '(')) depth++
    else if (isOp(tokens[j], ')') && --depth === 0) return j
  }
  return -1
}

/** Returns the index of the interval's last token. */
function replaceInterval(
  src: SourceText,
  tokens: readonly Token[],
  i: number,
  intervals: Map<string, AstInterval>,
  put: (from: number, to: number, replacement: string) => void,
): number {
  const kw = tokens[i] as Token
  const value = tokens[i + 1]
  if (value === undefined || (value.kind !== 'string' && value.kind !== 'number')) {
    throw sqlError('SQL_PARSE_ERROR', "expected an interval literal such as INTERVAL '5' SECOND", src.pos(kw.start))
  }
  const unitTok = tokens[i + 2]
  const hasUnit = unitTok !== undefined && unitTok.kind === 'word' && isIntervalUnit(unitTok.value)
  if (hasUnit && isWord(tokens[i + 3], 'to')) {
    throw sqlError('SQL_UNSUPPORTED', 'interval ranges (… TO …) are not supported', src.pos((tokens[i + 3] as Token).start))
  }
  if (!hasUnit && value.kind === 'number') {
    throw sqlError('SQL_PARSE_ERROR', "interval needs a unit, e.g. INTERVAL '5' SECOND", src.pos(value.start))
  }
  const result = intervalMs(value.value, hasUnit ? unitTok.value : null)
  if (!result.ok) {
    // A malformed value inside a well-formed INTERVAL literal is a bad literal, not bad syntax.
    const at = hasUnit && result.unsupported ? unitTok : value
    throw sqlError(result.unsupported ? 'SQL_UNSUPPORTED' : 'INVALID_LITERAL', result.message, src.pos(at.start))
  }
  const last = hasUnit ? unitTok : value
  const marker = `__wiv${intervals.size}`.padEnd(last.end - kw.start, '_')
  intervals.set(marker, {
    kind: 'interval',
    ms: result.ms,
    text: src.text.slice(kw.start, last.end),
    pos: src.pos(kw.start),
  })
  put(kw.start, last.end, marker)
  return hasUnit ? i + 2 : i + 1
}

/** `SUBSTRING(a FROM 1 FOR 2)` → `SUBSTRING(a ,    1 ,  2)`, which node-sql-parser accepts. */
function rewriteSubstring(
  tokens: readonly Token[],
  open: number,
  put: (from: number, to: number, replacement: string) => void,
): void {
  let depth = 0
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j] as Token
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')') && --depth === 0) return
    else if (depth === 1 && (isWord(t, 'from') || isWord(t, 'for'))) put(t.start, t.end, ',')
  }
}

function checkCastType(src: SourceText, tokens: readonly Token[], open: number): void {
  let depth = 0
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j] as Token
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')') && --depth === 0) return
    else if (depth === 1 && isWord(t, 'as')) return checkType(src, tokens, j + 1)
  }
}

/** Rejects an unknown cast target at the type itself; node-sql-parser would blame the `)`. */
function checkType(src: SourceText, tokens: readonly Token[], at: number): void {
  const t = tokens[at]
  if (t === undefined || t.kind !== 'word') return
  const next = tokens[at + 1]
  const name = next !== undefined && next.kind === 'word' && isTypePrefix(t.value, next.value) ? `${t.value} ${next.value}` : t.value
  if (dataTypeFromName(name) !== null) return
  if (LATER_TYPES.has(name.toLowerCase())) {
    throw sqlError('SQL_UNSUPPORTED', `type ${name.toUpperCase()} is not supported yet`, src.pos(t.start))
  }
  throw sqlError('SQL_PARSE_ERROR', `unknown type "${name}"`, src.pos(t.start))
}
