/**
 * Data types, values, rows and change batches: the vocabulary shared by planner, runtime and
 * connectors.
 *
 * Values in rows:
 * - BOOLEAN: boolean; INT, BIGINT, DOUBLE: number (BIGINT is exact up to 2^53);
 * - VARCHAR: string; TIMESTAMP: number, UTC epoch milliseconds;
 * - JSON: a parsed JSON value (object, array, string, number, boolean);
 * - INTERVAL: number of milliseconds (only as an expression value, never a column type);
 * - SQL NULL is `null` (never `undefined`).
 */
export type DataType = 'BOOLEAN' | 'INT' | 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'TIMESTAMP' | 'JSON' | 'INTERVAL' | 'NULL'

export const COLUMN_TYPES: readonly DataType[] = ['BOOLEAN', 'INT', 'BIGINT', 'DOUBLE', 'VARCHAR', 'TIMESTAMP', 'JSON']

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type Value = JsonValue
export type Row = Value[]

export interface Field {
  readonly name: string
  readonly type: DataType
}

export interface Schema {
  readonly fields: readonly Field[]
}

/**
 * A change to a table: `+` insert, `-` delete, `U-` the old row of an update, `U+` its new row
 * (`U-` always immediately precedes its `U+`).
 */
export type Op = '+' | '-' | 'U-' | 'U+'

/**
 * A batch of changes moving between operators. `ops === null` means every row is an insert
 * (the common, append-only case, which costs no op array).
 *
 * `snapshot === true` means the rows are the complete current result (complete output mode):
 * the receiver replaces what it had. A snapshot batch has `ops === null`.
 */
export interface ChangeBatch {
  readonly rows: Row[]
  readonly ops: Op[] | null
  readonly snapshot?: boolean
}

export const EMPTY_BATCH: ChangeBatch = Object.freeze({ rows: [], ops: null }) as ChangeBatch

export function insertBatch(rows: Row[]): ChangeBatch {
  return { rows, ops: null }
}

export function isNumericType(t: DataType): boolean {
  return t === 'INT' || t === 'BIGINT' || t === 'DOUBLE'
}

// ---------------------------------------------------------------------------------------------
// Timestamp text (shared by the binder for literals, CAST at run time, and connectors)
// ---------------------------------------------------------------------------------------------

// ISO-8601 (`T`) or SQL (space) separator; seconds and fraction optional; zone optional (UTC
// when absent). Fractions beyond milliseconds are truncated.
const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH[:MM]]` to UTC epoch milliseconds; null when
 * the text is not such a timestamp or names an impossible date (Feb 30, hour 24).
 */
export function parseTimestamp(text: string): number | null {
  const fast = parseCanonicalTimestamp(text)
  if (fast !== null) return fast
  const m = TIMESTAMP_TEXT.exec(text.trim())
  if (m === null) return null
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = m[4] === undefined ? 0 : Number(m[4])
  const minute = m[5] === undefined ? 0 : Number(m[5])
  const second = m[6] === undefined ? 0 : Number(m[6])
  const millis = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3))
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]
  if (monthDays === undefined || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return null
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis))
  // Date.UTC maps years 0–99 to 1900–1999.
  if (year < 100) d.setUTCFullYear(year)
  let ms = d.getTime()
  const zone = m[8]
  if (zone !== undefined && zone.toUpperCase() !== 'Z' && zone.toUpperCase() !== 'UTC') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offset = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0)
    ms -= sign * offset * 60_000
  }
  return ms
}

/**
 * The hot path of JSON and CSV input: `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.fffZ`
 * (what Weir itself writes), read digit by digit at fixed positions with no regular expression
 * and no Date object. Anything else returns null and takes the general path.
 */
function digit(t: string, i: number): number {
  const c = t.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : NaN
}

function parseCanonicalTimestamp(t: string): number | null {
  const n = t.length
  if ((n !== 20 && n !== 24) || t.charCodeAt(n - 1) !== 90 /* Z */ || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 ||
    t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return null
  const year = digit(t, 0) * 1000 + digit(t, 1) * 100 + digit(t, 2) * 10 + digit(t, 3)
  const month = digit(t, 5) * 10 + digit(t, 6)
  const day = digit(t, 8) * 10 + digit(t, 9)
  const hour = digit(t, 11) * 10 + digit(t, 12)
  const minute = digit(t, 14) * 10 + digit(t, 15)
  const second = digit(t, 17) * 10 + digit(t, 18)
  let millis = 0
  if (n === 24) {
    if (t.charCodeAt(19) !== 46 /* . */) return null
    millis = digit(t, 20) * 100 + digit(t, 21) * 10 + digit(t, 22)
  }
  return epochMillis(year, month, day, hour, minute, second, millis)
}

/**
 * Milliseconds since the epoch of a UTC date and time given as numbers (NaN for a non-digit),
 * or null when they are not a valid date and time. For readers of canonical timestamps
 * (above, and the JSON-lines scanner's, which reads bytes).
 */
export function epochMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number | null {
  if (Number.isNaN(year + month + day + hour + minute + second + millis)) return null
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]
  if (monthDays === undefined || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return null
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  const days = era * 146097 + doe - 719468
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
}

/** ISO-8601 with `Z` and milliseconds (`2026-01-01T00:00:01.000Z`); null outside JS Date's range. */
export function formatTimestamp(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null
  return new Date(ms).toISOString()
}

/**
 * A JSON value read as a column of `type`, strictly (ingest and Kafka JSON): strings for VARCHAR,
 * safe integers for INT/BIGINT (INT within 32 bits), numbers for DOUBLE, booleans, and for
 * TIMESTAMP an ISO-8601 string or epoch milliseconds. `undefined` when the value does not fit;
 * callers handle JSON `null` (SQL NULL) before calling.
 */
export function jsonToValue(type: DataType, v: unknown): Value | undefined {
  switch (type) {
    case 'VARCHAR':
      return typeof v === 'string' ? v : undefined
    case 'BIGINT':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined
    case 'INT':
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : undefined
    case 'DOUBLE':
      return typeof v === 'number' ? v : undefined
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : undefined
    case 'TIMESTAMP':
      if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= 8.64e15 ? Math.trunc(v) : undefined
      return typeof v === 'string' ? parseTimestamp(v) ?? undefined : undefined
    case 'JSON':
      return v as Value
    case 'INTERVAL':
    case 'NULL':
      return undefined
  }
}
