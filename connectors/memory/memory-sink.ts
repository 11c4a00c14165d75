/**
 * The memory sink: keeps every change it accepted, and the result table those changes make, so
 * that tests can read the changes and users can read the table with a pull query (as Spark's
 * memory sink with `queryName`).
 *
 * Guarantee: exactly-once. A batch id it has already accepted is ignored, so a batch re-run
 * after a crash is not applied twice. The data lives in the engine's durable state.
 */
import type { OutputMode } from '../../runtime/graph.ts'
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import type { ChangeBatch, Field, Op, Row } from '../../runtime/types.ts'

export interface MemorySinkRecord {
  readonly batchId: number
  readonly op: Op
  readonly row: Row
  readonly snapshot: boolean
}

/** What a memory sink holds; kept by the engine across restarts. */
export class MemorySinkData {
  readonly records: MemorySinkRecord[] = []
  lastBatchId = -1
  columns: readonly Field[] = []
  outputMode: OutputMode = 'append'
  /** The result table: rows by identity (JSON text) with multiplicity. */
  private table = new Map<string, { row: Row; count: number }>()
  private rowsInTable = 0

  constructor(readonly maxRows: number) {}

  accept(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): boolean {
    if (batchId <= this.lastBatchId) return false
    this.lastBatchId = batchId
    this.columns = info.schema.fields
    this.outputMode = info.outputMode
    if (changes.snapshot) {
      this.table = new Map()
      this.rowsInTable = 0
    }
    const ops = changes.ops
    changes.rows.forEach((row, i) => {
      const op: Op = ops === null ? '+' : ops[i]!
      this.records.push({ batchId, op, row, snapshot: changes.snapshot === true })
      if (op === '+' || op === 'U+') this.add(row)
      else this.remove(row)
    })
    if (this.records.length > this.maxRows * 4) this.records.splice(0, this.records.length - this.maxRows * 4)
    return true
  }

  /** The current result table, at most `maxRows` rows; `truncated` when rows were left out. */
  contents(): { rows: Row[]; truncated: boolean } {
    const rows: Row[] = []
    for (const { row, count } of this.table.values()) {
      for (let i = 0; i < count && rows.length < this.maxRows; i++) rows.push(row)
    }
    return { rows, truncated: this.rowsInTable > rows.length }
  }

  private add(row: Row): void {
    const id = JSON.stringify(row)
    const e = this.table.get(id)
    if (e) e.count++
    else this.table.set(id, { row, count: 1 })
    this.rowsInTable++
  }

  private remove(row: Row): void {
    const id = JSON.stringify(row)
    const e = this.table.get(id)
    if (!e) return
    this.rowsInTable--
    if (--e.count === 0) this.table.delete(id)
  }
}

export class MemorySink implements Sink {
  readonly guarantee = 'exactly-once' as const
  readonly description: string

  constructor(name: string, private readonly data: MemorySinkData) {
    this.description = `MemorySink[${name}]`
  }

  async write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    this.data.accept(batchId, changes, info)
  }

  async close(): Promise<void> {}
}
