/**
 * The parse layer's entry points: SQL script text → ParsedStatement[] (see `planner/ast.ts`).
 *
 * Errors are always WeirError with code SQL_PARSE_ERROR (the text is malformed) or
 * SQL_UNSUPPORTED (we recognise the syntax but Weir does not support it), a short message, and
 * a 1-based line/column into the whole script.
 */
import type { ParsedStatement } from '../ast.ts'
import { sqlError, WeirError } from '../../runtime/errors.ts'
import { parseStatement } from './statements.ts'
import { isOp, SourceText, tokenize, type Token } from './tokenizer.ts'

/**
 * Parses a script of `;`-separated statements. Empty statements (`;;`, trailing `;`, comments
 * only) are skipped. Each statement's `text` runs from its first token to its last, so comments
 * before or after it are not included.
 */
export function parseScript(sql: string): ParsedStatement[] {
  const src = new SourceText(sql)
  try {
    return splitStatements(tokenize(sql, 0, src)).map((tokens) => ({
      statement: parseStatement(src, tokens),
      text: sql.slice((tokens[0] as Token).start, (tokens[tokens.length - 1] as Token).end),
    }))
  } catch (e) {
    if (e instanceof WeirError) throw e
    // A bug here must still reach the user as a WeirError, never as a crash.
    throw new WeirError('SQL_PARSE_ERROR', 'could not parse the script', { domain: 'user', position: { line: 1, column: 1 }, cause: e })
  }
}

/**
 * Parses text that must hold exactly one statement (an HTTP endpoint that runs one query, say).
 * More than one is SQL_UNSUPPORTED at the second; none is SQL_PARSE_ERROR.
 */
export function parseSingleStatement(sql: string): ParsedStatement {
  const all = parseScript(sql)
  const [first, second] = all
  if (first === undefined) throw sqlError('SQL_PARSE_ERROR', 'empty statement', { line: 1, column: 1 })
  if (second !== undefined) {
    throw sqlError('SQL_UNSUPPORTED', 'multiple statements are not supported here; send one statement', second.statement.pos)
  }
  return first
}

function splitStatements(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = []
  let current: Token[] = []
  for (const t of tokens) {
    if (isOp(t, ';')) {
      if (current.length > 0) out.push(current)
      current = []
    } else {
      current.push(t)
    }
  }
  if (current.length > 0) out.push(current)
  return out
}
