/**
 * Kafka records → rows of a stream. Columns named by the metadata options (`key_column`,
 * `partition_column`, …) are filled from the record; the others ("value columns") from the
 * value, by the stream's format:
 *
 * - `json`: an object keyed by column name (exact names; unknown keys ignored; a missing key is NULL);
 * - `csv`: one line, value columns by position (RFC 4180 quoting; an empty field is NULL);
 * - `text`: the UTF-8 value in the one value column (VARCHAR);
 * - `raw`: the value bytes, base64, in the one value column (VARCHAR).
 *
 * A record with a null value (a tombstone) gives a row whose value columns are NULL. A value
 * that does not fit is "malformed": `decode` returns the reason instead of a row.
 */
import { invalidOption } from '../connector.ts'
import { jsonToValue, parseTimestamp, type DataType, type Field, type Row, type Value } from '../../runtime/types.ts'
import type { RawRecord } from './kafka-client.ts'
import type { KafkaFormat, MetadataColumns } from './kafka-options.ts'

type Meta = 'key' | 'topic' | 'partition' | 'offset' | 'timestamp' | 'headers'
const META_TYPES: Readonly<Record<Meta, readonly DataType[]>> = {
  key: ['VARCHAR'], topic: ['VARCHAR'], partition: ['INT', 'BIGINT'], offset: ['BIGINT'], timestamp: ['TIMESTAMP', 'BIGINT'], headers: ['JSON', 'VARCHAR'],
}

const INVALID = Symbol('invalid')

export class RecordDecoder {
  private readonly meta: { readonly kind: Meta; readonly index: number; readonly type: DataType }[] = []
  private readonly valueIndex: number[] = []
  private readonly valueNames: string[] = []
  private readonly valueTypes: DataType[] = []

  constructor(private readonly fields: readonly Field[], private readonly format: KafkaFormat, metadata: MetadataColumns) {
    const byName = new Map(fields.map((f, i) => [f.name.toLowerCase(), i]))
    const used = new Set<number>()
    for (const kind of Object.keys(META_TYPES) as Meta[]) {
      const name = metadata[kind]
      if (name === null) continue
      const index = byName.get(name)
      if (index === undefined) throw invalidOption(`option ${kind}_column names "${name}", which is not a column of the stream; columns: ${fields.map((f) => f.name).join(', ')}`)
      const type = fields[index]!.type
      if (!META_TYPES[kind].includes(type)) throw invalidOption(`option ${kind}_column: column "${name}" must be ${META_TYPES[kind].join(' or ')}, not ${type}`)
      if (used.has(index)) throw invalidOption(`column "${name}" is named by two metadata options`)
      used.add(index)
      this.meta.push({ kind, index, type })
    }
    fields.forEach((f, i) => {
      if (used.has(i)) return
      this.valueIndex.push(i)
      this.valueNames.push(f.name)
      this.valueTypes.push(f.type)
    })
    if ((format === 'text' || format === 'raw') && (this.valueIndex.length > 1 || this.valueTypes.some((t) => t !== 'VARCHAR'))) {
      throw invalidOption(`format '${format}' fills one VARCHAR column from the value; the stream has value columns ${this.valueNames.join(', ') || 'none'} (name the others with key_column, timestamp_column, …)`)
    }
  }

  /** The row, or why the record's value does not fit. */
  decode(topic: string, partition: number, rec: RawRecord): Row | string {
    const row: Row = new Array<Value>(this.fields.length).fill(null)
    for (const m of this.meta) row[m.index] = metaValue(m.kind, m.type, topic, partition, rec)
    if (rec.value === null || this.valueIndex.length === 0) return row
    switch (this.format) {
      case 'json':
        return this.json(rec.value, row)
      case 'csv':
        return this.csv(rec.value.toString('utf8'), row)
      case 'text':
        row[this.valueIndex[0]!] = rec.value.toString('utf8')
        return row
      case 'raw':
        row[this.valueIndex[0]!] = rec.value.toString('base64')
        return row
    }
  }

