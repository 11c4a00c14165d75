/**
 * SELECT DISTINCT over an append-only stream: a row is emitted (unchanged, as `+`) the first
 * time it is seen, from `process`, and never again.
 *
 * With an event-time column (Spark's dropDuplicates with a watermark) a row whose event time
 * is at or before the watermark is dropped as late and counted, and rows seen with an event
 * time at or before the watermark are forgotten (a later copy of them would be late anyway).
 * A row with a NULL event time is never late and never forgotten. Without an event-time
 * column state is unbounded.
 *
 * State: the rows seen, by their JSON text, bucketed by event time for eviction; one state
 * entry `['seen', eventTime, rowJson]` per row.
 */
import type { DeduplicateNode } from '../graph.ts'
import { internalError } from '../errors.ts'
import type { StateEntry, StateWriteBatch } from '../state/state-store.ts'
import type { ChangeBatch, Row } from '../types.ts'
import { EMPTY_BATCH } from '../types.ts'
import type { BatchContext } from './operator.ts'
import { StatefulOperator } from './stateful-operator.ts'

type SeenKey = readonly ['seen', number | null, string]

export class Deduplicate extends StatefulOperator {
  readonly name = 'Deduplicate'
  protected readonly evictsByWatermark: boolean
  private readonly eventTimeColumn: number | null
  /** Event time (null: none or NULL) → JSON texts of the rows seen with it. */
  private readonly seen = new Map<number | null, Set<string>>()
  private seenCount = 0
  private seenBytes = 0
  private added: SeenKey[] = []
  private removed: SeenKey[] = []

  constructor(node: DeduplicateNode) {
    super()
    this.eventTimeColumn = node.eventTimeColumn
    this.evictsByWatermark = node.eventTimeColumn !== null
  }

  override process(input: ChangeBatch, _side: number, ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.checkInsertOnly(input)
    const ec = this.eventTimeColumn
    const wm = ec === null ? null : ctx.watermark
    const out: Row[] = []
    for (const row of input.rows) {
      let t: number | null = null
      if (ec !== null) {
        const v = row[ec]
        if (typeof v === 'number') {
          if (wm !== null && v <= wm) {
            this.numRowsDroppedByWatermark++
            continue
          }
          t = v
        }
      }
      const text = JSON.stringify(row)
      let bucket = this.seen.get(t)
      if (bucket === undefined) {
        bucket = new Set()
        this.seen.set(t, bucket)
      } else if (bucket.has(text)) {
        continue
      }
      bucket.add(text)
      this.seenCount++
      this.seenBytes += 2 * text.length
      this.added.push(['seen', t, text])
      out.push(row)
    }
    this.numRowsUpdated += out.length
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  override finish(ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    return EMPTY_BATCH
  }

  protected startBatch(ctx: BatchContext, previousWatermark: number | null): void {
    this.added = []
    this.removed = []
    const wm = ctx.watermark
    if (this.eventTimeColumn === null || wm === null) return
    if (previousWatermark !== null && wm <= previousWatermark) return
    for (const [t, bucket] of this.seen) {
      if (t === null || t > wm) continue
      for (const text of bucket) {
        this.removed.push(['seen', t, text])
        this.seenBytes -= 2 * text.length
      }
      this.numRowsRemoved += bucket.size
      this.seenCount -= bucket.size
      this.seen.delete(t)
    }
  }

  protected restoreEntry(entry: StateEntry): void {
    const [tag, t, text] = entry.key
    if (tag !== 'seen' || typeof text !== 'string' || (t !== null && typeof t !== 'number')) {
      throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    }
    let bucket = this.seen.get(t)
    if (bucket === undefined) {
      bucket = new Set()
      this.seen.set(t, bucket)
    }
    bucket.add(text)
    this.seenCount++
    this.seenBytes += 2 * text.length
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const key of this.removed) batch.del(this.namespace, key)
    for (const key of this.added) batch.put(this.namespace, key, 1)
    this.added = []
    this.removed = []
  }

  protected rowsTotal(): number {
    return this.seenCount
  }

  protected memoryUsedBytes(): number {
    return this.seenBytes + 64 * this.seenCount + 80 * this.seen.size
  }
}
