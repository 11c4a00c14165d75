/**
 * A join of two streams (Spark's symmetric hash join), INNER or LEFT/RIGHT/FULL OUTER.
 *
 * Per batch, in input order (left chunks, then right chunks), each new row is:
 * 1. dropped and counted when late (its event time at or before the watermark in force);
 * 2. judged unmatchable when it fails its input's own filter or its eviction column is NULL:
 *    then it is emitted with NULLs at once if its side is preserved, else discarded (a row whose
 *    key has a NULL is discarded too unless preserved: it then waits, unmatched, for eviction);
 * 3. otherwise joined with the other side's buffered rows (each pair once: rows of this batch's
 *    left input are buffered before the right input is probed) and buffered itself — unless it
 *    is already at or before its state bound, when only a preserved unmatched row is emitted.
 * At `finish`, buffered rows at or before each side's state bound (`watermark + offset`) are
 * removed; on a preserved side, those that never matched are emitted with NULLs — so in append
 * mode an unmatched outer row appears in the batch whose watermark makes a match impossible.
 *
 * State: each side's rows in segments, one entry per side per commit that buffered rows, plus a
 * small entry for a preserved row first matched after its segment was written (see
 * `join-side-buffer.ts`). Restoring drops the rows the last committed watermark evicted.
 */
import type { JoinNode, JoinSideTime } from '../graph.ts'
import { internalError } from '../errors.ts'
import { compilePairPredicate, compilePredicate, type PairPredicate, type RowPredicate } from '../expr/compile.ts'
import type { StateEntry, StateWriteBatch } from '../state/state-store.ts'
import { EMPTY_BATCH, type ChangeBatch, type Row } from '../types.ts'
import { joinKeyFn, nulls, rowBuilder, type JoinKeyFn, type RowBuilder } from './join-keys.ts'
import { JoinSideBuffer, type RowKeying } from './join-side-buffer.ts'
import type { BatchContext, OperatorContext } from './operator.ts'
import { retainShape } from './retain-shape.ts'
import { StatefulOperator } from './stateful-operator.ts'

/** One input of the join: how its rows are keyed, filtered, timed and buffered. */
class Side {
  // `time` as numbers (-1: no such column), so the row loop reads no plan objects.
  readonly lateColumn: number
  readonly lateLagMs: number
  readonly evictColumn: number
  readonly evictOffsetMs: number
  readonly buffer: JoinSideBuffer

  constructor(
    readonly index: 0 | 1,
    readonly key: JoinKeyFn,
    readonly filter: RowPredicate | null,
    readonly time: JoinSideTime,
    /** An outer join keeps this side's unmatched rows. */
    readonly preserved: boolean,
    /** NULLs standing in for this side's columns. */
    readonly padding: Row,
  ) {
    this.lateColumn = time.late?.column ?? -1
    this.lateLagMs = time.late?.lagMs ?? 0
    this.evictColumn = time.evict?.column ?? -1
    this.evictOffsetMs = time.evict?.offsetMs ?? 0
    this.buffer = new JoinSideBuffer(index, preserved)
  }
}

export class StreamStreamJoin extends StatefulOperator {
  readonly name = 'StreamStreamJoin'
  protected readonly evictsByWatermark: boolean
  private readonly sides: readonly [Side, Side]
  /** The condition over both inputs, read from the left and right rows (no combined row). */
  private readonly condition: PairPredicate | null
  private readonly output: RowBuilder

  constructor(node: JoinNode) {
    super()
    if (node.inputs !== 'stream-stream' || !node.leftTime || !node.rightTime) {
      throw internalError(`${this.name} needs a stream-stream join node`)
    }
    const side = (index: 0 | 1): Side => {
      const input = index === 0 ? node.left : node.right
      const filter = index === 0 ? node.leftFilter : node.rightFilter
      const preserved = node.joinType === 'full' || node.joinType === (index === 0 ? 'left' : 'right')
      const keys = joinKeyFn(index === 0 ? node.leftKeys : node.rightKeys)
      const time = (index === 0 ? node.leftTime : node.rightTime)!
      return new Side(index, keys, filter ? compilePredicate(filter) : null, time, preserved, nulls(input.schema.fields.length))
    }
    this.sides = [side(0), side(1)]
    const leftWidth = node.left.schema.fields.length
    this.condition = node.condition ? compilePairPredicate(node.condition, leftWidth) : null
    this.output = rowBuilder(leftWidth, node.output)
    this.evictsByWatermark = this.sides.some((s) => s.time.evict !== null)
  }

  override async open(ctx: OperatorContext): Promise<void> {
    await super.open(ctx)
    // Every entry is read (and so the last committed watermark known) before rows are restored.
    const wm = this.lastWatermark ?? null
    for (const side of this.sides) {
      const evict = side.time.evict
      const keying: RowKeying = {
        key: side.key,
        time: evict === null ? () => NaN : (row) => row[evict.column] as number,
      }
      side.buffer.restore(wm === null || evict === null ? null : wm + evict.offsetMs, keying)
    }
  }

