/**
 * The operator contract. The executor instantiates one operator per graph node and, for every
 * micro-batch, calls `process` zero or more times per input with chunks of that input's changes
 * (in order), then `finish` exactly once, then — after the sink accepted the batch — `commit`.
 * Everything on the per-batch path is synchronous; only `open` is asynchronous.
 *
 * A stateless operator overrides `process` only. A stateful one keeps its state in memory,
 * restores it in `open`, writes the batch's state changes in `commit`, and reports
 * `stateProgress`.
 *
 * WARNING: a batch may be abandoned after `process`/`finish` (a crash, a failing sink) and
 * re-run after a restart from the last committed state: operators must not persist anything
 * outside `commit`.
 */
import type { StateOperatorProgress } from '../progress.ts'
import type { StateStore, StateWriteBatch } from '../state/state-store.ts'
import { EMPTY_BATCH, type ChangeBatch } from '../types.ts'

export interface BatchContext {
  readonly batchId: number
  /** The watermark in force for this batch (ms), or null when none is known yet. */
  readonly watermark: number | null
  /** Processing time of the batch (ms), from the executor's clock. */
  readonly batchTimestamp: number
}

export interface OperatorContext {
  readonly store: StateStore
  /** The namespace under which this operator keeps its state, e.g. `op-3`. */
  readonly namespace: string
}

export abstract class Operator {
  /** A short name for progress and EXPLAIN, e.g. `TumblingWindowAggregate`. */
  abstract readonly name: string

  /** Restores state. Called once before the first batch. */
  async open(_ctx: OperatorContext): Promise<void> {}

  /**
   * Processes one chunk of changes from input `side` (0, or 1 for a join's right input) and
   * returns the changes it produces now.
   */
  process(input: ChangeBatch, _side: number, _ctx: BatchContext): ChangeBatch {
    return input
  }

  /** Ends the batch: stateful operators emit what the batch and its watermark decided. */
  finish(_ctx: BatchContext): ChangeBatch {
    return EMPTY_BATCH
  }

  /** Writes this batch's state changes. Called after the sink accepted the batch. */
  commit(_batch: StateWriteBatch, _ctx: BatchContext): void {}

  /** True when the next watermark would evict or emit something (Spark's no-data batch rule). */
  wantsBatchForWatermark(_newWatermark: number): boolean {
    return false
  }

  /** Null for stateless operators. Counters are per batch except `numRowsTotal` and `memoryUsedBytes`. */
  stateProgress(): StateOperatorProgress | null {
    return null
  }

  close(): void {}
}
