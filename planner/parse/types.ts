/**
 * SQL type names → Weir's DataType, shared by column definitions and casts so that both accept
 * exactly the same spellings.
 */
import type { DataType } from '../../runtime/types.ts'

const TYPES: ReadonlyMap<string, DataType> = new Map<string, DataType>([
  ['boolean', 'BOOLEAN'], ['bool', 'BOOLEAN'],
  ['int', 'INT'], ['integer', 'INT'], ['int4', 'INT'], ['smallint', 'INT'],
  ['bigint', 'BIGINT'], ['int8', 'BIGINT'],
  ['double', 'DOUBLE'], ['double precision', 'DOUBLE'], ['float', 'DOUBLE'], ['float8', 'DOUBLE'],
  ['real', 'DOUBLE'],
  ['varchar', 'VARCHAR'], ['character varying', 'VARCHAR'], ['string', 'VARCHAR'], ['text', 'VARCHAR'],
  ['timestamp', 'TIMESTAMP'], ['timestamptz', 'TIMESTAMP'],
  ['json', 'JSON'], ['jsonb', 'JSON'],
])

/** Types we know but do not support yet: SQL_UNSUPPORTED rather than "unknown type". */
export const LATER_TYPES = new Set(['decimal', 'numeric', 'date', 'time', 'interval', 'bytea'])

/** `name` is the type's words joined by one space, any case (`double precision`). */
export function dataTypeFromName(name: string): DataType | null {
  return TYPES.get(name.toLowerCase().replace(/\s+/g, ' ')) ?? null
}

/** The first word of every multi-word type, so a parser knows to read one more word. */
export function isTypePrefix(word: string, next: string): boolean {
  const w = word.toLowerCase()
  const n = next.toLowerCase()
  return (w === 'double' && n === 'precision') || (w === 'character' && n === 'varying')
}
