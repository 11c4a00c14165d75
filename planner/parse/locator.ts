/**
 * Recovers positions that node-sql-parser does not give (column refs, literals, aliases...).
 * The converter walks the parser's tree in source order and asks the locator for each leaf; the
 * locator scans forward from a cursor for the matching token and moves past it. Nodes that do
 * carry a parser location reset the cursor, so one miss cannot push later positions astray.
 */
import type { Pos } from '../ast.ts'
import { isOp, type SourceText, type Token } from './tokenizer.ts'

export class Locator {
  private cursor = 0

  constructor(
    readonly tokens: readonly Token[],
    private readonly src: SourceText,
    /** Absolute offset of the end of the parsed text, for "end of input" positions. */
    private readonly end: number,
  ) {}

  /** Moves the cursor to the first token at or after absolute `offset`. */
  seek(offset: number): void {
    let i = 0
    while (i < this.tokens.length && (this.tokens[i] as Token).end <= offset) i++
    this.cursor = i
  }

  /** The position of the next unread token (or the end of the text). */
  here(): Pos {
    const t = this.tokens[this.cursor]
    return this.src.pos(t === undefined ? this.end : t.start)
  }

  /** The next unread token, if any. */
  next(): Token | undefined {
    return this.tokens[this.cursor]
  }

  /** Finds the next token satisfying `match` and moves past it; null (cursor kept) if none. */
  find(match: (t: Token, i: number) => boolean): Token | null {
    for (let i = this.cursor; i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token
      if (match(t, i)) {
        this.cursor = i + 1
        return t
      }
    }
    return null
  }

  /** `name` as node-sql-parser reports it: original case; quoted or not. */
  ident(name: string): Token | null {
    return this.find((t) => identMatches(t, name))
  }

  word(word: string): Token | null {
    return this.find((t) => t.kind === 'word' && t.value.toLowerCase() === word)
  }

  op(op: string): Token | null {
    return this.find((t) => isOp(t, op))
  }

  /** `[table .] name`; returns the first token and, separately, the name token. */
  column(table: string | null, name: string): { first: Token; nameTok: Token; tableTok: Token | null } | null {
    let found: { first: Token; nameTok: Token; tableTok: Token | null } | null = null
    this.find((t, i) => {
      if (table === null) {
        if (!identMatches(t, name) || isOp(this.tokens[i - 1], '.')) return false
        found = { first: t, nameTok: t, tableTok: null }
        return true
      }
      const dot = this.tokens[i + 1]
      const n = this.tokens[i + 2]
      if (!identMatches(t, table) || !isOp(dot, '.') || n === undefined || !identMatches(n, name)) return false
      found = { first: t, nameTok: n, tableTok: t }
      return true
    })
    if (found !== null) this.cursor = this.tokens.indexOf((found as { nameTok: Token }).nameTok) + 1
    return found
  }

  pos(t: Token): Pos {
    return this.src.pos(t.start)
  }
}

function identMatches(t: Token, name: string): boolean {
  if (t.kind === 'quoted') return t.value === name
  return t.kind === 'word' && t.value.toLowerCase() === name.toLowerCase()
}
