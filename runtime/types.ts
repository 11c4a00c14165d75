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
