/**
 * The sink of a push query: hands each batch to the live subscribers (websockets), keeping
 * nothing. Guarantee: at-most-once — a subscriber sees batches from when it joined, and a batch
 * re-run after a restart is not sent again.
 */
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import type { ChangeBatch } from '../../runtime/types.ts'

export type PushListener = (batchId: number, changes: ChangeBatch, info: SinkBatchInfo) => void

export class PushSink implements Sink {
  readonly guarantee = 'at-most-once' as const
  readonly description = 'PushSink'
  private readonly listeners = new Set<PushListener>()
  private lastBatchId = -1

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get subscribers(): number {
    return this.listeners.size
  }

  async write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    if (batchId <= this.lastBatchId) return
    this.lastBatchId = batchId
    for (const l of this.listeners) l(batchId, changes, info)
  }

  async close(): Promise<void> {
    this.listeners.clear()
  }
}
