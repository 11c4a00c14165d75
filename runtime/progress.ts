/**
 * Progress records, one per micro-batch, with Spark's `StreamingQueryProgress` field names.
 */
export interface StateOperatorProgress {
  readonly operatorName: string
  numRowsTotal: number
  numRowsUpdated: number
  numRowsRemoved: number
  numRowsDroppedByWatermark: number
  memoryUsedBytes: number
  /** Approximate bytes of this operator's committed state on disk (LevelDB's size estimate); absent in memory. */
  diskUsedBytes?: number
}

export interface SourceProgress {
  readonly description: string
  readonly startOffset: unknown
  readonly endOffset: unknown
  readonly latestOffset: unknown
  readonly numInputRows: number
  readonly inputRowsPerSecond: number
  readonly processedRowsPerSecond: number
  /** Rows available but not yet read (latest − end). */
  readonly lag: number | null
  /** The source's own counters (Spark's `SourceProgress.metrics`), when it keeps any. */
  readonly metrics?: Readonly<Record<string, number>>
}

export interface QueryProgress {
  readonly id: string
  readonly runId: string
  readonly name: string | null
  /** ISO-8601 time the batch started. */
  readonly timestamp: string
  readonly batchId: number
  readonly batchDuration: number
  readonly numInputRows: number
  readonly inputRowsPerSecond: number
  readonly processedRowsPerSecond: number
  readonly durationMs: Readonly<Record<string, number>>
  /** ISO-8601 strings; `watermark` is the one in force for this batch. Empty when unknown. */
  readonly eventTime: Readonly<Partial<Record<'min' | 'max' | 'avg' | 'watermark', string>>>
  readonly stateOperators: readonly StateOperatorProgress[]
  readonly sources: readonly SourceProgress[]
  readonly sink: { readonly description: string; readonly numOutputRows: number }
}
