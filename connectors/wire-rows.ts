/** Rows as users see them outside Weir: objects keyed by column name, timestamps as ISO-8601 with `Z`. */
import { formatTimestamp, type Field, type Row, type Value } from '../runtime/types.ts'

export function wireValue(v: Value, field: Field): Value {
  return field.type === 'TIMESTAMP' && typeof v === 'number' ? formatTimestamp(v) : v
}

export function wireObject(row: Row, fields: readonly Field[]): Record<string, Value> {
  const obj: Record<string, Value> = {}
  for (let i = 0; i < fields.length; i++) obj[fields[i]!.name] = wireValue(row[i] ?? null, fields[i]!)
  return obj
}
