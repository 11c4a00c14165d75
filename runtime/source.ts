/**
 * The source contract. Offsets are JSON values owned by the source (an embedded stream's is the
 * count of rows before it; Kafka's is `{"topic": {"partition": nextOffset}}`). The executor
 * logs each batch's [start, end) range before reading it, so `read` MUST return exactly the
 * same rows for the same range every time it is asked — a batch re-run after a crash depends
 * on it.
 */
import type { JsonValue, Row } from './types.ts'

export type SourceOffset = JsonValue

export interface ReadLimit {
  /** At most this many rows in one batch; null for no limit. */
  readonly maxRows: number | null
}

export interface Source {
  readonly description: string
  /** Where a new query starts: the earliest retained offset (or the latest, with startup_mode = 'latest'). */
  initialOffset(): Promise<SourceOffset>
  /** The newest offset now. */
  latestOffset(): Promise<SourceOffset>
  /** The end of the next batch starting at `start`, within `limit`; equal to `start` when nothing is new. */
  endOffset(start: SourceOffset, limit: ReadLimit): Promise<SourceOffset>
  /** The rows in [start, end). */
  read(start: SourceOffset, end: SourceOffset): Promise<Row[]>
  /** Rows between two offsets (for lag), or null when the source cannot tell. */
  distance(from: SourceOffset, to: SourceOffset): number | null
  /** Calls `listener` when new data may be available; returns an unsubscribe function. */
  onData?(listener: () => void): () => void
  /** Counters the source keeps (e.g. malformed records skipped), shown as `sources[].metrics` in progress. */
  metrics?(): Readonly<Record<string, number>>
  close(): Promise<void>
}

export function sameOffset(a: SourceOffset, b: SourceOffset): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
