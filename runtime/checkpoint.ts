/**
 * A query's checkpoint: the offset log (what each batch reads, written before it runs), the
 * commit log (written after the sink accepted the batch, atomically with the batch's state
 * changes) and the operator state.
 *
 * Recovery rule: if the last offset-log entry has no commit, that batch is re-run with exactly
 * the logged offsets, watermark and timestamp.
 */
import type { QueryGraph } from './graph.ts'
import type { SourceOffset } from './source.ts'
import type { StateStore, StateWriteBatch } from './state/state-store.ts'
import { MemoryStateStore } from './state/memory-state-store.ts'

export interface OffsetLogEntry {
  readonly batchId: number
  /** Per source (by catalog name): the [start, end) range the batch reads. */
  readonly offsets: Readonly<Record<string, { readonly start: SourceOffset; readonly end: SourceOffset }>>
  /** The watermark in force for the batch (ms), or null. */
  readonly watermark: number | null
  readonly batchTimestamp: number
  /** Per static table of a stream-static join: the version the batch joins with (absent without one). */
  readonly staticVersions?: Readonly<Record<string, string>>
}

export interface CommitEntry {
  readonly batchId: number
  /** Per source: where the next batch starts. */
  readonly nextOffsets: Readonly<Record<string, SourceOffset>>
  /** The watermark the batch ran with. */
  readonly batchWatermark: number | null
  /** Per source: its watermark after the batch (max event time − delay), or null before any event. */
  readonly sourceWatermarks: Readonly<Record<string, number | null>>
  /** The global watermark for the next batch. */
  readonly nextWatermark: number | null
}

export interface QueryCheckpoint {
  readonly store: StateStore
  lastOffsets(): Promise<OffsetLogEntry | null>
  lastCommit(): Promise<CommitEntry | null>
  /** Durably records the batch's offsets before it runs. */
  writeOffsets(entry: OffsetLogEntry): Promise<void>
  /** Writes the batch's state changes (through `writeState`) and its commit record in one atomic write. */
  commit(entry: CommitEntry, writeState: (batch: StateWriteBatch) => void): Promise<void>
  /** The plan the checkpoint was last run with (restart compatibility), null when new. */
  readPlan(): Promise<QueryGraph | null>
  writePlan(graph: QueryGraph): Promise<void>
  /** Approximate bytes a state namespace takes on disk; absent for stores that keep nothing on disk. */
  diskBytes?(namespace: string): Promise<number>
  close(): Promise<void>
}

/** An in-memory checkpoint, for tests and for queries that need no durability. It survives an engine restart when the same object is passed back. */
export class MemoryCheckpoint implements QueryCheckpoint {
  readonly store = new MemoryStateStore()
  private readonly offsets: OffsetLogEntry[] = []
  private readonly commits: CommitEntry[] = []
  private plan: QueryGraph | null = null
  /** How many log entries to keep. */
  constructor(private readonly retain = 100) {}

  async lastOffsets(): Promise<OffsetLogEntry | null> {
    return this.offsets.at(-1) ?? null
  }

  async lastCommit(): Promise<CommitEntry | null> {
    return this.commits.at(-1) ?? null
  }

  async writeOffsets(entry: OffsetLogEntry): Promise<void> {
    this.offsets.push(structuredClone(entry))
    if (this.offsets.length > this.retain) this.offsets.shift()
  }

  async commit(entry: CommitEntry, writeState: (batch: StateWriteBatch) => void): Promise<void> {
    const batch = this.store.newWriteBatch()
    writeState(batch)
    this.store.commit(batch)
    this.commits.push(structuredClone(entry))
    if (this.commits.length > this.retain) this.commits.shift()
  }

  async readPlan(): Promise<QueryGraph | null> {
    return this.plan
  }

  async writePlan(graph: QueryGraph): Promise<void> {
    this.plan = structuredClone(graph)
  }

  async close(): Promise<void> {}
}
