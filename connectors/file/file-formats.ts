/**
 * Reading rows from file contents in the declared columns: JSON lines (values by column name;
 * the scanner is json-scan.ts), CSV (by header name with `header = true`, else by position) and
 * Parquet records (by column name; parquet.ts reads them). `parseFile` (file-decode.ts) picks
 * the format. Values are converted to the declared types; TIMESTAMP accepts ISO-8601 text and
 * epoch milliseconds. A row that cannot be read or converted is *malformed*: with
 * `on_error = 'fail'` the read fails with MALFORMED_INPUT naming the file and line, with
 * `'skip'` it is dropped and counted. Both are deterministic, so a re-read gives the same rows.
 */
import { WeirError } from '../../runtime/errors.ts'
import { parseTimestamp, type DataType, type Field, type JsonValue, type Row, type Value } from '../../runtime/types.ts'

export type FileFormat = 'json' | 'csv' | 'parquet'
export const FILE_FORMATS: readonly FileFormat[] = ['json', 'csv', 'parquet']
export type OnError = 'fail' | 'skip'

export interface ParseOptions {
  readonly fields: readonly Field[]
  readonly format: FileFormat
  /** CSV: the first line names the columns. */
  readonly header: boolean
  readonly onError: OnError
  /** For messages. */
  readonly file: string
  /** The positions of the columns the query reads (absent: all); a reader may leave the others NULL. */
  readonly columns?: readonly number[]
}

export interface ParseResult {
  readonly rows: Row[]
  /** Rows dropped under `on_error = 'skip'`. */
  readonly malformed: number
}

const BAD = Symbol('bad value')

export function parseCsvText(text: string, opts: ParseOptions): ParseResult {
  const records = splitCsv(text)
  let header: (string | null)[] | null = null
  if (opts.header && records.length > 0) header = records.shift()!.cells
  const width = header?.length ?? opts.fields.length
  const index = opts.fields.map((f, i) => (header ? findName(header.map((h) => h ?? ''), f.name) : i))
  const items: Item[] = records.map((rec) => ({
    line: rec.line,
    read: () => {
      if (rec.error) return rec.error
      if (rec.cells.length !== width) return `${rec.cells.length} values, expected ${width}`
      const row: Row = []
      for (let i = 0; i < opts.fields.length; i++) {
        const at = index[i]!
        const v = at < 0 ? null : convert(rec.cells[at] ?? null, opts.fields[i]!.type, true)
        if (v === BAD) return `column ${opts.fields[i]!.name}: '${rec.cells[at]}' is not a ${opts.fields[i]!.type}`
        row.push(v)
      }
      return row
    },
  }))
  return collect(opts, items)
}

/** Rows of records already read by name (Parquet's), converted to the declared types. */
export function parseRecords(records: readonly { readonly [key: string]: unknown }[], opts: ParseOptions): ParseResult {
  return collect(opts, records.map((r, i) => ({ line: i + 1, read: () => byName(r, opts.fields, false) })))
}

interface Item {
  readonly line: number
  /** The row, or why it is malformed. */
  read(): Row | string
}

function collect(opts: ParseOptions, items: readonly Item[]): ParseResult {
  const rows: Row[] = []
  let malformed = 0
  for (const item of items) {
    const r = item.read()
    if (typeof r !== 'string') {
      rows.push(r)
      continue
    }
    if (opts.onError === 'skip') {
      malformed++
      continue
    }
    throw malformedInput(opts, item.line, r)
  }
  return { rows, malformed }
}

export function malformedInput(opts: ParseOptions, line: number, why: string): WeirError {
  return new WeirError('MALFORMED_INPUT', `${opts.file}, ${opts.format === 'parquet' ? 'row' : 'line'} ${line}: ${why} (set on_error = 'skip' to drop such rows)`)
}