  override process(input: ChangeBatch, index: number, ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.checkInsertOnly(input)
    const [left, right] = this.sides
    const counts = chunkCounts
    counts.dropped = 0
    counts.buffered = 0
    const out: Row[] = []
    if (index === 0) joinRows(input.rows, left, right, this.condition, this.output, ctx.watermark, out, counts)
    else joinRows(input.rows, right, left, this.condition, this.output, ctx.watermark, out, counts)
    this.numRowsDroppedByWatermark += counts.dropped
    this.numRowsUpdated += counts.buffered
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  override finish(ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    const wm = ctx.watermark
    if (wm === null) return EMPTY_BATCH
    const out: Row[] = []
    const unmatched: Row[] = []
    for (const side of this.sides) {
      if (side.time.evict === null) continue
      this.numRowsRemoved += side.buffer.evict(wm + side.time.evict.offsetMs, unmatched)
      const other = this.sides[side.index === 0 ? 1 : 0]
      for (const row of unmatched) out.push(padded(row, side, other, this.output))
      unmatched.length = 0
    }
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  protected startBatch(): void {}

  protected restoreEntry(entry: StateEntry): void {
    const side = entry.key[1]
    if ((side !== 0 && side !== 1) || !this.sides[side].buffer.restoreEntry(entry.key, entry.value)) {
      throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    }
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const side of this.sides) side.buffer.write(batch, this.namespace)
  }

  protected rowsTotal(): number {
    return this.sides[0].buffer.size + this.sides[1].buffer.size
  }

  protected memoryUsedBytes(): number {
    return this.sides[0].buffer.bytes + this.sides[1].buffer.bytes
  }
}

interface JoinCounts {
  /** Late rows dropped. */
  dropped: number
  /** Rows buffered. */
  buffered: number
}

/** The counters of the `joinRows` call running (one at a time: operators run synchronously). */
const chunkCounts: JoinCounts = { dropped: 0, buffered: 0 }

// An idle side keeps its class, and `joinRows` optimised for it, from one query to the next.
retainShape(new Side(0, () => undefined, null, { late: null, evict: null }, false, []))

/**
 * Joins a chunk of `self`'s new rows with `other`'s buffered rows and buffers them (the steps in
 * the header). A plain function over plain objects rather than a method: V8 can keep its
 * optimised code from one query to the next (an operator's own class is collected with it).
 */
function joinRows(
  rows: readonly Row[], self: Side, other: Side, cond: PairPredicate | null, output: RowBuilder,
  wm: number | null, out: Row[], counts: JoinCounts,
): void {
  const selfLeft = self.index === 0
  const lateColumn = wm === null ? -1 : self.lateColumn
  const lateAt = wm === null ? 0 : wm - self.lateLagMs
  const evictColumn = self.evictColumn
  const bound = wm === null || evictColumn < 0 ? null : wm + self.evictOffsetMs
  const preserved = self.preserved
  const key = self.key
  const filter = self.filter
  const trackOther = other.preserved
  const buffer = other.buffer
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (lateColumn >= 0) {
      const v = row[lateColumn]
      if (typeof v === 'number' && v <= lateAt) {
        counts.dropped++
        continue
      }
    }
    const k = key(row)
    const t = evictColumn < 0 ? NaN : row[evictColumn]
    // A NULL key never matches, but a preserved row waits for the watermark like any other (as in Spark).
    if ((k === undefined && !preserved) || (filter !== null && !filter(row)) || typeof t !== 'number') {
      if (preserved) out.push(padded(row, self, other, output))
      continue
    }
    let matched = false
    const first = k === undefined ? -1 : buffer.head(k)
    if (first >= 0) {
      const buffered = buffer.rows
      const next = buffer.next
      let s = first
      do {
        const b = buffered[s]!
        const l = selfLeft ? row : b
        const r = selfLeft ? b : row
        if (cond === null || cond(l, r)) {
          out.push(output(l, r))
          matched = true
          if (trackOther) buffer.markMatched(s)
        }
        s = next[s]!
      } while (s !== first)
    }
    if (bound !== null && t <= bound) {
      // Nothing later can match it: do not buffer it.
      if (preserved && !matched) out.push(padded(row, self, other, output))
      continue
    }
    self.buffer.add(row, k, t, matched)
    counts.buffered++
  }
}

/** A row of `side` with NULLs for `other`'s columns. */
function padded(row: Row, side: Side, other: Side, output: RowBuilder): Row {
  return side.index === 0 ? output(row, other.padding) : output(other.padding, row)
}
