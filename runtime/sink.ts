/**
 * The sink contract.
 *
 * WARNING: a sink must tolerate the same `batchId` twice. A batch that ran but was not
 * committed (a crash between the sink's write and the commit record) is re-run with the same
 * input after a restart and handed over again; an exactly-once sink recognises a `batchId` it
 * already stored and ignores it.
 */
import type { OutputMode } from './graph.ts'
import type { ChangeBatch, Schema } from './types.ts'

export type DeliveryGuarantee = 'exactly-once' | 'at-least-once' | 'at-most-once'

export interface SinkBatchInfo {
  readonly queryId: string
  readonly schema: Schema
  readonly outputMode: OutputMode
  /** The watermark in force for the batch (ms), or null. */
  readonly watermark: number | null
}

export interface Sink {
  readonly description: string
  readonly guarantee: DeliveryGuarantee
  write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void>
  close(): Promise<void>
}
