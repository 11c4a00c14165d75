/**
 * CREATE STREAM / TABLE / SINK: Weir's own DDL, which node-sql-parser does not know (WATERMARK,
 * connector options), so we parse it by recursive descent.
 */
import type { AstExpr, ColumnDef, CreateSink, CreateStream, CreateTable, OptionDef, Statement, WatermarkDef } from '../ast.ts'
import type { DataType } from '../../runtime/types.ts'
import { parseExpression } from './sql-parser.ts'
import type { TokenStream } from './token-stream.ts'
import { isOp, type Token } from './tokenizer.ts'
import { dataTypeFromName, isTypePrefix, LATER_TYPES } from './types.ts'

const UNSUPPORTED_CREATE = new Set(['view', 'materialized', 'index', 'function', 'source', 'database', 'schema', 'type'])

/** After `CREATE`. */
export function parseCreate(s: TokenStream, createTok: Token): Statement {
  const pos = s.pos(createTok)
  const what = s.peek()
  const kind = what?.kind === 'word' ? what.value.toLowerCase() : ''
  if (kind !== 'stream' && kind !== 'table' && kind !== 'sink') {
    if (UNSUPPORTED_CREATE.has(kind)) s.fail('SQL_UNSUPPORTED', `CREATE ${kind.toUpperCase()} is not supported`)
    throw s.error()
  }
  s.next()
  const ifNotExists = s.acceptWord('if') !== null
  if (ifNotExists) {
    s.expectWord('not')
    s.expectWord('exists')
  }
  const { name } = s.ident()
  if (kind === 'sink') {
    if (!s.isWord('with')) throw s.error()
    const sink: CreateSink = { kind: 'create_sink', name, ifNotExists, options: parseOptions(s), pos }
    s.expectEnd()
    return sink
  }
  const body = parseColumns(s, kind)
  const options = s.isWord('with') ? parseOptions(s) : []
  s.expectEnd()
  if (kind === 'stream') {
    const stream: CreateStream = { kind: 'create_stream', name, ifNotExists, columns: body.columns, watermark: body.watermark, options, pos }
    return stream
  }
  const table: CreateTable = { kind: 'create_table', name, ifNotExists, columns: body.columns, primaryKey: body.primaryKey, options, pos }
  return table
}

interface Body {
  columns: ColumnDef[]
  /** The name token of each column, for error positions. */
  names: Token[]
  watermark: WatermarkDef | null
  watermarkColumn: Token | null
  primaryKey: string[]
}

function parseColumns(s: TokenStream, kind: 'stream' | 'table'): Body {
  const body: Body = { columns: [], names: [], watermark: null, watermarkColumn: null, primaryKey: [] }
  const open = s.expectOp('(')
  let keyClause: Token | null = null
  do {
    const t = s.peek()
    if (s.isWord('watermark')) {
      if (kind !== 'stream') s.fail('SQL_UNSUPPORTED', 'WATERMARK is only supported on streams')
      if (body.watermark !== null) s.fail('SQL_PARSE_ERROR', 'a stream has at most one WATERMARK')
      body.watermarkColumn = s.peek(2) ?? null
      body.watermark = parseWatermark(s)
    } else if (s.isWord('primary')) {
      if (kind !== 'table') s.fail('SQL_UNSUPPORTED', 'PRIMARY KEY is only supported on tables')
      keyClause = s.next()
      s.expectWord('key')
      s.expectOp('(')
      do body.primaryKey.push(s.ident().name)
      while (s.acceptOp(','))
      s.expectOp(')')
    } else if (t !== undefined && (t.kind === 'word' || t.kind === 'quoted')) {
      body.names.push(t)
      body.columns.push(parseColumn(s, kind))
    } else {
      throw s.error()
    }
  } while (s.acceptOp(','))
  s.expectOp(')')
  if (body.columns.length === 0) s.fail('SQL_PARSE_ERROR', `a ${kind} needs at least one column`, open)
  checkNames(s, body, keyClause)
  return body
}

/** Name checks that need the whole column list; cheap here, and the catalog never sees a bad definition. */
function checkNames(s: TokenStream, body: Body, keyClause: Token | null): void {
  const seen = new Set<string>()
  body.columns.forEach((c, i) => {
    if (seen.has(c.name)) s.fail('SQL_PARSE_ERROR', `duplicate column "${c.name}"`, body.names[i])
    seen.add(c.name)
  })
  const keyed = body.columns.map((c, i) => ({ c, tok: body.names[i] })).filter((k) => k.c.primaryKey)
  if (keyClause !== null) {
    if (keyed.length > 0) s.fail('SQL_PARSE_ERROR', 'multiple primary keys', keyClause)
    for (const k of body.primaryKey) {
      if (!seen.has(k)) s.fail('SQL_PARSE_ERROR', `PRIMARY KEY names unknown column "${k}"`, keyClause)
    }
    const keys = new Set(body.primaryKey)
    body.columns = body.columns.map((c) => (keys.has(c.name) ? { ...c, primaryKey: true } : c))
  } else {
    if (keyed.length > 1) s.fail('SQL_PARSE_ERROR', 'multiple primary keys; write PRIMARY KEY (a, b)', keyed[1]?.tok)
    body.primaryKey = keyed.map((k) => k.c.name)
  }
  const wm = body.watermark
  if (wm !== null && !seen.has(wm.column)) {
    s.fail('SQL_PARSE_ERROR', `WATERMARK names unknown column "${wm.column}"`, body.watermarkColumn ?? undefined)
  }
}

