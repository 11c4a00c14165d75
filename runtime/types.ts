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

/** ISO-8601 with `Z` and milliseconds (`2026-01-01T00:00:01.000Z`); null outside JS Date's range. */
export function formatTimestamp(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null
  return new Date(ms).toISOString()
}
