/**
 * JSON lines, read by a schema-aware scanner over the file's UTF-8 bytes: for the common line —
 * a flat object whose keys are the declared column names, with plain strings, numbers and
 * literals — it reads only what the columns need, without decoding the line to text or building
 * an object: numbers and canonical timestamps are read from their digits, and string tokens are
 * copied byte for byte into the output columns (row-columns.ts). Any other line (escapes, nested
 * values, unknown or differently-cased keys, duplicate keys, anything malformed) goes through the
 * general path, `JSON.parse` and lookup by name, which is the definition: the scanner accepts
 * only lines that are valid JSON and gives exactly the row the general path would, so a line's
 * row, or its error, never depends on which path read it.
 */
import { epochMillis, type DataType, type Field, type Row } from '../../runtime/types.ts'
import { byName, convert, malformedInput, type ParseOptions, type ParseResult } from './file-formats.ts'
import { RowColumns, unpackColumns, type PackedColumns } from './row-columns.ts'

const LF = 0x0a
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c
const OPEN = 0x7b
const CLOSE = 0x7d
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39
const DOT = 0x2e

/** How a line went. */
const GENERAL = 0
const ROW = 1
const BLANK = 2

const utf8 = new TextDecoder()
const latin1 = new TextDecoder('latin1')

/** JSON lines to rows (see the file comment). */
export function parseJsonLines(text: string | Uint8Array, opts: ParseOptions): ParseResult {
  const p = scanJsonLines(typeof text === 'string' ? new TextEncoder().encode(text) : text, opts)
  return { rows: unpackColumns(p), malformed: p.malformed }
}

/** JSON lines (UTF-8) to columns; malformed lines are skipped and counted, or fail the read, as `opts.onError` says. */
export function scanJsonLines(bytes: Uint8Array, opts: ParseOptions): PackedColumns {
  const scanner = fastPathFits(opts.fields) ? new LineScanner(opts.fields, opts.columns) : null
  // About 150 bytes a line: a first guess at the capacity, to grow as little as possible.
  const out = new RowColumns(opts.fields.length, Math.ceil(bytes.length / 128) + 1)
  let malformed = 0
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0 // a byte order mark
  let lineNo = 0
  while (start <= bytes.length) {
    let end = bytes.indexOf(LF, start)
    if (end < 0) end = bytes.length
    lineNo++
    const lineStart = start
    start = end + 1
    if (scanner) {
      const at = out.beginRow()
      const how = scanner.scan(bytes, lineStart, end, out, at)
      if (how === ROW) {
        out.endRow()
        continue
      }
      out.abortRow()
      if (how === BLANK) continue
    }
    // The general path, which defines the result.
    const line = utf8.decode(bytes.subarray(lineStart, end)).trim()
    if (line === '') continue
    const result = generalRow(line, opts.fields)
    if (typeof result !== 'string') out.addRow(result)
    else if (opts.onError === 'skip') malformed++
    else throw malformedInput(opts, lineNo, result)
  }
  return out.finish(malformed)
}

function generalRow(line: string, fields: readonly Field[]): Row | string {
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return 'not valid JSON'
  }
  return obj === null || typeof obj !== 'object' || Array.isArray(obj) ? 'not a JSON object' : byName(obj as Record<string, unknown>, fields, false)
}

/**
 * Whether the scanner may read lines for these columns: it matches keys exactly, which is only
 * what lookup by name does when no two columns differ only in case (lookup falls back to a
 * case-insensitive match for a missing column).
 */
