/**
 * The batch side of the differential test: DuckDB over all rows, the watermark replayed from
 * Spark's rules over the batch boundaries, and a multiset comparison with a float tolerance.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import type { EventStream } from './generator.ts'
import { renderDroppedCount, renderSelect, type Query } from './query-ast.ts'

/** A normalised value: DuckDB's bigints become numbers; timestamps are epoch ms throughout. */
export type Cell = number | string | boolean | null
export type OutRow = readonly Cell[]

export interface WatermarkReplay {
  /** The watermark in force for each data batch (null for batch 0). */
  readonly perBatch: readonly (number | null)[]
  /** The watermark after the last data batch (what the following no-data batch uses). */
  readonly final: number | null
}

/**
 * Spark's rule: the watermark for batch N is max over batches < N of (max event time − delay),
 * null before any batch has run, never decreasing. The max is over every row the source read,
 * before any WHERE (the watermark is declared on the stream).
 */
export function replayWatermark(stream: EventStream): WatermarkReplay {
  const perBatch: (number | null)[] = []
  let wm: number | null = null
  let offset = 0
  for (const size of stream.batches) {
    perBatch.push(wm)
    let max = -Infinity
    for (let i = offset; i < offset + size; i++) max = Math.max(max, stream.rows[i]!.ts)
    offset += size
    const candidate = max - stream.delayS * 1000
    if (wm === null || candidate > wm) wm = candidate
  }
  return { perBatch, final: wm }
}

export class Oracle {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async open(): Promise<Oracle> {
    const db = await DuckDBInstance.create(':memory:')
    return new Oracle(await db.connect())
  }

  /** Replaces table `events` with the stream's rows, each tagged with its batch's watermark. */
  async load(stream: EventStream, replay: WatermarkReplay): Promise<void> {
    await this.conn.run(
      `CREATE OR REPLACE TABLE events (id INTEGER, batch INTEGER, wm BIGINT, k INTEGER, v ${stream.vType}, s VARCHAR, ts BIGINT)`,
    )
    const values: string[] = []
    let id = 0
    stream.batches.forEach((size, b) => {
      for (let i = 0; i < size; i++, id++) {
        const r = stream.rows[id]!
        values.push(`(${id}, ${b}, ${replay.perBatch[b] ?? 'NULL'}, ${sqlValue(r.k)}, ${sqlValue(r.v)}, ${sqlValue(r.s)}, ${r.ts})`)
      }
    })
    await this.conn.run(`INSERT INTO events VALUES ${values.join(', ')}`)
  }

  async rows(sql: string): Promise<OutRow[]> {
    const result = await this.conn.runAndReadAll(sql)
    return result.getRows().map((row) => row.map(normalise))
  }

  /** DuckDB's answer over all rows (complete, stateless), or over the on-time pairs (append, update). */
  async expected(q: Query, replay: WatermarkReplay): Promise<{ sql: string; rows: OutRow[] }> {
    const lateness = q.window !== null && q.mode !== 'complete'
      ? { closedOnly: q.mode === 'append', finalWatermark: replay.final }
      : null
    const sql = renderSelect(q, 'duckdb', lateness)
    return { sql, rows: await this.rows(sql) }
  }

  /** The number of rows the engine must report as dropped by the watermark. */
  async expectedDropped(q: Query): Promise<number> {
    const sql = renderDroppedCount(q)
    if (sql === null) return 0
    const [row] = await this.rows(sql)
    return Number(row?.[0] ?? 0)
  }
}

function sqlValue(v: number | string | null): string {
  if (v === null) return 'NULL'
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`
  return String(v)
}

/** DuckDB values to the engine's row values. Anything unexpected is kept visibly as text. */
export function normalise(v: unknown): Cell {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  return `<unexpected ${String(v)}>`
}

function cellEqual(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
  }
  return a === b
}

function rowEqual(a: OutRow, b: OutRow): boolean {
  return a.length === b.length && a.every((x, i) => cellEqual(x, b[i] ?? null))
}

export interface MultisetDiff {
  /** Expected rows the engine did not produce. */
  readonly missing: OutRow[]
  /** Rows the engine produced that were not expected. */
  readonly extra: OutRow[]
}

/** Multiset difference: exact matches first, then pairs equal within the float tolerance. */
export function multisetDiff(expected: readonly OutRow[], actual: readonly OutRow[]): MultisetDiff {
  const pool = new Map<string, OutRow[]>()
  for (const row of actual) {
    const key = JSON.stringify(row)
    const list = pool.get(key)
    if (list === undefined) pool.set(key, [row])
    else list.push(row)
  }
  const unmatched: OutRow[] = []
  for (const row of expected) {
    const list = pool.get(JSON.stringify(row))
    if (list !== undefined && list.length > 0) list.pop()
    else unmatched.push(row)
  }
  const extra = [...pool.values()].flat()
  const missing: OutRow[] = []
  for (const row of unmatched) {
    const i = extra.findIndex((x) => rowEqual(row, x))
    if (i >= 0) extra.splice(i, 1)
    else missing.push(row)
  }
  return { missing, extra }
}
