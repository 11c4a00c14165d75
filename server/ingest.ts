/**
 * Ingest into embedded streams: JSON rows (objects keyed by column name) checked against the
 * stream's schema and appended to its durable log in one `append`, so a request is atomic — or,
 * with `skip`, the rows that fit are appended and the others reported.
 *
 * NDJSON bodies are read chunk by chunk and split into lines as they arrive; the whole body is
 * never one string. Line numbers are 1-based; for a JSON array, the "line" of a row is its
 * 1-based position in the array.
 */
import { StringDecoder } from 'node:string_decoder'
import type { Readable } from 'node:stream'
import { WeirError } from '../runtime/errors.ts'
import { jsonToValue, type DataType, type Field, type Row, type Value } from '../runtime/types.ts'
import type { Engine } from './engine.ts'
import type { RelationDefinition } from '../planner/ddl.ts'

/** At most this many row errors are listed in an answer. */
export const MAX_LISTED_ERRORS = 20

export interface RowError {
  readonly line: number
  readonly message: string
}

export interface IngestResult {
  readonly count: number
  readonly startOffset: number
  readonly endOffset: number
  /** Only with `skip`. */
  readonly skipped?: number
  readonly errors?: readonly RowError[]
}

/** Rows that do not fit the schema: the request was refused as a whole. */
export class RowsRejectedError extends WeirError {
  constructor(readonly errors: readonly RowError[], readonly rejected: number) {
    const first = errors[0]
    super('INVALID_ROW', `${rejected} row(s) do not fit the stream's schema; nothing was written` +
      (first ? ` (line ${first.line}: ${first.message})` : ''), { status: 400 })
  }

  override toJSON(): { code: string; message: string; rejected: number; errors: readonly RowError[] } {
    return { code: this.code, message: this.message, rejected: this.rejected, errors: this.errors }
  }
}

const INVALID = Symbol('invalid')
type Converted = Value | typeof INVALID

/** Checks and converts JSON rows of one schema; compiled once per stream definition. */
export class RowDecoder {
  private readonly index = new Map<string, number>()
  private readonly types: readonly DataType[]

  constructor(private readonly fields: readonly Field[]) {
    fields.forEach((f, i) => this.index.set(f.name, i))
    this.types = fields.map((f) => f.type)
  }

  /** The row, or why it does not fit. */
  decode(value: unknown): Row | string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return 'a row must be a JSON object keyed by column name'
    }
    const n = this.fields.length
    const row: Row = new Array<Value>(n).fill(null)
    const obj = value as Record<string, unknown>
    for (const key in obj) {
      const i = this.index.get(key) ?? this.index.get(key.toLowerCase())
      if (i === undefined) return `unknown column "${key}"; columns: ${this.fields.map((f) => f.name).join(', ')}`
      const v = obj[key]
      if (v === null) continue
      const c = convert(this.types[i]!, v)
      if (c === INVALID) return `column "${this.fields[i]!.name}" is ${this.types[i]}, not ${describe(v)}`
      row[i] = c
    }
    return row
  }
}

function convert(type: DataType, v: unknown): Converted {
  const c = jsonToValue(type, v)
  return c === undefined ? INVALID : c
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  if (typeof v === 'number') return `the number ${v}`
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/** Collects rows and errors; in atomic mode stops keeping rows after the first error. */
class RowCollector {
  readonly rows: Row[] = []
  readonly errors: RowError[] = []
  failed = 0

  constructor(private readonly decoder: RowDecoder, private readonly skip: boolean) {}

  add(line: number, value: unknown): void {
    const r = this.decoder.decode(value)
    if (typeof r === 'string') this.fail(line, r)
    else if (this.failed === 0 || this.skip) this.rows.push(r)
  }

  fail(line: number, message: string): void {
    this.failed++
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ line, message })
  }
}

const decoders = new WeakMap<RelationDefinition, RowDecoder>()

/** The embedded stream `name`, or the reason it cannot take rows. */
export function ingestTarget(engine: Engine, name: string): RelationDefinition {
  const def = engine.durable.relations.get(name) ?? engine.durable.relations.get(name.toLowerCase())
  if (!def) throw new WeirError('UNKNOWN_RELATION', `stream "${name}" does not exist`, { status: 404 })
  if (def.kind !== 'stream') throw new WeirError('UNSUPPORTED_OPERATION', `"${def.name}" is a table; rows are ingested into streams (use INSERT INTO for tables)`)
  if (def.options.connector !== undefined) {
    throw new WeirError('UNSUPPORTED_OPERATION', `"${def.name}" reads from the ${def.options.connector} connector; only embedded streams accept rows`)
  }
  return def
}

export interface IngestOptions {
  readonly skip: boolean
  /** Body limit for streamed NDJSON (bytes). */
  readonly maxBytes: number
}

/** Appends the rows of a parsed JSON array body. */
export async function ingestArray(engine: Engine, def: RelationDefinition, values: readonly unknown[], opts: IngestOptions): Promise<IngestResult> {
  const c = collector(def, opts.skip)
  for (let i = 0; i < values.length; i++) c.add(i + 1, values[i])
  return finish(engine, def, c, opts.skip)
}

/** Appends the rows of an NDJSON body, read line by line from the request stream. */
export async function ingestNdjson(engine: Engine, def: RelationDefinition, body: Readable, opts: IngestOptions): Promise<IngestResult> {
  const c = collector(def, opts.skip)
  const text = new StringDecoder('utf8')
  let bytes = 0
  let tail = ''
  let line = 0
  const take = (s: string): void => {
    line++
    if (s.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(s)
    } catch (err) {
      c.fail(line, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`)
      return
    }
    c.add(line, value)
  }
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    bytes += buf.length
    if (bytes > opts.maxBytes) {
      body.destroy()
      throw new WeirError('PAYLOAD_TOO_LARGE', `the body is larger than ${opts.maxBytes} bytes; send fewer rows per request`, { status: 413 })
    }
    const s = tail + text.write(buf)
    let from = 0
    for (let nl = s.indexOf('\n', from); nl >= 0; nl = s.indexOf('\n', from)) {
      take(s.slice(from, nl))
      from = nl + 1
    }
    tail = s.slice(from)
  }
  const last = tail + text.end()
  if (last !== '') take(last)
  return finish(engine, def, c, opts.skip)
}

function collector(def: RelationDefinition, skip: boolean): RowCollector {
  let d = decoders.get(def)
  if (!d) decoders.set(def, (d = new RowDecoder(def.fields)))
  return new RowCollector(d, skip)
}

async function finish(engine: Engine, def: RelationDefinition, c: RowCollector, skip: boolean): Promise<IngestResult> {
  if (c.failed > 0 && !skip) throw new RowsRejectedError(c.errors, c.failed)
  const log = engine.durable.log(def.name)
  const start = c.rows.length > 0 ? await log.append(c.rows) : log.length
  const base = { count: c.rows.length, startOffset: start, endOffset: start + c.rows.length }
  return skip ? { ...base, skipped: c.failed, errors: c.errors } : base
}