function fastPathFits(fields: readonly Field[]): boolean {
  const lower = new Set(fields.map((f) => f.name.toLowerCase()))
  return lower.size === fields.length && fields.every((f) => !/["\\\u0000-\u001f]/.test(f.name))
}

/** Column kinds the scanner reads without `convert`. */
const TEXT = 0
const INTEGER = 1
const OTHER = 2
/** Text the query does not read: checked, not copied (the cell stays NULL). */
const UNREAD_TEXT = 3

class LineScanner {
  private readonly names: Uint8Array[]
  private readonly types: DataType[]
  private readonly kinds: number[]
  /** Per column, the line it was last set on: a key seen twice sends the line to the general path. */
  private readonly seen: Int32Array
  private stamp = 0

  constructor(fields: readonly Field[], columns: readonly number[] | undefined) {
    const encoder = new TextEncoder()
    const read = new Set(columns ?? fields.map((_f, i) => i))
    this.names = fields.map((f) => encoder.encode(f.name))
    this.types = fields.map((f) => f.type)
    this.kinds = fields.map((f, i) => f.type === 'VARCHAR' || f.type === 'JSON' ? (read.has(i) ? TEXT : UNREAD_TEXT)
      : f.type === 'BIGINT' || f.type === 'TIMESTAMP' || f.type === 'DOUBLE' ? INTEGER : OTHER)
    this.seen = new Int32Array(fields.length)
  }

  /** Reads the line [i, end) into the row at `at`: ROW, BLANK, or GENERAL when it needs the general path. */
  scan(b: Uint8Array, i: number, end: number, out: RowColumns, at: number): number {
    i = skipWs(b, i, end)
    if (i === end) return BLANK
    if (b[i] !== OPEN) return GENERAL
    const stamp = ++this.stamp
    let hint = 0
    i = skipWs(b, i + 1, end)
    if (b[i] === CLOSE) return skipWs(b, i + 1, end) === end ? ROW : GENERAL
    for (;;) {
      // "key"
      if (b[i] !== QUOTE) return GENERAL
      const keyEnd = plainStringEnd(b, i + 1, end)
      if (keyEnd < 0) return GENERAL
      const col = this.column(b, i + 1, keyEnd, hint)
      if (col < 0 || this.seen[col] === stamp) return GENERAL
      this.seen[col] = stamp
      hint = col + 1
      i = skipWs(b, keyEnd + 1, end)
      if (b[i] !== COLON) return GENERAL
      i = this.value(b, skipWs(b, i + 1, end), end, col, out, at + col)
      if (i < 0) return GENERAL
      i = skipWs(b, i, end)
      const c = b[i]
      if (c === COMMA) {
        i = skipWs(b, i + 1, end)
        continue
      }
      if (c !== CLOSE) return GENERAL
      return skipWs(b, i + 1, end) === end ? ROW : GENERAL
    }
  }

  /** The column named by the key [from, to), or -1; tries the column after the previous key's first. */
  private column(b: Uint8Array, from: number, to: number, hint: number): number {
    const names = this.names
    const len = to - from
    for (let k = 0; k < names.length; k++) {
      const j = hint + k < names.length ? hint + k : hint + k - names.length
      const name = names[j]!
      if (name.length !== len) continue
      let i = 0
      while (i < len && b[from + i] === name[i]) i++
      if (i === len) return j
    }
    return -1
  }

  /** Reads the value at i into `cell`, converted to the column's type; returns the index after it, or -1 for the general path. */
  private value(b: Uint8Array, i: number, end: number, col: number, out: RowColumns, cell: number): number {
    const c = b[i]!
    const kind = this.kinds[col]!
    if (c === QUOTE) {
      const close = plainStringEnd(b, i + 1, end)
      if (close < 0) return -1
      if (kind === TEXT || kind === UNREAD_TEXT) {
        if (kind === TEXT) out.setJsonBytes(cell, b, i, close + 1)
        return close + 1
      }
      const type = this.types[col]!
      if (type === 'TIMESTAMP') {
        const ms = canonicalTimestamp(b, i + 1, close)
        if (ms !== null) {
          out.setNumber(cell, ms)
          return close + 1
        }
      }
      return put(out, cell, convert(utf8.decode(b.subarray(i + 1, close)), type, false)) ? close + 1 : -1
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const after = numberEnd(b, i, end)
      if (after < 0) return -1
      const small = after - i <= 15 && isDigits(b, c === MINUS ? i + 1 : i, after)
      const n = small ? smallInteger(b, i, after) : Number(latin1.decode(b.subarray(i, after)))
      if (small && kind === INTEGER) out.setNumber(cell, n) // what convert would give: a safe integer, kept as is
      else if (!put(out, cell, convert(n, this.types[col]!, false))) return -1
      return after
    }
    const lit = literal(b, i)
    if (lit === undefined) return -1
    return put(out, cell, convert(lit, this.types[col]!, false)) ? i + (lit === false ? 5 : 4) : -1
  }
}

function put(out: RowColumns, cell: number, v: ReturnType<typeof convert>): boolean {
  if (typeof v === 'symbol') return false
  if (typeof v === 'number') out.setNumber(cell, v)
  else out.setValue(cell, v)
  return true
}

/** true, false or null at i; undefined for anything else. */
function literal(b: Uint8Array, i: number): boolean | null | undefined {
  const c = b[i]
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? true : undefined
  if (c === 0x66) return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? false : undefined
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? null : undefined
  return undefined
}

/** JSON whitespace (space, tab, CR; the line has no LF). */
function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break
    i++
  }
  return i
}

