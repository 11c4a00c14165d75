/**
 * Splits SQL input into statements at `;`, as psql does: a `;` inside a string ('…', E'…'), a
 * quoted identifier ("…"), a line comment (-- …) or a block comment (/* … *\/, nestable) does not
 * end a statement. A line that starts with `\` while no statement is pending is a backslash
 * command. Input arrives line by line (interactive) or all at once (files, -c, stdin).
 */

export type InputItem =
  /** SQL text including its `;`; `line` is the 1-based input line where `text` starts. */
  | { readonly kind: 'sql'; readonly text: string; readonly line: number }
  /** A backslash command line, trimmed, e.g. `\d clicks`. */
  | { readonly kind: 'command'; readonly text: string; readonly line: number }

/** Where the splitter is inside the pending text; the interactive prompt shows it. */
export type LexState = 'none' | 'single-quote' | 'double-quote' | 'block-comment'

export class StatementSplitter {
  private buffer = ''
  /** Input line of the first character of `buffer`. */
  private bufferLine = 1
  private nextLine = 1
  private state: LexState = 'none'
  private escapeString = false
  private commentDepth = 0
  private lineComment = false
  /** How much of `buffer` has been scanned. */
  private scanned = 0
  /** True once the pending text has something besides whitespace and comments. */
  private content = false

  /** Feeds one line (without its newline); returns the items it completed. */
  pushLine(line: string): InputItem[] {
    const lineNo = this.nextLine++
    if (this.isEmpty && this.state === 'none' && line.trimStart().startsWith('\\')) {
      this.reset()
      return [{ kind: 'command', text: line.trim(), line: lineNo }]
    }
    return this.scan(line + '\n')
  }

  /** Feeds a whole text (a file, `-c`, piped stdin); call `end()` afterwards. */
  pushText(text: string): InputItem[] {
    const lines = text.split(/\r?\n/)
    if (lines.at(-1) === '') lines.pop()
    return lines.flatMap((l) => this.pushLine(l))
  }

  /** The statement left without a final `;` (psql runs it at the end of a file), if any. */
  end(): InputItem[] {
    const rest = this.content ? [this.take(this.buffer.length)] : []
    this.reset()
    return rest
  }

  /** Drops pending text (Ctrl-C at a continuation prompt). */
  reset(): void {
    this.buffer = ''
    this.scanned = 0
    this.bufferLine = this.nextLine
    this.state = 'none'
    this.commentDepth = 0
    this.lineComment = false
    this.content = false
  }

  /** True when no statement text is pending (comments and blank lines do not count). */
  get isEmpty(): boolean {
    return !this.content
  }

  /** True when something, even a comment, is pending. */
  get hasPending(): boolean {
    return this.buffer.trim() !== ''
  }

  get lexState(): LexState {
    return this.state
  }

  private scan(chunk: string): InputItem[] {
    const out: InputItem[] = []
    this.buffer += chunk
    let i = this.scanned
    while (i < this.buffer.length) {
      const s = this.buffer
      const c = s[i]!
      const next = s[i + 1]
      i++
      if (this.lineComment) {
        if (c === '\n') this.lineComment = false
        continue
      }
      switch (this.state) {
        case 'single-quote':
          if (c === '\\' && this.escapeString) i++
          else if (c === "'") {
            if (next === "'") i++
            else this.state = 'none'
          }
          continue
        case 'double-quote':
          if (c === '"') {
            if (next === '"') i++
            else this.state = 'none'
          }
          continue
        case 'block-comment':
          if (c === '*' && next === '/') {
            i++
            if (--this.commentDepth === 0) this.state = 'none'
          } else if (c === '/' && next === '*') {
            i++
            this.commentDepth++
          }
          continue
        case 'none':
          break
      }
      if (c === '-' && next === '-') {
        this.lineComment = true
        i++
      } else if (c === '/' && next === '*') {
        this.state = 'block-comment'
        this.commentDepth = 1
        i++
      } else if (c === "'") {
        this.state = 'single-quote'
        const before = i >= 2 ? s[i - 2]! : ''
        this.escapeString = /[eE]/.test(before) && (i < 3 || !/[\w$]/.test(s[i - 3]!))
        this.content = true
      } else if (c === '"') {
        this.state = 'double-quote'
        this.content = true
      } else if (c === ';') {
        if (this.content) out.push(this.take(i))
        else this.drop(i)
        i = 0
      } else if (!/\s/.test(c)) {
        this.content = true
      }
    }
    this.scanned = this.buffer.length
    return out
  }

  /** Removes the first `end` characters of the buffer as a statement. */
  private take(end: number): InputItem {
    const raw = this.buffer.slice(0, end)
    // Leading whitespace is dropped; error lines count from the statement's first line.
    const lead = /^\s*/.exec(raw)![0]
    const line = this.bufferLine + (lead.match(/\n/g)?.length ?? 0)
    this.drop(end)
    return { kind: 'sql', text: raw.slice(lead.length).replace(/\s+$/, ''), line }
  }

  /** Forgets the first `end` characters of the buffer; what follows on the line stays pending. */
  private drop(end: number): void {
    this.bufferLine += this.buffer.slice(0, end).match(/\n/g)?.length ?? 0
    this.buffer = this.buffer.slice(end)
    this.scanned = 0
    this.content = false
  }
}

/** Splits a whole text into items (files, `-c`, piped stdin). */
export function splitInput(text: string): InputItem[] {
  const s = new StatementSplitter()
  return [...s.pushText(text), ...s.end()]
}