/** Values of a JSON object (or a Parquet record) by column name: exact, else case-insensitive. Missing keys are NULL. */
export function byName(obj: { readonly [key: string]: unknown }, fields: readonly Field[], fromText: boolean): Row | string {
  const row: Row = new Array<Value>(fields.length)
  let keys: string[] | null = null
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!
    // Own keys only: a column named "constructor" must not read Object.prototype.
    let raw: unknown = null
    if (Object.hasOwn(obj, f.name)) {
      raw = obj[f.name]
    } else {
      keys ??= Object.keys(obj)
      const key = keys.find((k) => k.toLowerCase() === f.name.toLowerCase())
      if (key !== undefined) raw = obj[key]
    }
    const v = convert(raw, f.type, fromText)
    if (v === BAD) return `column ${f.name}: ${describe(raw)} is not a ${f.type}`
    row[i] = v
  }
  return row
}

function findName(names: readonly string[], name: string): number {
  const exact = names.indexOf(name)
  return exact >= 0 ? exact : names.findIndex((n) => n.trim().toLowerCase() === name.toLowerCase())
}

/** A value read from a file, in the declared type. `fromText`: the value is CSV text (JSON columns are parsed). */
export function convert(v: unknown, type: DataType, fromText: boolean): Value | typeof BAD {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return type === 'VARCHAR' ? String(v) : BAD
    return convert(Number(v), type, fromText)
  }
  if (v instanceof Date) return convert(v.getTime(), type, fromText)
  switch (type) {
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true'
      return BAD
    case 'INT':
    case 'BIGINT': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN
      if (!Number.isSafeInteger(n)) return BAD
      if (type === 'INT' && (n > 2147483647 || n < -2147483648)) return BAD
      return n
    }
    case 'DOUBLE': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
      return Number.isNaN(n) && !(typeof v === 'string' && v.trim() === 'NaN') ? BAD : n
    }
    case 'VARCHAR':
      if (typeof v === 'string') return v
      if (typeof v === 'number' || typeof v === 'boolean') return String(v)
      return JSON.stringify(v)
    case 'TIMESTAMP': {
      if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : BAD
      if (typeof v !== 'string') return BAD
      if (/^\s*-?\d+\s*$/.test(v)) return Number(v)
      return parseTimestamp(v) ?? BAD
    }
    case 'JSON':
      if (!fromText) return v as JsonValue
      try {
        return JSON.parse(v as string) as JsonValue
      } catch {
        return BAD
      }
    case 'INTERVAL':
    case 'NULL':
      return BAD
  }
}

function describe(v: unknown): string {
  const s = typeof v === 'bigint' ? String(v) : v instanceof Date ? v.toISOString() : JSON.stringify(v)
  return s === undefined ? 'undefined' : s.length > 60 ? s.slice(0, 57) + '...' : s
}

export interface CsvRecord {
  readonly line: number
  /** An unquoted empty cell is NULL; a quoted one (`""`) the empty string. */
  readonly cells: (string | null)[]
  readonly error?: string
}

/** RFC 4180 records: quoted cells may hold commas, quotes (`""`) and line breaks; `\r\n` or `\n` ends a record. */
export function splitCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = []
  let cells: (string | null)[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let start = 1
  let i = 0
  let inRecord = false
  const endCell = (): void => {
    cells.push(cell === '' && !quoted ? null : cell)
    cell = ''
    quoted = false
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '"' && cell === '' && !quoted) {
      // A quoted cell: read to its closing quote.
      quoted = true
      inRecord = true
      let j = i + 1
      for (;;) {
        if (j >= text.length) {
          out.push({ line: start, cells, error: 'a quoted value is not closed' })
          return out
        }
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            cell += '"'
            j += 2
            continue
          }
          break
        }
        if (text[j] === '\n') line++
        cell += text[j]
        j++
      }
      i = j + 1
      continue
    }
    if (c === ',') {
      endCell()
      inRecord = true
      i++
      continue
    }
    if (c === '\n' || c === '\r') {
      if (inRecord || cells.length > 0) {
        endCell()
        out.push({ line: start, cells })
      }
      cells = []
      inRecord = false
      if (c === '\r' && text[i + 1] === '\n') i++
      i++
      line++
      start = line
      continue
    }
    cell += c
    inRecord = true
    i++
  }
  if (inRecord || cells.length > 0) {
    endCell()
    out.push({ line: start, cells })
  }
  return out
}