/** The closing quote of a string without escapes or control characters whose text starts at i; -1 otherwise. */
function plainStringEnd(b: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = b[i]!
    if (c === QUOTE) return i
    if (c === BACKSLASH || c < 0x20) return -1
  }
  return -1
}

/** The end of a JSON number at i (RFC 8259 grammar), or -1. */
function numberEnd(b: Uint8Array, i: number, end: number): number {
  if (b[i] === MINUS) i++
  const first = b[i]
  if (first === ZERO) i++
  else if (first !== undefined && first > ZERO && first <= NINE) i = digitsEnd(b, i, end)
  else return -1
  if (b[i] === DOT) {
    const j = digitsEnd(b, i + 1, end)
    if (j === i + 1) return -1
    i = j
  }
  const e = b[i]
  if (e === 0x65 || e === 0x45) {
    i++
    const s = b[i]
    if (s === 0x2b || s === MINUS) i++
    const j = digitsEnd(b, i, end)
    if (j === i) return -1
    i = j
  }
  return i
}

function digitsEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]!
    if (c < ZERO || c > NINE) break
    i++
  }
  return i
}

function isDigits(b: Uint8Array, i: number, end: number): boolean {
  return digitsEnd(b, i, end) === end
}

/** An optionally negative integer of at most 15 characters: exact in a double, as `Number` would read it (−0 included). */
function smallInteger(b: Uint8Array, i: number, end: number): number {
  const neg = b[i] === MINUS
  let n = 0
  for (let j = neg ? i + 1 : i; j < end; j++) n = n * 10 + (b[j]! - ZERO)
  return neg ? -n : n
}

function digit(b: Uint8Array, i: number): number {
  const c = b[i]! - ZERO
  return c >= 0 && c <= 9 ? c : NaN
}

/** `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.fffZ` in [i, end), as `parseTimestamp` reads it; null for anything else. */
function canonicalTimestamp(b: Uint8Array, i: number, end: number): number | null {
  const n = end - i
  if ((n !== 20 && n !== 24) || b[end - 1] !== 0x5a || b[i + 4] !== MINUS || b[i + 7] !== MINUS || b[i + 10] !== 0x54 ||
    b[i + 13] !== COLON || b[i + 16] !== COLON || (n === 24 && b[i + 19] !== DOT)) return null
  return epochMillis(
    digit(b, i) * 1000 + digit(b, i + 1) * 100 + digit(b, i + 2) * 10 + digit(b, i + 3),
    digit(b, i + 5) * 10 + digit(b, i + 6), digit(b, i + 8) * 10 + digit(b, i + 9),
    digit(b, i + 11) * 10 + digit(b, i + 12), digit(b, i + 14) * 10 + digit(b, i + 15), digit(b, i + 17) * 10 + digit(b, i + 18),
    n === 24 ? digit(b, i + 20) * 100 + digit(b, i + 21) * 10 + digit(b, i + 22) : 0,
  )
}