  private json(bytes: Buffer, row: Row): Row | string {
    let obj: unknown
    try {
      obj = JSON.parse(bytes.toString('utf8'))
    } catch (err) {
      return `the value is not JSON (${err instanceof Error ? err.message : String(err)})`
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'the value is not a JSON object keyed by column name'
    const o = obj as Record<string, unknown>
    for (let j = 0; j < this.valueIndex.length; j++) {
      const v = o[this.valueNames[j]!]
      if (v === undefined || v === null) continue
      const c = fromJson(this.valueTypes[j]!, v)
      if (c === INVALID) return `"${this.valueNames[j]}" is ${this.valueTypes[j]}, not ${describe(v)}`
      row[this.valueIndex[j]!] = c
    }
    return row
  }

  private csv(line: string, row: Row): Row | string {
    const cells = parseCsvLine(line.replace(/\r?\n$/, ''))
    if (cells === null) return 'the value is not one CSV line (an unclosed quote)'
    if (cells.length !== this.valueIndex.length) return `the CSV line has ${cells.length} fields; the stream has ${this.valueIndex.length} value columns (${this.valueNames.join(', ')})`
    for (let j = 0; j < cells.length; j++) {
      const cell = cells[j]!
      if (cell === null) continue
      const c = fromText(this.valueTypes[j]!, cell)
      if (c === INVALID) return `field ${j + 1} ("${this.valueNames[j]}") is ${this.valueTypes[j]}, not ${JSON.stringify(cell.slice(0, 40))}`
      row[this.valueIndex[j]!] = c
    }
    return row
  }
}

function metaValue(kind: Meta, type: DataType, topic: string, partition: number, rec: RawRecord): Value {
  switch (kind) {
    case 'key':
      return rec.key === null ? null : rec.key.toString('utf8')
    case 'topic':
      return topic
    case 'partition':
      return partition
    case 'offset':
      return Number(rec.offset)
    case 'timestamp':
      return Number(rec.timestamp)
    case 'headers': {
      const out: Record<string, Value> = {}
      for (const [k, v] of Object.entries(rec.headers)) {
        if (v === undefined) continue
        out[k] = Array.isArray(v) ? v.map((b) => b.toString('utf8')) : v.toString('utf8')
      }
      return type === 'JSON' ? out : JSON.stringify(out)
    }
  }
}

function fromJson(type: DataType, v: unknown): Value | typeof INVALID {
  const c = jsonToValue(type, v)
  return c === undefined ? INVALID : c
}

function fromText(type: DataType, s: string): Value | typeof INVALID {
  switch (type) {
    case 'VARCHAR':
      return s
    case 'BIGINT':
    case 'INT':
      return /^\s*-?\d+\s*$/.test(s) ? fromJson(type, Number(s)) : INVALID
    case 'DOUBLE': {
      const n = Number(s)
      return s.trim() !== '' && Number.isFinite(n) ? n : INVALID
    }
    case 'BOOLEAN':
      return /^true$/i.test(s.trim()) ? true : /^false$/i.test(s.trim()) ? false : INVALID
    case 'TIMESTAMP':
      return /^\s*-?\d+\s*$/.test(s) ? fromJson(type, Number(s)) : parseTimestamp(s) ?? INVALID
    case 'JSON':
      try {
        return JSON.parse(s) as Value
      } catch {
        return INVALID
      }
    case 'INTERVAL':
    case 'NULL':
      return INVALID
  }
}

/** RFC 4180 fields of one line; an empty unquoted field is null; null for an unclosed quote. */
export function parseCsvLine(line: string): (string | null)[] | null {
  const out: (string | null)[] = []
  let i = 0
  for (;;) {
    if (line[i] === '"') {
      let s = ''
      i++
      for (;;) {
        const q = line.indexOf('"', i)
        if (q < 0) return null
        s += line.slice(i, q)
        if (line[q + 1] === '"') {
          s += '"'
          i = q + 2
        } else {
          i = q + 1
          break
        }
      }
      out.push(s)
    } else {
      const comma = line.indexOf(',', i)
      const s = comma < 0 ? line.slice(i) : line.slice(i, comma)
      out.push(s === '' ? null : s)
      i = comma < 0 ? line.length : comma
    }
    if (i >= line.length) return out
    if (line[i] !== ',') return null
    i++
    if (i === line.length) {
      out.push(null)
      return out
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  if (typeof v === 'number') return `the number ${v}`
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}
