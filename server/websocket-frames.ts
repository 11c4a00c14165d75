/**
 * Websocket frames (SPEC §3), each serialised once into a Buffer that every subscriber is sent
 * as is (a text frame), so the work per batch does not grow with the number of subscribers.
 */
import type { OutputMode } from '../runtime/graph.ts'
import type { QueryProgress } from '../runtime/progress.ts'
import type { ChangeBatch, Field, Op, Row } from '../runtime/types.ts'
import { isoOrNull, type RowEncoder } from './routes/wire.ts'

export type EndReason = 'stopped' | 'failed' | 'shutdown' | 'idle'

export function frame(value: object): Buffer {
  return Buffer.from(JSON.stringify(value))
}

export function schemaFrame(queryId: string, outputMode: OutputMode, columns: readonly Field[]): Buffer {
  return frame({ type: 'schema', queryId, outputMode, columns: columns.map((c) => ({ name: c.name, type: c.type })) })
}

/** `batch` (append/update) or `snapshot` (complete) for one batch's output. */
export function outputFrame(batchId: number, watermark: number | null, changes: ChangeBatch, encode: RowEncoder): Buffer {
  const wm = JSON.stringify(isoOrNull(watermark))
  if (changes.snapshot) {
    return Buffer.from(`{"type":"snapshot","batchId":${batchId},"watermark":${wm},"rows":${JSON.stringify(changes.rows.map(encode))}}`)
  }
  const ops = changes.ops
  const pairs: [Op, Row][] = changes.rows.map((r, i) => [ops === null ? '+' : ops[i]!, encode(r)])
  return Buffer.from(`{"type":"batch","batchId":${batchId},"watermark":${wm},"changes":${JSON.stringify(pairs)}}`)
}

/** Several update-mode batches merged into one: net deletions and insertions. */
export function coalescedFrame(fromBatchId: number, batchId: number, watermark: number | null, changes: readonly [Op, Row][]): Buffer {
  return frame({ type: 'batch', batchId, watermark: isoOrNull(watermark), coalesced: true, fromBatchId, changes })
}

export function progressFrame(progress: QueryProgress | null): Buffer {
  return frame({ type: 'progress', progress })
}

export function errorFrame(error: { code: string; message: string }): Buffer {
  return frame({ type: 'error', error: { code: error.code, message: error.message } })
}

export function endFrame(reason: EndReason): Buffer {
  return frame({ type: 'end', reason })
}
