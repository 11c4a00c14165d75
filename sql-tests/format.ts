/**
 * The `.slt` format of the SQL conformance suite: parsing a file into records, durations, and
 * rendering values as the SQL literals the expectations are written in. No engine needed here,
 * so `runner.test.ts` tests it alone. The format is documented in `sql-tests/README.md`.
 */
import type { DataType, Value } from '../runtime/types.ts'

export interface ExpectedPosition {
  readonly line: number
  readonly column: number
}

export type TestRecord =
  | { readonly kind: 'statement'; readonly line: number; readonly sql: string; readonly error: { readonly code: string; readonly position: ExpectedPosition | null } | null }
  | { readonly kind: 'push'; readonly line: number; readonly stream: string; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'trigger'; readonly line: number }
  | { readonly kind: 'advance'; readonly line: number; readonly ms: number; readonly text: string }
  | { readonly kind: 'expect'; readonly line: number; readonly sink: string; readonly changes: boolean; readonly sort: boolean; readonly expected: readonly string[] }
  | { readonly kind: 'expect_progress'; readonly line: number; readonly target: string; readonly expected: readonly { readonly field: string; readonly value: string }[] }
  | { readonly kind: 'query'; readonly line: number; readonly sql: string; readonly sort: boolean; readonly expected: readonly string[] }
  | { readonly kind: 'checkpoint'; readonly line: number }
  | { readonly kind: 'restart'; readonly line: number }
  /** `expectedStart`/`expectedEnd`: 0-based line range of the expected text, for `--update`. */
  | { readonly kind: 'explain'; readonly line: number; readonly sql: string; readonly expected: readonly string[]; readonly expectedStart: number; readonly expectedEnd: number }

export interface TestFile {
  readonly path: string
  readonly name: string
  readonly description: string
  readonly records: readonly TestRecord[]
  /** The file's lines, for `--update`. */
  readonly lines: readonly string[]
}

export class FormatError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super(`${path}:${line}: ${message}`)
    this.name = 'FormatError'
  }
}

export const SEPARATOR = '----'

/** Fields `expect progress` understands; all but `watermark` are summed over the batches. */
export const PROGRESS_FIELDS = ['batches', 'numInputRows', 'numRowsDroppedByWatermark', 'numOutputRows', 'watermark'] as const

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `500ms`, `10s`, `1m`, `2h`, `1d`, and sums such as `1m30s`. */
export function parseDuration(text: string): number {
  const re = /(\d+)(ms|s|m|h|d)/y
  let total = 0
  let at = 0
  const t = text.trim()
  if (t === '') throw new Error('empty duration')
  while (at < t.length) {
    re.lastIndex = at
    const m = re.exec(t)
    if (!m) throw new Error(`bad duration '${text}' (use e.g. 500ms, 10s, 1m, 1m30s)`)
    total += Number(m[1]) * (UNITS[m[2] as string] as number)
    at = re.lastIndex
  }
  return total
}

/**
 * Splits a row line into its SQL literal tokens: `'quoted strings'` (with `''` for a quote)
 * and bare words (`NULL`, `12`, `-1.5`, `true`, `U+`). Tokens keep their text as written.
 */
export function tokenizeRow(line: string): string[] {
  const tokens: string[] = []
  let i = 0
  while (i < line.length) {
    const c = line[i] as string
    if (c === ' ' || c === '\t') {
      i++
      continue
    }
    if (c === "'") {
      let j = i + 1
      for (;;) {
        if (j >= line.length) throw new Error(`unterminated string in: ${line}`)
        if (line[j] === "'") {
          if (line[j + 1] === "'") {
            j += 2
            continue
          }
          break
        }
        j++
      }
      tokens.push(line.slice(i, j + 1))
      i = j + 1
      continue
    }
    let j = i
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++
    tokens.push(line.slice(i, j))
    i = j
  }
  return tokens
}

/** A row line with its tokens separated by single spaces, so expectations may be aligned. */
export function canonicalLine(line: string): string {
  return tokenizeRow(line).join(' ')
}

