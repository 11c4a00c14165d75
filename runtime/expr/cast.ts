/**
 * CAST at run time, with Spark's non-ANSI leniency: text that is not a valid number, boolean,
 * timestamp or JSON document becomes NULL rather than failing the query. Numbers converted to
 * INT or BIGINT truncate toward zero and are NULL when out of range (not wrapped).
 */
import { type DataType, type Value, formatTimestamp, parseTimestamp } from '../types.ts'
import { assertNever, internalError } from '../errors.ts'

export type CastFn = (v: Value) => Value

const INT_MIN = -2147483648
const INT_MAX = 2147483647
const BIGINT_LIMIT = 2 ** 63

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const SPECIAL_DOUBLES: Readonly<Record<string, number>> = {
  nan: NaN, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity, inf: Infinity, '-inf': -Infinity,
}

function textToNumber(s: string, allowSpecial: boolean): number | null {
  const t = s.trim()
  if (NUMBER_TEXT.test(t)) return Number(t)
  if (!allowSpecial) return null
  const key = t.toLowerCase()
  // Own keys only: the text 'constructor' must not find Object's.
  return Object.hasOwn(SPECIAL_DOUBLES, key) ? SPECIAL_DOUBLES[key]! : null
}

function toInteger(n: number, bits32: boolean): number | null {
  if (!Number.isFinite(n)) return null
  const i = Math.trunc(n) + 0
  if (bits32 ? i < INT_MIN || i > INT_MAX : Math.abs(i) >= BIGINT_LIMIT) return null
  return i
}

const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', '1'])
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', '0'])

function textToBoolean(s: string): boolean | null {
  const t = s.trim().toLowerCase()
  return TRUE_TEXT.has(t) ? true : FALSE_TEXT.has(t) ? false : null
}

function parseJson(s: string): Value {
  try {
    return JSON.parse(s) as Value
  } catch {
    return null
  }
}

/** A value of any source type as a number (for numeric targets), or null. */
function asNumber(v: Value, allowSpecial: boolean): number | null {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') return textToNumber(v, allowSpecial)
  return null
}

const toInt: CastFn = (v) => {
  const n = asNumber(v, false)
  return n === null ? null : toInteger(n, true)
}
const toBigint: CastFn = (v) => {
  const n = asNumber(v, false)
  return n === null ? null : toInteger(n, false)
}
const toDouble: CastFn = (v) => asNumber(v, true)
const toBoolean: CastFn = (v) =>
  typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : typeof v === 'string' ? textToBoolean(v) : null
const numberToText: CastFn = (v) => String(v)
const booleanToText: CastFn = (v) => (v === true ? 'true' : 'false')
const timestampToText: CastFn = (v) => (typeof v === 'number' ? formatTimestamp(v) : null)
const jsonToText: CastFn = (v) => JSON.stringify(v)
const textToJson: CastFn = (v) => (typeof v === 'string' ? parseJson(v) : null)
const textToTimestamp: CastFn = (v) => (typeof v === 'string' ? parseTimestamp(v) : null)
// JSON holds timestamps as ISO text or as epoch milliseconds (as ingest accepts them).
const jsonToTimestamp: CastFn = (v) =>
  typeof v === 'string' ? parseTimestamp(v) : typeof v === 'number' ? toInteger(v, false) : null
const finiteOrNull: CastFn = (v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)
const truncate: CastFn = (v) => (typeof v === 'number' ? toInteger(v, false) : null)

/**
 * The conversion from `from` to `to`: 'identity' when the representation does not change
 * (numeric widening, NULL), else a function of a non-null value. A pair the binder never
 * produces is an internal error.
 */
export function castFunction(from: DataType, to: DataType): CastFn | 'identity' {
  if (from === to || from === 'NULL') return 'identity'
  const numeric = from === 'INT' || from === 'BIGINT' || from === 'DOUBLE'
  switch (to) {
    case 'BOOLEAN':
      if (numeric || from === 'VARCHAR' || from === 'JSON') return toBoolean
      break
    case 'INT':
      if (from === 'INTERVAL' || numeric || from === 'BOOLEAN' || from === 'VARCHAR' || from === 'JSON') return toInt
      break
    case 'BIGINT':
      if (from === 'INT') return 'identity'
      if (from === 'INTERVAL' || numeric || from === 'BOOLEAN' || from === 'VARCHAR' || from === 'JSON') return toBigint
      break
    case 'DOUBLE':
      if (from === 'INT' || from === 'BIGINT' || from === 'INTERVAL') return 'identity'
      if (from === 'BOOLEAN' || from === 'VARCHAR' || from === 'JSON') return toDouble
      break
    case 'VARCHAR':
      if (numeric) return numberToText
      if (from === 'BOOLEAN') return booleanToText
      if (from === 'TIMESTAMP') return timestampToText
      if (from === 'JSON') return jsonToText
      break
    case 'TIMESTAMP':
      if (from === 'VARCHAR') return textToTimestamp
      if (from === 'JSON') return jsonToTimestamp
      break
    case 'JSON':
      if (from === 'VARCHAR') return textToJson
      if (from === 'TIMESTAMP') return timestampToText
      if (numeric || from === 'BOOLEAN') return finiteOrNull
      break
    case 'INTERVAL':
      if (numeric) return truncate
      break
    case 'NULL':
      break
    default:
      return assertNever(to, 'data type')
  }
  throw internalError(`no cast from ${from} to ${to}`)
}
