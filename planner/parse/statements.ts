/**
 * One statement's tokens → Statement. Weir's own statements are parsed here by recursive
 * descent; SELECT text goes to node-sql-parser via `sql-parser.ts`.
 */
import type { AstExpr, AstLiteral, Drop, EmitMode, Explain, InsertQuery, InsertValues, QueryStatement, SetOption, Show, Statement } from '../ast.ts'
import { parseCreate, parseOptionValue } from './ddl.ts'
import { parseExpression, parseSelect } from './sql-parser.ts'
import { TokenStream } from './token-stream.ts'
import { isOp, isWord, type SourceText, type Token } from './tokenizer.ts'

const SHOW_WHAT = new Set(['streams', 'tables', 'sinks', 'queries'])
const EMIT_MODES: ReadonlyMap<string, EmitMode> = new Map([
  ['append', 'append'], ['update', 'update'], ['complete', 'complete'], ['changes', 'update'], ['final', 'append'],
])
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['with', 'WITH (common table expressions) is not supported'],
  ['update', 'UPDATE is not supported: streams and tables are append-only'],
  ['delete', 'DELETE is not supported: streams and tables are append-only'],
  ['alter', 'ALTER is not supported; drop and re-create the object'],
  ['truncate', 'TRUNCATE is not supported'],
  ['merge', 'MERGE is not supported'],
  ['upsert', 'UPSERT is not supported'],
])

/** `tokens` are exactly one statement's tokens (no `;`), non-empty. */
export function parseStatement(src: SourceText, tokens: readonly Token[]): Statement {
  const s = new TokenStream(src, tokens)
  const first = tokens[0] as Token
  const word = first.kind === 'word' ? first.value.toLowerCase() : ''
  switch (word) {
    case 'create':
      s.next()
      return parseCreate(s, first)
    case 'select':
      return parseQuery(s)
    case 'insert':
      return parseInsert(s)
    case 'explain':
      return parseExplain(s)
    case 'show':
      return parseShow(s)
    case 'describe': {
      s.next()
      const { name } = s.ident()
      s.expectEnd()
      return { kind: 'describe', name, pos: s.pos(first) }
    }
    case 'stop':
      return parseStop(s)
    case 'drop':
      return parseDrop(s)
    case 'set':
      return parseSet(s)
    default: {
      const message = UNSUPPORTED.get(word)
      if (message !== undefined) s.fail('SQL_UNSUPPORTED', message, first)
      throw s.error(first)
    }
  }
}

/**
 * Splits off a trailing `EMIT mode` at parenthesis depth 0. EMIT anywhere else at depth 0 is an
 * error, so `FROM t EMIT` can never read EMIT as an alias.
 */
function splitEmit(s: TokenStream, from: number): { to: number; emit: EmitMode | null } {
  let depth = 0
  for (let j = from; j < s.tokens.length; j++) {
    const t = s.tokens[j] as Token
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')')) depth--
    else if (depth === 0 && isWord(t, 'emit')) {
      const modeTok = s.tokens[j + 1]
      if (modeTok === undefined) throw s.endError()
      const mode = modeTok.kind === 'word' ? EMIT_MODES.get(modeTok.value.toLowerCase()) : undefined
      if (mode === undefined) s.fail('SQL_PARSE_ERROR', `unknown EMIT mode "${s.src.raw(modeTok)}"; use APPEND, UPDATE, COMPLETE, CHANGES or FINAL`, modeTok)
      const after = s.tokens[j + 2]
      if (after !== undefined) s.fail('SQL_PARSE_ERROR', `syntax error at or near "${s.src.raw(after)}": EMIT must end the statement`, after)
      return { to: j, emit: mode }
    }
  }
  return { to: s.tokens.length, emit: null }
}

function parseQuery(s: TokenStream): QueryStatement {
  const { to, emit } = splitEmit(s, s.i)
  const select = parseSelect({ src: s.src, tokens: s.tokens, from: s.i, to })
  return { kind: 'query', select, emit, pos: select.pos }
}

function parseInsert(s: TokenStream): InsertValues | InsertQuery {
  const insertTok = s.next()
  s.expectWord('into')
  const { name: target } = s.ident()
  let columns: string[] | null = null
  if (isOp(s.peek(), '(')) {
    if (s.isWord('select', 1)) s.fail('SQL_UNSUPPORTED', 'a parenthesised query after INSERT INTO is not supported; drop the parentheses')
    s.next()
    columns = []
    do columns.push(s.ident().name)
    while (s.acceptOp(','))
    s.expectOp(')')
  }
  const pos = s.pos(insertTok)
  if (s.isWord('select')) {
    if (columns !== null) s.fail('SQL_UNSUPPORTED', 'a column list in INSERT … SELECT is not supported; alias the query columns instead', s.peek())
    const { to, emit } = splitEmit(s, s.i)
    const select = parseSelect({ src: s.src, tokens: s.tokens, from: s.i, to })
    return { kind: 'insert_query', target, select, emit, pos }
  }
  s.expectWord('values')
  const rows: AstExpr[][] = []
  do rows.push(parseRow(s))
  while (s.acceptOp(','))
  s.expectEnd()
  return { kind: 'insert_values', target, columns, rows, pos }
}

