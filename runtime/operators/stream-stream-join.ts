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
 * State: one entry per buffered row, `['rows', side, id]` → `[row, matched]`, written at commit
 * (put when buffered or first matched, deleted when evicted).
 */
import type { JoinNode, JoinSideTime } from '../graph.ts'
import { internalError } from '../errors.ts'
import { compilePredicate, type RowPredicate } from '../expr/compile.ts'
import type { StateEntry, StateWriteBatch } from '../state/state-store.ts'
import { EMPTY_BATCH, type ChangeBatch, type Row } from '../types.ts'
import { combine, joinKeyFn, nulls, pick, rowBuilder, type JoinKeyFn, type RowBuilder } from './join-keys.ts'
import { JoinSideBuffer, type Buffered } from './join-side-buffer.ts'
import type { BatchContext } from './operator.ts'
import { StatefulOperator } from './stateful-operator.ts'

interface Side {
  readonly index: 0 | 1
  readonly key: JoinKeyFn
  readonly filter: RowPredicate | null
  readonly time: JoinSideTime
  /** An outer join keeps this side's unmatched rows. */
  readonly preserved: boolean
  /** NULLs standing in for this side's columns. */
  readonly padding: Row
  readonly buffer: JoinSideBuffer
}

export class StreamStreamJoin extends StatefulOperator {
  readonly name = 'StreamStreamJoin'
  protected readonly evictsByWatermark: boolean
  private readonly sides: readonly [Side, Side]
  private readonly condition: RowPredicate | null
  private readonly output: RowBuilder
  private readonly pickOutput: ((row: Row) => Row) | null
  private nextId = 0
  private puts: Buffered[] = []
  private dels: Buffered[] = []

  constructor(node: JoinNode) {
    super()
    if (node.inputs !== 'stream-stream' || !node.leftTime || !node.rightTime) {
      throw internalError(`${this.name} needs a stream-stream join node`)
    }
    const side = (index: 0 | 1): Side => {
      const input = index === 0 ? node.left : node.right
      const filter = index === 0 ? node.leftFilter : node.rightFilter
      const preserved = node.joinType === 'full' || node.joinType === (index === 0 ? 'left' : 'right')
      return {
        index, key: joinKeyFn(index === 0 ? node.leftKeys : node.rightKeys), filter: filter ? compilePredicate(filter) : null,
        time: (index === 0 ? node.leftTime : node.rightTime)!, preserved,
        padding: nulls(input.schema.fields.length), buffer: new JoinSideBuffer(),
      }
    }
    this.sides = [side(0), side(1)]
    this.condition = node.condition ? compilePredicate(node.condition) : null
    this.output = rowBuilder(node.left.schema.fields.length, node.output)
    this.pickOutput = pick(node.output)
    this.evictsByWatermark = this.sides.some((s) => s.time.evict !== null)
  }

  override process(input: ChangeBatch, index: number, ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.checkInsertOnly(input)
    const self = this.sides[index === 0 ? 0 : 1]
    const other = this.sides[index === 0 ? 1 : 0]
    const wm = ctx.watermark
    const late = wm === null ? null : self.time.late
    const evict = self.time.evict
    const bound = wm === null || evict === null ? null : wm + evict.offsetMs
    const cond = this.condition
    const trackOther = other.preserved
    const out: Row[] = []
    for (const row of input.rows) {
      if (late !== null) {
        const v = row[late.column]
        if (typeof v === 'number' && v <= wm! - late.lagMs) {
          this.numRowsDroppedByWatermark++
          continue
        }
      }
      const key = self.key(row)
      const t = evict === null ? NaN : row[evict.column]
      // A NULL key never matches, but a preserved row waits for the watermark like any other (as in Spark).
      if ((key === undefined && !self.preserved) || (self.filter !== null && !self.filter(row)) || (evict !== null && typeof t !== 'number')) {
        if (self.preserved) out.push(this.padded(self, row))
        continue
      }
      let matched = false
      const candidates = key === undefined ? undefined : other.buffer.candidates(key)
      if (candidates !== undefined) {
        for (const b of candidates) {
          if (b.dead) continue
          const [l, r] = self.index === 0 ? [row, b.row] : [b.row, row]
          if (cond === null) {
            out.push(this.output(l, r))
          } else {
            const joined = combine(l, r)
            if (!cond(joined)) continue
            out.push(this.pickOutput === null ? joined : this.pickOutput(joined))
          }
          matched = true
          if (trackOther && !b.matched) {
            b.matched = true
            this.queuePut(b)
          }
        }
      }
      if (bound !== null && (t as number) <= bound) {
        // Nothing later can match it: do not buffer it.
        if (self.preserved && !matched) out.push(this.padded(self, row))
        continue
      }
      const b: Buffered = {
        id: this.nextId++, side: self.index, row, key: key ?? null, t: evict === null ? NaN : (t as number), matched, dead: false, dirty: false, persisted: false,
      }
      self.buffer.add(b)
      this.queuePut(b)
      this.numRowsUpdated++
    }
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  override finish(ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    const wm = ctx.watermark
    if (wm === null) return EMPTY_BATCH
    const out: Row[] = []
    for (const side of this.sides) {
      if (side.time.evict === null) continue
      const evicted: Buffered[] = []
      side.buffer.evict(wm + side.time.evict.offsetMs, evicted)
      evicted.sort((a, b) => a.id - b.id)
      for (const b of evicted) {
        this.numRowsRemoved++
        if (b.persisted) this.dels.push(b)
        if (side.preserved && !b.matched) out.push(this.padded(side, b.row))
      }
    }
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  private padded(side: Side, row: Row): Row {
    return side.index === 0 ? this.output(row, this.sides[1].padding) : this.output(this.sides[0].padding, row)
  }

  private queuePut(b: Buffered): void {
    if (b.dirty) return
    b.dirty = true
    this.puts.push(b)
  }

  protected startBatch(): void {}

  protected restoreEntry(entry: StateEntry): void {
    const [tag, sideIndex, id] = entry.key
    const value = entry.value as [Row, number]
    if (tag !== 'rows' || (sideIndex !== 0 && sideIndex !== 1) || typeof id !== 'number' || !Array.isArray(value)) {
      throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    }
    const side = this.sides[sideIndex]
    const [row, matched] = value
    const key = side.key(row) ?? null
    const evict = side.time.evict
    const t = evict === null ? NaN : (row[evict.column] as number)
    side.buffer.add({ id, side: sideIndex, row, key, t, matched: matched === 1, dead: false, dirty: false, persisted: true })
    if (id >= this.nextId) this.nextId = id + 1
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const b of this.dels) batch.del(this.namespace, ['rows', b.side, b.id])
    for (const b of this.puts) {
      b.dirty = false
      if (b.dead) continue
      batch.put(this.namespace, ['rows', b.side, b.id], [b.row, b.matched ? 1 : 0])
      b.persisted = true
    }
    this.puts = []
    this.dels = []
  }

  protected rowsTotal(): number {
    return this.sides[0].buffer.size + this.sides[1].buffer.size
  }

  protected memoryUsedBytes(): number {
    return this.sides[0].buffer.bytes + this.sides[1].buffer.bytes
  }
}