export function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** ISO-8601 UTC, without milliseconds when they are zero. */
export function renderTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString()
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso
}

/**
 * One value as a SQL literal: NULL, true/false, numbers as JS prints them, strings quoted,
 * TIMESTAMP (epoch milliseconds) as a quoted ISO-8601 string, JSON values as their quoted JSON text.
 */
export function renderValue(value: Value, type?: DataType): string {
  if (value === null) return 'NULL'
  if (type === 'TIMESTAMP' && typeof value === 'number') return quoteString(renderTimestamp(value))
  if (type === 'JSON') return quoteString(JSON.stringify(value))
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      return String(value)
    case 'string':
      return quoteString(value)
    default:
      return quoteString(JSON.stringify(value))
  }
}

export function renderRow(row: readonly Value[], types: readonly DataType[] | undefined): string {
  return row.map((v, i) => renderValue(v, types?.[i])).join(' ')
}

/**
 * Sorts lines for comparison. A `U-` line and the `U+` line right after it form one unit, so
 * an update pair stays together.
 */
export function sortLines(lines: readonly string[]): string[] {
  const units: string[][] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const next = lines[i + 1]
    if (line.startsWith('U- ') && next !== undefined && next.startsWith('U+ ')) {
      units.push([line, next])
      i++
    } else {
      units.push([line])
    }
  }
  const key = (u: string[]): string => u.join('\n')
  units.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  return units.flat()
}

const PROGRESS_LINE = /^\s*(\w+)\s*=\s*(.+?)\s*$/

