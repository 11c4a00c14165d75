/**
 * Error messages as psql prints them: the code and message, and for errors at a position in the
 * SQL text the statement's line with a caret under the column:
 *
 *   ERROR:  UNKNOWN_COLUMN: column "nope" does not exist
 *   LINE 2:   nope FROM clicks;
 *             ^
 */
import { displayWidth, sanitize } from './display-width.ts'

export interface ErrorInfo {
  readonly code: string
  readonly message: string
  /** 1-based, in the statement text that was sent. */
  readonly line?: number | undefined
  readonly column?: number | undefined
}

export interface ErrorContext {
  /** The statement text the position refers to. */
  readonly sql?: string | undefined
  /** Where the statement came from: a file and the file line the statement starts on. */
  readonly source?: { readonly file: string; readonly line: number } | undefined
  /** Terminal width; null for no limit. */
  readonly width: number | null
  readonly color: boolean
}

const RED = '\x1b[31m'
const BOLD = '\x1b[1m'
const RESET = '\x1b[0m'

export function formatError(err: ErrorInfo, ctx: ErrorContext): string[] {
  const where = ctx.source ? `${ctx.source.file}:${ctx.source.line + (err.line ?? 1) - 1}: ` : ''
  const label = ctx.color ? `${BOLD}${RED}ERROR:${RESET}` : 'ERROR:'
  const lines = [`${where}${label}  ${err.code}: ${sanitize(err.message)}`]
  if (ctx.sql !== undefined && err.line !== undefined && err.line >= 1) {
    lines.push(...caret(ctx.sql, err.line, err.column ?? 1, ctx.width))
  }
  return lines
}

/** `LINE n: text` and a caret line under column `column` (1-based), cut to `width` around it. */
export function caret(sql: string, line: number, column: number, width: number | null): string[] {
  const text = sql.split(/\r?\n/)[line - 1]
  if (text === undefined) return []
  const prefix = `LINE ${line}: `
  const col = Math.max(0, Math.min(column - 1, text.length))
  let shown = text
  let at = col
  const room = width === null ? Infinity : Math.max(20, width - prefix.length)
  if (displayWidth(sanitize(shown)) > room) {
    // Keep a window around the column: a third of it before, the rest after.
    const start = Math.max(0, col - Math.floor(room / 3))
    const end = Math.min(text.length, start + room - 2)
    shown = (start > 0 ? '…' : '') + text.slice(start, end) + (end < text.length ? '…' : '')
    at = col - start + (start > 0 ? 1 : 0)
  }
  const before = sanitize(shown.slice(0, at))
  return [`${prefix}${sanitize(shown)}`.trimEnd(), ' '.repeat(prefix.length + displayWidth(before)) + '^']
}
