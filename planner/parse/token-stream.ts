/**
 * A cursor over one statement's tokens for the recursive-descent parser of Weir's own
 * statements (CREATE STREAM, SHOW, SET, …). Every failure is a WeirError at a token.
 */
import type { Pos } from '../ast.ts'
import { sqlError, type WeirError } from '../../runtime/errors.ts'
import { identName, isOp, isWord, RESERVED, type SourceText, type Token } from './tokenizer.ts'

export class TokenStream {
  i: number

  constructor(
    readonly src: SourceText,
    readonly tokens: readonly Token[],
    from = 0,
  ) {
    this.i = from
  }

  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k]
  }

  atEnd(): boolean {
    return this.i >= this.tokens.length
  }

  pos(t: Token): Pos {
    return this.src.pos(t.start)
  }

  /** `syntax error at or near "X"` at `t` (default: the next token), or at the end of input. */
  error(t: Token | undefined = this.peek()): WeirError {
    if (t === undefined) return this.endError()

    const raw = this.src.raw(t)
    return sqlError('SQL_PARSE_ERROR', `syntax error at or near "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`, this.pos(t))
  }

  endError(): WeirError {
    const last = this.tokens[this.tokens.length - 1]
    return sqlError('SQL_PARSE_ERROR', 'unexpected end of input', this.src.pos(last?.end ?? 0))
  }

  fail(code: string, message: string, t: Token | undefined = this.peek()): never {
    if (t === undefined) throw this.endError()
    throw sqlError(code, message, this.pos(t))
  }

  next(): Token {
    const t = this.peek()
    if (t === undefined) throw this.error()
    this.i++
    return t
  }

  isWord(word: string, k = 0): boolean {
    return isWord(this.peek(k), word)
  }

  acceptWord(word: string): Token | null {
    return this.isWord(word) ? this.next() : null
  }

  expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.error()
    return this.next()
  }

  acceptOp(op: string): Token | null {
    return isOp(this.peek(), op) ? this.next() : null
  }

  expectOp(op: string): Token {
    if (!isOp(this.peek(), op)) throw this.error()
    return this.next()
  }

  /** An identifier: a non-reserved word (lower-cased) or a double-quoted name (kept exact). */
  ident(): { name: string; tok: Token } {
    const t = this.peek()
    if (t === undefined || !(t.kind === 'quoted' || (t.kind === 'word' && !RESERVED.has(t.value.toLowerCase())))) {
      throw this.error()
    }
    this.i++
    return { name: identName(t), tok: t }
  }

  expectEnd(): void {
    if (!this.atEnd()) throw this.error()
  }

  /** Index of the `)` matching the `(` at `open`, or -1. */
  matching(open: number): number {
    let depth = 0
    for (let j = open; j < this.tokens.length; j++) {
      const t = this.tokens[j]
      if (isOp(t, '(')) depth++
      else if (isOp(t, ')') && --depth === 0) return j
    }
    return -1
  }
}