/** Parses a whole `.slt` file. Throws `FormatError` with the file and line at fault. */
export function parseFile(path: string, text: string): TestFile {
  const lines = text.split(/\r?\n/)
  const records: TestRecord[] = []
  let name = ''
  let description = ''
  let i = 0
  const fail = (line: number, message: string): never => {
    throw new FormatError(path, line + 1, message)
  }
  while (i < lines.length) {
    const raw = lines[i] as string
    const trimmed = raw.trim()
    if (trimmed === '') {
      i++
      continue
    }
    if (trimmed.startsWith('#')) {
      const header = /^#\s*(name|description):\s*(.*)$/.exec(trimmed)
      if (header?.[1] === 'name') name = (header[2] as string).trim()
      if (header?.[1] === 'description') description = (header[2] as string).trim()
      i++
      continue
    }
    const start = i
    let end = i + 1
    while (end < lines.length && (lines[end] as string).trim() !== '') end++
    const body = lines.slice(start + 1, end)
    const sep = body.findIndex((l) => l.trim() === SEPARATOR)
    const before = (sep < 0 ? body : body.slice(0, sep)).map((l) => l.trimEnd())
    const after = sep < 0 ? null : body.slice(sep + 1).map((l) => l.trimEnd())
    const words = trimmed.split(/\s+/)
    const keyword = words[0] as string
    const line = start + 1
    const needSeparator = (): string[] => after ?? fail(start, `'${keyword}' needs a '${SEPARATOR}' line before its expected output`)
    const needSql = (): string => (before.length > 0 ? before.join('\n') : fail(start, `'${keyword}' needs SQL on the following lines`))
    const noBody = (): void => {
      if (body.length > 0) fail(start + 1, `'${keyword}' takes no body; end the record with a blank line`)
    }
    switch (keyword) {
      case 'statement': {
        if (after) fail(start, 'a statement has no expected output')
        if (words[1] === 'ok' && words.length === 2) {
          records.push({ kind: 'statement', line, sql: needSql(), error: null })
        } else if (words[1] === 'error' && words[2] !== undefined) {
          let position: ExpectedPosition | null = null
          if (words.length === 5 && words[3] === 'at' && /^\d+:\d+$/.test(words[4] as string)) {
            const [l, c] = (words[4] as string).split(':').map(Number)
            position = { line: l as number, column: c as number }
          } else if (words.length !== 3) {
            fail(start, "expected 'statement error <CODE> [at <line>:<column>]'")
          }
          records.push({ kind: 'statement', line, sql: needSql(), error: { code: words[2] as string, position } })
        } else {
          fail(start, "expected 'statement ok' or 'statement error <CODE>'")
        }
        break
      }
      case 'push': {
        if (words.length !== 2) fail(start, "expected 'push <stream>'")
        if (after) fail(start, 'push has no expected output')
        if (before.length === 0) fail(start, 'push needs at least one row')
        const rows = before.map((l, k) => {
          try {
            return tokenizeRow(l)
          } catch (e) {
            return fail(start + 1 + k, (e as Error).message)
          }
        })
        records.push({ kind: 'push', line, stream: words[1] as string, rows })
        break
      }
      case 'trigger':
      case 'checkpoint':
      case 'restart':
        if (words.length !== 1) fail(start, `'${keyword}' takes no arguments`)
        noBody()
        records.push({ kind: keyword, line })
        break
      case 'advance': {
        if (words.length !== 2) fail(start, "expected 'advance <duration>'")
        noBody()
        let ms = 0
        try {
          ms = parseDuration(words[1] as string)
        } catch (e) {
          fail(start, (e as Error).message)
        }
        records.push({ kind: 'advance', line, ms, text: words[1] as string })
        break
      }
      case 'expect': {
        if (words[1] === 'progress') {
          if (words.length !== 3) fail(start, "expected 'expect progress <sink or query name>'")
          if (before.length > 0) fail(start + 1, `expected '${SEPARATOR}' right after 'expect progress'`)
          const expected = needSeparator().map((l, k) => {
            const m = PROGRESS_LINE.exec(l)
            if (!m || !(PROGRESS_FIELDS as readonly string[]).includes(m[1] as string)) {
              return fail(start + sep + 2 + k, `expected 'field = value' with field one of ${PROGRESS_FIELDS.join(', ')}`)
            }
            return { field: m[1] as string, value: m[2] as string }
          })
          records.push({ kind: 'expect_progress', line, target: words[2] as string, expected })
          break
        }
        const sink = words[1]
        const flags = words.slice(2)
        if (sink === undefined || flags.some((f) => f !== 'changes' && f !== 'nosort')) {
          fail(start, "expected 'expect <sink> [changes] [nosort]'")
        }
        if (before.length > 0) fail(start + 1, `expected '${SEPARATOR}' right after 'expect'`)
        const expected = needSeparator().map(canonicalLine)
        records.push({ kind: 'expect', line, sink: sink as string, changes: flags.includes('changes'), sort: !flags.includes('nosort'), expected })
        break
      }
      case 'query': {
        const sort = words.slice(1).includes('rowsort')
        const expected = needSeparator().map(canonicalLine)
        records.push({ kind: 'query', line, sql: needSql(), sort, expected })
        break
      }
      case 'explain': {
        if (words.length !== 1) fail(start, "'explain' takes no arguments")
        const expected = needSeparator()
        records.push({ kind: 'explain', line, sql: needSql(), expected, expectedStart: start + 1 + sep + 1, expectedEnd: end })
        break
      }
      default:
        fail(start, `unknown record '${keyword}'`)
    }
    i = end
  }
  if (name === '') fail(0, "missing '# name:' header")
  if (description === '') fail(0, "missing '# description:' header")
  return { path, name, description, records, lines }
}

/** A file's text with the expected output of `explain` records replaced (`--update`). */
export function rewriteGoldens(file: TestFile, plans: ReadonlyMap<number, readonly string[]>): string {
  const lines = [...file.lines]
  const explains = file.records.filter((r) => r.kind === 'explain')
  // bottom-up, so earlier line numbers stay valid
  for (const r of [...explains].reverse()) {
    const plan = plans.get(r.line)
    if (plan === undefined) continue
    lines.splice(r.expectedStart, r.expectedEnd - r.expectedStart, ...plan)
    const marker = r.line - 2
    if (marker >= 0 && /^#\s*golden:\s*run --update/.test((lines[marker] as string).trim())) lines.splice(marker, 1)
  }
  return lines.join('\n')
}
