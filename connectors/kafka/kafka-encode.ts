/**
 * Changes → Kafka messages for the sink.
 *
 * - value: a JSON object keyed by column name (timestamps ISO-8601 with `Z`), or one CSV line
 *   without a header; in update and complete mode the JSON object also has `"__op"`
 *   (`+`, `-`, `U-`, `U+`);
 * - key: with `key_columns`, one column's text (a JSON value for non-strings), or a JSON object
 *   of several; without, no key;
 * - headers: `weir.query.id`, `weir.batch.id` (what the exactly-once recovery reads back), and
 *   in update and complete mode `weir.op` (and `weir.snapshot` = `true` for complete-mode rows);
 * - keyed deletes become tombstones (null value); a keyed `U-` whose `U+` has the same key is
 *   not written (the `U+` replaces it in a compacted topic).
 */
import type { Message } from 'kafkajs'
import type { OutputMode } from '../../runtime/graph.ts'
import { formatTimestamp, type ChangeBatch, type Field, type Op, type Row, type Value } from '../../runtime/types.ts'

export const HEADER_QUERY_ID = 'weir.query.id'
export const HEADER_BATCH_ID = 'weir.batch.id'

export class MessageEncoder {
  private readonly keyIndex: number[]

  constructor(private readonly fields: readonly Field[], private readonly format: 'json' | 'csv', keyColumns: readonly number[]) {
    this.keyIndex = [...keyColumns]
  }

  encode(queryId: string, batchId: number, changes: ChangeBatch, mode: OutputMode): Message[] {
    const withOp = mode !== 'append'
    const snapshot = changes.snapshot === true
    const out: Message[] = []
    const batch = String(batchId)
    const { rows, ops } = changes
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      const op: Op = ops === null ? '+' : ops[i]!
      const key = this.keyIndex.length === 0 ? null : this.key(row)
      if (key !== null && op === 'U-' && ops !== null && ops[i + 1] === 'U+' && this.key(rows[i + 1]!) === key) continue
      const tombstone = key !== null && (op === '-' || op === 'U-')
      const headers: Record<string, string> = { [HEADER_QUERY_ID]: queryId, [HEADER_BATCH_ID]: batch }
      if (withOp) headers['weir.op'] = op
      if (snapshot) headers['weir.snapshot'] = 'true'
      out.push({ key, value: tombstone ? null : this.value(row, withOp ? op : null), headers })
    }
    return out
  }

  private value(row: Row, op: Op | null): string {
    const f = this.fields
    if (this.format === 'csv') {
      let line = ''
      for (let i = 0; i < f.length; i++) line += (i > 0 ? ',' : '') + csvValue(wire(row[i] ?? null, f[i]!))
      return op === null ? line : `${csvValue(op)},${line}`
    }
    const obj: Record<string, Value> = {}
    for (let i = 0; i < f.length; i++) obj[f[i]!.name] = wire(row[i] ?? null, f[i]!)
    if (op !== null) obj.__op = op
    return JSON.stringify(obj)
  }

  private key(row: Row): string {
    if (this.keyIndex.length === 1) {
      const i = this.keyIndex[0]!
      const v = wire(row[i] ?? null, this.fields[i]!)
      return typeof v === 'string' ? v : JSON.stringify(v)
    }
    const obj: Record<string, Value> = {}
    for (const i of this.keyIndex) obj[this.fields[i]!.name] = wire(row[i] ?? null, this.fields[i]!)
    return JSON.stringify(obj)
  }
}

function wire(v: Value, field: Field): Value {
  return field.type === 'TIMESTAMP' && typeof v === 'number' ? formatTimestamp(v) : v
}

function csvValue(v: Value): string {
  if (v === null) return ''
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
  return typeof v === 'string' || typeof v === 'object' ? (/[",\r\n]|^\s|\s$/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s) : s
}