/** `( expr, … )`: each item split at depth-0 commas, literals read directly (they dominate bulk inserts). */
function parseRow(s: TokenStream): AstExpr[] {
  const open = s.i
  s.expectOp('(')
  const close = s.matching(open)
  if (close < 0) throw s.endError()
  const out: AstExpr[] = []
  let depth = 0
  let start = s.i
  for (let j = s.i; j <= close; j++) {
    const t = s.tokens[j] as Token
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')') && j !== close) depth--
    else if ((isOp(t, ',') && depth === 0) || j === close) {
      if (j === start) throw s.error(t)
      out.push(simpleLiteral(s, start, j) ?? parseExpression({ src: s.src, tokens: s.tokens, from: start, to: j }))
      start = j + 1
    }
  }
  s.i = close + 1
  return out
}

function simpleLiteral(s: TokenStream, from: number, to: number): AstLiteral | null {
  const a = s.tokens[from] as Token
  const b = s.tokens[from + 1]
  const pos = s.pos(a)
  // Out-of-range numbers fall through to the full parser, which reports them.
  const number = (t: Token, sign: number): AstLiteral | null => {
    const value = sign * Number(t.value)
    return Number.isFinite(value) ? { kind: 'literal', type: 'number', value, isInteger: /^\d+$/.test(t.value), pos } : null
  }
  if (to - from === 1) {
    if (a.kind === 'string') return { kind: 'literal', type: 'string', value: a.value, pos }
    if (a.kind === 'number') return number(a, 1)
    if (isWord(a, 'true') || isWord(a, 'false')) return { kind: 'literal', type: 'boolean', value: isWord(a, 'true'), pos }
    if (isWord(a, 'null')) return { kind: 'literal', type: 'null', value: null, pos }
  }
  if (to - from === 2 && b !== undefined) {
    if (isOp(a, '-') && b.kind === 'number') return number(b, -1)
    if (isWord(a, 'timestamp') && b.kind === 'string') return { kind: 'literal', type: 'timestamp', value: b.value, pos }
  }
  return null
}

function parseExplain(s: TokenStream): Explain {
  const explainTok = s.next()
  const first = s.peek()
  if (first === undefined) throw s.error()
  if (!isWord(first, 'select') && !isWord(first, 'insert')) {
    s.fail('SQL_UNSUPPORTED', 'EXPLAIN supports only queries (SELECT or INSERT … SELECT)', first)
  }
  const statement = isWord(first, 'select') ? parseQuery(s) : parseInsert(s)
  if (statement.kind === 'insert_values') s.fail('SQL_UNSUPPORTED', 'EXPLAIN of INSERT … VALUES is not supported', first)
  return { kind: 'explain', statement, pos: s.pos(explainTok) }
}

function parseShow(s: TokenStream): Show {
  const showTok = s.next()
  const what = s.next()
  const w = what.kind === 'word' ? what.value.toLowerCase() : ''
  if (!SHOW_WHAT.has(w)) s.fail('SQL_PARSE_ERROR', `syntax error at or near "${s.src.raw(what)}": use SHOW STREAMS, TABLES, SINKS or QUERIES`, what)
  s.expectEnd()
  return { kind: 'show', what: w as Show['what'], pos: s.pos(showTok) }
}

function parseStop(s: TokenStream): Statement {
  const stopTok = s.next()
  s.expectWord('query')
  const id = s.next()
  if (id.kind !== 'string' && id.kind !== 'word' && id.kind !== 'quoted' && id.kind !== 'number') throw s.error(id)
  s.expectEnd()
  return { kind: 'stop_query', queryId: id.value, pos: s.pos(stopTok) }
}

function parseDrop(s: TokenStream): Drop {
  const dropTok = s.next()
  const what = s.next()
  const w = what.kind === 'word' ? what.value.toLowerCase() : ''
  if (w !== 'stream' && w !== 'table' && w !== 'sink') {
    if (w === 'view' || w === 'materialized' || w === 'index') s.fail('SQL_UNSUPPORTED', `DROP ${w.toUpperCase()} is not supported`, what)
    if (w === 'query') s.fail('SQL_PARSE_ERROR', "syntax error at or near \"QUERY\": use STOP QUERY '<id>'", what)
    throw s.error(what)
  }
  const ifExists = s.acceptWord('if') !== null
  if (ifExists) s.expectWord('exists')
  const { name } = s.ident()
  s.expectEnd()
  return { kind: 'drop', objectKind: w, name, ifExists, pos: s.pos(dropTok) }
}

function parseSet(s: TokenStream): SetOption {
  const setTok = s.next()
  const optTok = s.peek()
  let option: string
  if (optTok?.kind === 'string') {
    option = s.next().value
  } else {
    option = s.ident().name
    while (s.acceptOp('.')) option += `.${s.ident().name}`
  }
  if (s.acceptOp('=') === null) s.expectWord('to')
  const value = parseOptionValue(s)
  s.expectEnd()
  return { kind: 'set', option: option.toLowerCase(), value, pos: s.pos(setTok) }
}
