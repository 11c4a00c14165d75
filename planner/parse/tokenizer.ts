/**
 * The parse layer's own tokenizer. It serves three masters: statement splitting on `;`, the
 * recursive-descent parser for Weir's own statements, and position recovery for the nodes that
 * node-sql-parser returns without locations. Offsets are always absolute offsets into the whole
 * script, so every position we report points into the user's original text.
 */
import type { Pos } from '../ast.ts'
import { sqlError } from '../../runtime/errors.ts'

/**
 * - `word`: an unquoted identifier or keyword (`value` as written; compare case-insensitively).
 * - `quoted`: a double-quoted identifier (`value` unescaped, case kept).
 * - `string`: a single-quoted string (`value` unescaped).
 * - `number`: a numeric literal (`value` as written).
 * - `op`: punctuation or an operator.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'op'

export interface Token {
  readonly kind: TokenKind
  readonly value: string
  /** Absolute offsets into the script: `text.slice(start, end)` is the token as written. */
  readonly start: number
  readonly end: number
}

/** The script being parsed: turns absolute offsets into 1-based line/column positions. */
export class SourceText {
  private readonly lineStarts: number[] = [0]

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1)
  }

  pos(offset: number): Pos {
    const at = Math.max(0, Math.min(offset, this.text.length))
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.lineStarts[mid] ?? 0) <= at) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: at - (this.lineStarts[lo] ?? 0) + 1 }
  }

  raw(token: Token): string {
    return this.text.slice(token.start, token.end)
  }
}

// Longest first, so `->>` wins over `->`.
const OPERATORS = ['->>', '::', '->', '<=', '>=', '<>', '!=', '||', '=>']

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isWordStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 36

/**
 * Tokenizes `text`, which sits at absolute offset `base` of `src`. Comments and whitespace are
 * dropped. Unknown characters become one-character `op` tokens, left for the grammar to reject;
 * only unterminated strings, quoted identifiers and block comments fail here.
 */
export function tokenize(text: string, base: number, src: SourceText): Token[] {
  const out: Token[] = []
  const n = text.length
  let i = 0
  const fail = (message: string, at: number): never => {
    throw sqlError('SQL_PARSE_ERROR', message, src.pos(base + at))
  }
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      while (i < n && text.charCodeAt(i) !== 10) i++
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2)
      if (close < 0) fail('unterminated comment', i)
      i = close + 2
    } else if (c === 39 || c === 34) {
      const quote = text[i] as string
      let j = i + 1
      let value = ''
      for (;;) {
        const k = text.indexOf(quote, j)
        if (k < 0) fail(quote === "'" ? 'unterminated string literal' : 'unterminated quoted identifier', i)
        value += text.slice(j, k)
        if (text[k + 1] === quote) {
          value += quote
          j = k + 2
        } else {
          j = k + 1
          break
        }
      }
      if (quote === '"' && value === '') fail('zero-length quoted identifier', i)
      out.push({ kind: quote === "'" ? 'string' : 'quoted', value, start: base + i, end: base + j })
      i = j
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i
      while (isDigit(text.charCodeAt(j))) j++
      if (text.charCodeAt(j) === 46) {
        j++
        while (isDigit(text.charCodeAt(j))) j++
      }
      const e = text.charCodeAt(j)
      if (e === 101 || e === 69) {
        let k = j + 1
        const sign = text.charCodeAt(k)
        if (sign === 43 || sign === 45) k++
        if (isDigit(text.charCodeAt(k))) {
          while (isDigit(text.charCodeAt(k))) k++
          j = k
        }
      }
      out.push({ kind: 'number', value: text.slice(i, j), start: base + i, end: base + j })
      i = j
    } else if (isWordStart(c)) {
      let j = i + 1
      while (j < n && isWordPart(text.charCodeAt(j))) j++
      out.push({ kind: 'word', value: text.slice(i, j), start: base + i, end: base + j })
      i = j
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i)) ?? (text[i] as string)
      // A lone surrogate half would split a character; keep the pair together.
      const len = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : op.length
      out.push({ kind: 'op', value: text.slice(i, i + len), start: base + i, end: base + i + len })
      i += len
    }
  }
  return out
}

/** An unquoted word equal to `word` (case-insensitive). */
export function isWord(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.kind === 'word' && t.value.toLowerCase() === word
}

export function isOp(t: Token | undefined, op: string): boolean {
  return t !== undefined && t.kind === 'op' && t.value === op
}

/** An identifier's normalised name: unquoted lower-cased, quoted exact. */
export function identName(t: Token): string {
  return t.kind === 'quoted' ? t.value : t.value.toLowerCase()
}

/**
 * Words that may never be an unquoted alias. node-sql-parser accepts several of them as aliases
 * (`FROM t CROSS JOIN u` reads `CROSS` as an alias of t), so we check every alias against this.
 */
export const RESERVED = new Set([
  'all', 'and', 'as', 'asc', 'between', 'by', 'case', 'cross', 'desc', 'distinct', 'else', 'emit',
  'end', 'except', 'false', 'fetch', 'for', 'from', 'full', 'group', 'having', 'ilike', 'in',
  'inner', 'intersect', 'interval', 'into', 'is', 'join', 'lateral', 'left', 'like', 'limit',
  'natural', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'outer', 'over', 'right', 'select',
  'table', 'then', 'true', 'union', 'using', 'values', 'when', 'where', 'window', 'with',
])
