/**
 * A memory sink whose data survives a restart: every batch it accepts is also written to
 * LevelDB (`['memory-sink', name, 'batch', batchId]`), and on open the stored batches are
 * replayed through `accept`, which rebuilds the changes, the result table and `lastBatchId` —
 * so a batch re-run after a crash is still recognised and ignored (exactly-once across
 * restarts).
 *
 * `accept` is synchronous (the memory sink's contract), so the write is queued; the owning
 * `LevelDurableState` makes every query's commit wait for queued sink writes (`flush`), which
 * keeps the order the protocol needs: sink data durable before the commit record.
 *
 * A stored batch is deleted once replaying without it gives the same data: it is before the
 * latest snapshot (complete mode: the snapshot replaces the table) and before the oldest batch
 * still among the kept `records`. Without snapshots every batch is kept, as the table needs it.
 */
import type { ChangeBatch, Field, Op, Row } from '../runtime/types.ts'
import type { OutputMode } from '../runtime/graph.ts'
import type { SinkBatchInfo } from '../runtime/sink.ts'
import { encodeKey } from '../runtime/state/level-key-codec.ts'
import type { LevelDb } from '../runtime/state/level-state-store.ts'
import { MemorySinkData } from '../connectors/memory/memory-sink.ts'

interface StoredSinkBatch {
  readonly batchId: number
  readonly rows: Row[]
  readonly ops: Op[] | null
  readonly snapshot: boolean
  readonly fields: readonly Field[]
  readonly outputMode: OutputMode
  readonly queryId: string
}

export type SinkWriter = (name: string, write: (chained: ReturnType<LevelDb['batch']>) => void) => void

export class LevelMemorySinkData extends MemorySinkData {
  private replaying = false
  private storedBatches: number[] = []
  private lastSnapshot: number | null = null

  constructor(private readonly name: string, maxRows: number, private readonly writer: SinkWriter) {
    super(maxRows)
  }

  override accept(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): boolean {
    if (!super.accept(batchId, changes, info)) return false
    this.storedBatches.push(batchId)
    if (changes.snapshot === true) this.lastSnapshot = batchId
    if (this.replaying) return true
    const stored: StoredSinkBatch = {
      batchId, rows: changes.rows, ops: changes.ops, snapshot: changes.snapshot === true,
      fields: info.schema.fields, outputMode: info.outputMode, queryId: info.queryId,
    }
    const json = JSON.stringify(stored)
    const keepFrom = this.lastSnapshot === null ? 0 : Math.min(this.lastSnapshot, this.records[0]?.batchId ?? this.lastSnapshot)
    const obsolete = this.storedBatches.filter((b) => b < keepFrom)
    if (obsolete.length > 0) this.storedBatches = this.storedBatches.filter((b) => b >= keepFrom)
    this.writer(this.name, (chained) => {
      chained.put(memorySinkKey(this.name, 'meta'), JSON.stringify({ maxRows: this.maxRows }))
      chained.put(memorySinkKey(this.name, 'batch', batchId), json)
      for (const old of obsolete) chained.del(memorySinkKey(this.name, 'batch', old))
    })
    return true
  }

  /** Rebuilds the data from stored batches (in batch order), without writing them again. */
  replay(batches: readonly string[]): void {
    this.replaying = true
    try {
      for (const text of batches) {
        const b = JSON.parse(text) as StoredSinkBatch
        const changes: ChangeBatch = b.snapshot ? { rows: b.rows, ops: null, snapshot: true } : { rows: b.rows, ops: b.ops }
        this.accept(b.batchId, changes, { queryId: b.queryId, schema: { fields: b.fields }, outputMode: b.outputMode, watermark: null })
      }
    } finally {
      this.replaying = false
    }
  }
}

export function memorySinkKey(name: string, ...rest: (string | number)[]): Buffer {
  return encodeKey(['memory-sink', name, ...rest])
}