function parseColumn(s: TokenStream, kind: 'stream' | 'table'): ColumnDef {
  const { name, tok } = s.ident()
  const type = parseType(s)
  let primaryKey = false
  let notNull = false
  for (;;) {
    if (s.isWord('not') && s.isWord('null', 1)) {
      s.i += 2
      notNull = true
    } else if (s.acceptWord('null')) {
      notNull = false
    } else if (s.isWord('primary')) {
      if (kind !== 'table') s.fail('SQL_UNSUPPORTED', 'PRIMARY KEY is only supported on tables')
      s.next()
      s.expectWord('key')
      primaryKey = true
    } else {
      break
    }
  }
  return { name, type, primaryKey, notNull, pos: s.pos(tok) }
}

/** A column type; precision and length modifiers (`VARCHAR(20)`, `TIMESTAMP(3)`) are accepted and ignored. */
export function parseType(s: TokenStream): DataType {
  const t = s.peek()
  if (t === undefined) throw s.error()
  if (t.kind !== 'word') s.fail('SQL_PARSE_ERROR', `unknown type "${s.src.raw(t)}"`)
  const next = s.peek(1)
  const twoWords = next?.kind === 'word' && isTypePrefix(t.value, next.value)
  const name = twoWords ? `${t.value} ${next.value}` : t.value
  const type = dataTypeFromName(name)
  if (type === null) {
    if (LATER_TYPES.has(name.toLowerCase())) s.fail('SQL_UNSUPPORTED', `type ${name.toUpperCase()} is not supported yet`)
    s.fail('SQL_PARSE_ERROR', `unknown type "${name}"`)
  }
  s.i += twoWords ? 2 : 1
  if (isOp(s.peek(), '(')) {
    s.next()
    const n = s.next()
    if (n.kind !== 'number') throw s.error(n)
    s.expectOp(')')
  }
  if (type === 'TIMESTAMP' && (s.isWord('with') || s.isWord('without')) && s.isWord('time', 1) && s.isWord('zone', 2)) s.i += 3
  return type
}

function parseWatermark(s: TokenStream): WatermarkDef {
  const kw = s.expectWord('watermark')
  s.expectWord('for')
  const { name } = s.ident()
  s.expectWord('as')
  const from = s.i
  let depth = 0
  while (!s.atEnd()) {
    const t = s.peek() as Token
    if (isOp(t, '(')) depth++
    else if (isOp(t, ')') && depth-- === 0) break
    else if (isOp(t, ',') && depth === 0) break
    s.i++
  }
  if (s.i === from) throw s.error()
  const expr: AstExpr = parseExpression({ src: s.src, tokens: s.tokens, from, to: s.i })
  return { column: name, expr, pos: s.pos(kw) }
}

/** `WITH (key = value, …)`; keys may be dotted (`kafka.topic`) or quoted strings. */
export function parseOptions(s: TokenStream): OptionDef[] {
  s.expectWord('with')
  s.expectOp('(')
  const out: OptionDef[] = []
  do {
    const keyTok = s.peek()
    let key: string
    if (keyTok?.kind === 'string') {
      key = s.next().value.toLowerCase()
    } else {
      key = s.ident().name.toLowerCase()
      while (s.acceptOp('.')) key += `.${s.ident().name.toLowerCase()}`
    }
    if (out.some((o) => o.key === key)) s.fail('SQL_PARSE_ERROR', `duplicate option "${key}"`, keyTok)
    s.expectOp('=')
    out.push({ key, value: parseOptionValue(s), pos: s.pos(keyTok as Token) })
  } while (s.acceptOp(','))
  s.expectOp(')')
  return out
}

/** A string's content, or a number / word as written. */
export function parseOptionValue(s: TokenStream): string {
  const minus = s.acceptOp('-')
  const v = s.next()
  if (minus !== null) {
    if (v.kind !== 'number') throw s.error(v)
    return `-${v.value}`
  }
  if (v.kind === 'string' || v.kind === 'number' || v.kind === 'word' || v.kind === 'quoted') return v.value
  throw s.error(v)
}
