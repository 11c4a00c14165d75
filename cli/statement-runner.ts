/**
 * Runs one SQL statement against the server and prints its outcome: a one-line message for
 * DDL and management statements, a table for rows, the plan for EXPLAIN, and the live view for
 * a push query. `SET` is kept by the client too, because every `POST /v1/sql` starts a fresh
 * server session: the options go along with each later statement.
 */
import { formatError } from './error-format.ts'
import { runPush, type PushContext } from './push-runner.ts'
import { renderRows } from './render.ts'
import { ApiError, ConnectionError, type WireResult } from './weir-client.ts'

export interface RunContext extends PushContext {
  /** Called after a statement that may have changed the catalog (completion refreshes). */
  readonly onCatalogChange?: () => void
  /** Set when the server could not be reached (the program then exits with status 2). */
  readonly flags?: { unreachable: boolean }
}

export interface SqlInput {
  readonly text: string
  /** Input line where the statement starts. */
  readonly line: number
  /** The file it came from (-f, \i), for error messages. */
  readonly file?: string | undefined
}

/** `SET 'option' = 'value'` (also `SET option TO value`); null when the text is no SET. */
export function parseSet(sql: string): { key: string; value: string } | null {
  const m = /^\s*SET\s+(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([A-Za-z_][\w.]*))\s*(?:=|\s\s*TO\s)\s*(?:'((?:[^']|'')*)'|([^\s;']+))\s*;?\s*$/is.exec(sql)
  if (!m) return null
  const key = m[1]?.replace(/''/g, "'") ?? m[2]?.replace(/""/g, '"') ?? m[3]!
  const value = m[4]?.replace(/''/g, "'") ?? m[5]!
  return { key: key.toLowerCase(), value }
}

/** Prints an error as the program does: psql-style for server errors, one line otherwise. */
export function errorPrinter(ctx: Pick<RunContext, 'term' | 'flags'>, input?: SqlInput): (err: unknown) => void {
  return (err) => {
    const { term } = ctx
    if (err instanceof ApiError) {
      const lines = formatError(err, {
        sql: input?.text, width: term.width(), color: term.color,
        source: input?.file ? { file: input.file, line: input.line } : undefined,
      })
      for (const l of lines) term.error(l)
    } else if (err instanceof ConnectionError) {
      if (ctx.flags) ctx.flags.unreachable = true
      term.error(`weir: ${err.message}`)
    } else {
      term.error(`weir: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
}

/** Runs one statement; true when it succeeded. */
export async function runStatement(ctx: RunContext, input: SqlInput): Promise<boolean> {
  const { session, term } = ctx
  const printError = errorPrinter(ctx, input)
  const started = performance.now()
  const abort = new AbortController()
  const offInterrupt = ctx.interrupts.on(() => {
    abort.abort()
    return true
  })
  let results: WireResult[]
  try {
    results = await ctx.client.sql(input.text, session.options, abort.signal)
  } catch (err) {
    if (abort.signal.aborted) {
      term.error('cancelled (the statement may still complete on the server)')
      return false
    }
    printError(err)
    return false
  } finally {
    offInterrupt()
  }
  let ok = true
  for (const r of results) {
    if (!(await printResult({ ...ctx, printError }, r, input))) ok = false
  }
  if (session.timing) {
    const line = `Time: ${(performance.now() - started).toFixed(3)} ms`
    if (session.format === 'table') term.write(line + '\n')
    else term.error(line)
  }
  return ok
}

async function printResult(ctx: RunContext, r: WireResult, input: SqlInput): Promise<boolean> {
  const { session, term } = ctx
  const outcome = (line: string): void => {
    if (session.quiet) return
    // In CSV and JSON, stdout carries only data.
    if (session.format === 'table') term.write(line + '\n')
    else term.error(line)
  }
  switch (r.kind) {
    case 'ok': {
      const set = r.statement === 'SET' ? parseSet(input.text) : null
      if (set) session.options[set.key] = set.value
      if (/^(CREATE|DROP)/i.test(r.statement)) ctx.onCatalogChange?.()
      outcome(r.message)
      return true
    }
    case 'insert': {
      const range = r.count > 0 ? ` (offsets ${r.startOffset}–${r.endOffset - 1})` : ''
      outcome(`inserted ${r.count} ${r.count === 1 ? 'row' : 'rows'} into ${r.target}${range}`)
      return true
    }
    case 'explain':
      term.write(r.plan.replace(/\n?$/, '\n'))
      return true
    case 'rows': {
      const lines = renderRows(session.format, r.columns, r.rows, { width: term.width(), color: term.color, expanded: session.expanded })
      if (lines.length > 0) term.write(lines.join('\n') + '\n')
      if (r.note) outcome(r.note)
      return true
    }
    case 'query': {
      if (!r.push) {
        const into = r.sink ? ` writing to ${r.sink}` : ''
        outcome(`started query ${r.queryId}${r.name ? ` (${r.name})` : ''}: ${r.outputMode} mode, trigger ${r.trigger}${into}`)
        return true
      }
      return runPush(ctx, { queryId: r.queryId, outputMode: r.outputMode, columns: r.columns, resultsUrl: r.resultsUrl })
    }
  }
}
