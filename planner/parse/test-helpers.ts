/**
 * Shared helpers for the parse layer's tests: parse one statement of a given kind, render a
 * query's parts compactly, and assert on WeirError code / message / position.
 */
import assert from 'node:assert/strict'
import type { AstSelect, QueryStatement, Statement } from '../ast.ts'
import { WeirError } from '../../runtime/errors.ts'
import { exprText } from './ast-text.ts'
import { parseScript } from './parse.ts'

export function one(sql: string): Statement {
  const all = parseScript(sql)
  assert.equal(all.length, 1, `expected one statement in ${sql}`)
  return (all[0] as { statement: Statement }).statement
}

export function oneOf<K extends Statement['kind']>(sql: string, kind: K): Extract<Statement, { kind: K }> {
  const st = one(sql)
  assert.equal(st.kind, kind)
  return st as Extract<Statement, { kind: K }>
}

export function select(sql: string): AstSelect {
  return oneOf(sql, 'query').select
}

/** The first select item of `SELECT <expr>`, rendered by exprText. */
export function expr(text: string): string {
  const item = select(`SELECT ${text}`).items[0]
  assert.ok(item)
  return exprText(item.expr)
}

export function query(sql: string): QueryStatement {
  return oneOf(sql, 'query')
}

export interface ExpectedError {
  code?: string
  message?: string | RegExp
  line?: number
  column?: number
}

/** Asserts `sql` fails with a WeirError matching `want`; returns the error for further checks. */
export function fails(sql: string, want: ExpectedError): WeirError {
  let caught: unknown
  try {
    parseScript(sql)
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof WeirError, `expected a WeirError for ${JSON.stringify(sql)}, got ${String(caught)}`)
  const e = caught
  const where = `${JSON.stringify(sql)} → ${e.code} ${e.message} @${e.position?.line}:${e.position?.column}`
  if (want.code !== undefined) assert.equal(e.code, want.code, where)
  if (typeof want.message === 'string') assert.equal(e.message, want.message, where)
  else if (want.message !== undefined) assert.match(e.message, want.message, where)
  if (want.line !== undefined) assert.equal(e.position?.line, want.line, where)
  if (want.column !== undefined) assert.equal(e.position?.column, want.column, where)
  return e
}
