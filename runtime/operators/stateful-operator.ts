/**
 * The common life cycle of stateful operators: batch boundaries, the watermark of the last
 * batch (persisted, for restarts and for Spark's no-data batch rule), per-batch counters and
 * `stateProgress`.
 *
 * A batch begins at the first `process` or `finish` call with a new `batchId` (a no-data batch
 * calls only `finish`): counters reset and the subclass closes what the batch's watermark
 * closes (`startBatch`), before any of the batch's rows are applied.
 *
 * State entries are tagged by their first key part (`meta`, `panes`, `sessions`, `groups`,
 * `seen`), so one namespace holds several tables without collisions.
 */
import { internalError } from '../errors.ts'
import type { StateOperatorProgress } from '../progress.ts'
import type { StateEntry, StateWriteBatch } from '../state/state-store.ts'
import type { ChangeBatch } from '../types.ts'
import { Operator, type BatchContext, type OperatorContext } from './operator.ts'

const META_KEY = ['meta'] as const

export abstract class StatefulOperator extends Operator {
  /** Whether the watermark closes state (event-time key and a mode other than complete). */
  protected abstract readonly evictsByWatermark: boolean

  protected namespace = ''
  /** Increments at every batch; state touched in this batch carries the current epoch. */
  protected epoch = 0
  /** The watermark of the last batch begun; undefined before the first batch ever. */
  protected lastWatermark: number | null | undefined = undefined
  protected numRowsUpdated = 0
  protected numRowsRemoved = 0
  protected numRowsDroppedByWatermark = 0
  private batchId: number | null = null
  private metaDirty = false

  override async open(ctx: OperatorContext): Promise<void> {
    this.namespace = ctx.namespace
    for await (const entry of ctx.store.scan(ctx.namespace)) {
      if (entry.key[0] === 'meta') {
        const wm = (entry.value as { watermark: number | null }).watermark
        this.lastWatermark = wm
      } else {
        this.restoreEntry(entry)
      }
    }
  }

  override commit(batch: StateWriteBatch, _ctx: BatchContext): void {
    if (this.metaDirty) {
      batch.put(this.namespace, META_KEY, { watermark: this.lastWatermark ?? null })
      this.metaDirty = false
    }
    this.writeChanges(batch)
  }

  /** Spark's rule: another (no-data) batch when the watermark passed the last batch's. */
  override wantsBatchForWatermark(newWatermark: number): boolean {
    if (!this.evictsByWatermark || this.lastWatermark === undefined) return false
    return this.lastWatermark === null || newWatermark > this.lastWatermark
  }

  override stateProgress(): StateOperatorProgress {
    return {
      operatorName: this.name,
      numRowsTotal: this.rowsTotal(),
      numRowsUpdated: this.numRowsUpdated,
      numRowsRemoved: this.numRowsRemoved,
      numRowsDroppedByWatermark: this.numRowsDroppedByWatermark,
      memoryUsedBytes: this.memoryUsedBytes(),
    }
  }

  /** Starts the batch of `ctx` unless it has started already. */
  protected begin(ctx: BatchContext): void {
    if (ctx.batchId === this.batchId) return
    this.batchId = ctx.batchId
    this.epoch++
    this.numRowsUpdated = 0
    this.numRowsRemoved = 0
    this.numRowsDroppedByWatermark = 0
    const previous = this.lastWatermark ?? null
    if (ctx.watermark !== this.lastWatermark) this.metaDirty = true
    if (previous !== null && ctx.watermark !== null && ctx.watermark < previous) {
      throw internalError(`watermark moved backwards: ${previous} → ${ctx.watermark}`)
    }
    this.lastWatermark = ctx.watermark
    this.startBatch(ctx, previous)
  }

  /** Rejects changes other than inserts: the inputs of these operators are append-only. */
  protected checkInsertOnly(input: ChangeBatch): void {
    if (input.ops !== null || input.snapshot === true) {
      throw internalError(`${this.name} accepts only append-only (insert) input`)
    }
  }

  /**
   * Called once per batch before its rows: close and evict what `ctx.watermark` closes.
   * `previousWatermark` is the last batch's (null when there was none).
   */
  protected abstract startBatch(ctx: BatchContext, previousWatermark: number | null): void
  protected abstract restoreEntry(entry: StateEntry): void
  /** Writes this batch's put/del operations. */
  protected abstract writeChanges(batch: StateWriteBatch): void
  protected abstract rowsTotal(): number
  protected abstract memoryUsedBytes(): number
}
