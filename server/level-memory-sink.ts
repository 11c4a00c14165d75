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
 * Stored batches before the latest snapshot (complete mode) are deleted: the snapshot replaces
 * the table, so only the batches from it on are needed to rebuild it.
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
  private readonly storedBatches: number[] = []

  constructor(private readonly name: string, maxRows: number, private readonly writer: SinkWriter) {
    super(maxRows)
  }

  override accept(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): boolean {
    if (!super.accept(batchId, changes, info)) return false
    if (this.replaying) {
      this.storedBatches.push(batchId)
      return true
    }
    const stored: StoredSinkBatch = {
      batchId, rows: changes.rows, ops: changes.ops, snapshot: changes.snapshot === true,
      fields: info.schema.fields, outputMode: info.outputMode, queryId: info.queryId,
    }
    const json = JSON.stringify(stored)
    const obsolete = changes.snapshot === true ? this.storedBatches.splice(0) : []
    this.storedBatches.push(batchId)
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
