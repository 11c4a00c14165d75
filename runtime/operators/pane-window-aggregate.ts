/**
 * Window aggregation by panes, the engine of tumbling, hopping and cumulating windows.
 *
 * Event time is cut into panes (a tumbling window is one pane; a hopping window's pane is
 * gcd(size, slide); a cumulating window's is its step). Each row updates one accumulator — its
 * pane's, for its group — and a window's result is its panes merged when it is emitted. State
 * is a `PaneGroups` per pane start (groups column-wise), stored as one state entry per pane
 * and chunk of 256 groups (see `pane-state.ts`).
 *
 * Lateness (Spark, per window): a row is late for a window whose end <= the batch's
 * watermark. As in Spark, which expands a row into its windows before the watermark filter,
 * numRowsDroppedByWatermark counts (row, window) pairs: a hopping row late for two of its
 * three windows counts 2. A row late for some windows only still enters its pane; it cannot
 * reach the windows it is late for, because those are emitted (append) or left alone (update)
 * using the state as of the batch's start: windows close in `startBatch`, before the batch's
 * rows are applied.
 *
 * Emission: append — at the batch's start, every window with previous watermark < end <=
 * watermark, once; update — every open window containing a touched pane group; complete —
 * every window, as a snapshot. Rows are ordered by window start and end, then by group
 * creation order (the order keys were first seen in the pane; update mode: the order groups
 * were first touched in the batch) — no sort on the hot path. Creation order is stored with
 * each group, so an operator restored from the store emits in the same order.
 *
 * Whole windows (append, complete) are merged through their groups' shared key ids into reused
 * scratch columns — no map, no state or wrapper object per output row — and append mode
 * builds the rows of the windows it merged at the batch's start only in `finish`: rows made
 * before the batch's rows are applied would all survive the young generation's collections
 * that applying them triggers, and be copied into the old one.
 *
 * Eviction: a pane is removed once the last window containing it has closed.
 */
import type { WindowAggregateNode } from '../graph.ts'
import { assertNever, internalError } from '../errors.ts'
import type { StateEntry, StateKey, StateWriteBatch } from '../state/state-store.ts'
import type { ChangeBatch, Row, Value } from '../types.ts'
import { EMPTY_BATCH } from '../types.ts'
import type { AccColumns, AccState, WindowColumnsRowFn, WindowRowFn } from './accumulators.ts'
import { AggregateBase, ChangeBuilder, snapshotBatch } from './aggregate-base.ts'
import type { LookupKey } from './group-keys.ts'
import type { BatchContext } from './operator.ts'
import { compilePaneKernel, type PaneKernel, type PaneKernelHost } from './pane-kernel.ts'
import { PaneGroups, WindowKeys, estimatePaneBytes, readChunk, storedChunk, type PaneChunk } from './pane-state.ts'

/** How a window kind maps event time to panes and panes to windows. */
export interface PaneAssigner {
  /** The width of every pane. */
  readonly paneSize: number
  /** The start of the pane holding event time `t`. */
  paneOf(t: number): number
  /** The largest end of the windows containing pane `p`: once it is <= the watermark, `p` is closed. */
  lastEnd(p: number): number
  /** Calls `visit(start, end)` for each window containing pane `p`. */
  windowsOf(p: number, visit: (start: number, end: number) => void): void
  /** The pane starts of window [start, end). */
  panesOf(start: number, end: number): number[]
}

interface WindowRef {
  readonly start: number
  readonly end: number
}

/** A window merged into groups `from … to` of `scratch` (see `mergeWindows`). */
interface MergedWindow extends WindowRef {
  readonly from: number
  readonly to: number
}

interface KeyedWindow extends WindowRef {
  /** lookup key → key values of the groups to emit. */
  readonly keys: Map<LookupKey, Value[]>
}

export abstract class PaneWindowAggregate extends AggregateBase {
  protected readonly evictsByWatermark: boolean
  private readonly assigner: PaneAssigner
  private readonly kernel: PaneKernel
  private readonly panes = new Map<number, PaneGroups>()
  /** The keys of the groups of every live pane. */
  private readonly windowKeys = new WindowKeys()
  private groupCount = 0
  /** The groups touched (created or updated) in this batch, in first-touch order: pane and index. */
  private touchedPanes: PaneGroups[] = []
  private touchedGroups: number[] = []
  /** State keys of the chunks of panes evicted in this batch (deleted at commit). */
  private removedChunks: StateKey[] = []
  /** Append mode: the windows closed at the start of this batch, merged; emitted by `finish`. */
  private closed: MergedWindow[] = []
  private readonly windowRow: WindowRowFn
  private readonly windowRowAt: WindowColumnsRowFn
  /** Numbers the merges of windows (`WindowKeys.marks`). */
  private merges = 0
  /**
   * The merged states of `mergeWindows`, one per output row, and the key values of the group
   * first met in each (the values the row shows). Scratch columns are reused from batch to
   * batch (see `windowRows` for how much is kept).
   */
  private readonly scratch: AccColumns
  private met: Value[][] = []

  constructor(node: WindowAggregateNode, assigner: PaneAssigner) {
    super(node.keys, node.aggregates, node.outputMode)
    this.assigner = assigner
    this.evictsByWatermark = node.outputMode !== 'complete'
    const host: PaneKernelHost = {
      paneOf: assigner.paneOf,
      enterPane: (p, wm) => (wm !== null && assigner.lastEnd(p) <= wm ? undefined : this.paneFor(p)),
      lateWindows: (p, wm) => {
        if (wm === null) return 0
        let n = 0
        assigner.windowsOf(p, (_start, end) => {
          if (end <= wm) n++
        })
        return n
      },
      addGroup: (pane, k, row) => {
        const keys = this.windowKeys
        const key = keys.get(k)
        // With one key column the lookup is the key value: share the key's values unless they
        // differ (-0 against 0), so each group shows its own first row's values as before.
        const shared = key !== undefined && this.groupKeys.singleColumn !== null && Object.is(k, keys.lookups[key])
        const values = shared ? (keys.values[key] as Value[]) : this.groupKeys.values(row, k)
        const i = this.addGroup(pane, key ?? keys.add(k, values), k, values, this.nextGroupSeq(), this.epoch, null)
        this.touchedPanes.push(pane)
        this.touchedGroups.push(i)
        return i
      },
      touch: (pane, i) => {
        pane.epochs[i] = this.epoch
        if (this.mode === 'update') pane.befores[i] = this.accs.stateAt(pane.accs, i)
        this.touchedPanes.push(pane)
        this.touchedGroups.push(i)
      },
    }
    this.kernel = compilePaneKernel(host, node.window.timeColumn, assigner.paneSize, this.groupKeys, this.accs)
    const rows = this.accs.windowRows(this.groupKeys.count)
    this.windowRow = rows.ofState
    this.windowRowAt = rows.ofColumns
    this.scratch = this.accs.newColumns()
  }

  override process(input: ChangeBatch, _side: number, ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.checkInsertOnly(input)
    const wm = this.mode === 'complete' ? null : ctx.watermark
    this.numRowsDroppedByWatermark += this.kernel(input.rows, wm, this.epoch)
    return EMPTY_BATCH
  }

  override finish(ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.numRowsUpdated = this.touchedGroups.length
    switch (this.mode) {
      case 'append': {
        const rows = this.windowRows(this.closed)
        this.closed = []
        return rows.length === 0 ? EMPTY_BATCH : { rows, ops: null }
      }
      case 'update':
        return this.updates(ctx.watermark)
      case 'complete':
        return snapshotBatch(this.windowRows(this.mergeWindows(this.allWindows())))
      default:
        return assertNever(this.mode, 'output mode')
    }
  }

  protected startBatch(ctx: BatchContext, previousWatermark: number | null): void {
    this.touchedPanes = []
    this.touchedGroups = []
    this.removedChunks = []
    this.closed = []
    const wm = ctx.watermark
    if (this.mode === 'complete' || wm === null) return
    if (previousWatermark !== null && wm <= previousWatermark) return
    const prev = previousWatermark ?? Number.NEGATIVE_INFINITY
    if (this.mode === 'append') {
      const closing = new Map<number, WindowRef>()
      for (const p of this.panes.keys()) {
        this.assigner.windowsOf(p, (start, end) => {
          if (end > prev && end <= wm) closing.set(end, { start, end })
        })
      }
      this.closed = this.mergeWindows([...closing.values()])
    }
    for (const [p, pane] of this.panes) {
      if (this.assigner.lastEnd(p) > wm) continue
      for (const key of pane.keys) this.windowKeys.release(key)
      this.removedChunks.push(...pane.chunkKeys())
      this.numRowsRemoved += pane.size
      this.groupCount -= pane.size
      this.panes.delete(p)
    }
  }

  protected restoreEntry(entry: StateEntry): void {
    if (entry.key[0] !== 'panes') throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    const pane = this.paneFor(entry.key[1] as number)
    readChunk(entry.value, this.groupKeys.count, this.accs, (seq, values, acc) => {
      this.restoredGroupSeq(seq)
      const lookup = this.groupKeys.lookupOf(values)
      this.addGroup(pane, this.windowKeys.get(lookup) ?? this.windowKeys.add(lookup, values), lookup, values, seq, 0, acc)
    })
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const key of this.removedChunks) batch.del(this.namespace, key)
    const { touchedPanes, touchedGroups } = this
    for (let t = 0; t < touchedGroups.length; t++) {
      const pane = touchedPanes[t] as PaneGroups
      const chunk = pane.chunkOf[touchedGroups[t] as number] as PaneChunk
      if (chunk.written === this.epoch) continue
      chunk.written = this.epoch
      batch.put(this.namespace, chunk.key, storedChunk(pane, chunk, this.groupKeys.count, this.accs))
    }
    this.removedChunks = []
    this.touchedPanes = []
    this.touchedGroups = []
  }

  /** Adds a group of key id `key`: fresh (`acc` null, touched in this batch), or restored with `epoch` 0. */
  private addGroup(pane: PaneGroups, key: number, lookup: LookupKey, values: Value[], seq: number, epoch: number, acc: AccState | null): number {
    const i = pane.add(key, lookup, values, seq, epoch)
    this.windowKeys.retain(key)
    if (acc === null) this.accs.appendCreated(pane.accs)
    else this.accs.appendState(pane.accs, acc)
    if (this.mode === 'update') pane.befores.push(null)
    this.groupCount++
    return i
  }

  protected rowsTotal(): number {
    return this.groupCount
  }

  protected memoryUsedBytes(): number {
    // The scratch columns of window emission are kept from batch to batch too.
    const scratch = (this.scratch[0]?.length ?? 0) * 8 * this.accs.width
    return this.panes.size === 0 ? 0 : estimatePaneBytes([...this.panes.values()], this.windowKeys, this.accs) + scratch
  }

  private paneFor(p: number): PaneGroups {
    let pane = this.panes.get(p)
    if (pane === undefined) {
      pane = new PaneGroups(p, this.accs.newColumns())
      this.panes.set(p, pane)
    }
    return pane
  }

  private allWindows(): WindowRef[] {
    const all = new Map<number, WindowRef>()
    for (const p of this.panes.keys()) this.assigner.windowsOf(p, (start, end) => all.set(end, { start, end }))
    return [...all.values()]
  }

  /** Merges whole windows (append, complete) into the scratch columns, ordered by window then keys. */
  private mergeWindows(windows: WindowRef[]): MergedWindow[] {
    windows.sort(compareWindows)
    const merged: MergedWindow[] = []
    let n = 0
    for (const w of windows) {
      const from = n
      n = this.mergePanes(this.panesOfWindow(w), n)
      merged.push({ start: w.start, end: w.end, from, to: n })
    }
    return merged
  }

  /**
   * Merges the groups of `panes` by key into scratch groups from `n` on and returns the next
   * free one. They follow the order keys are first met, pane by pane in creation order — a
   * merge into a map by key would give the same order and the same first group per key.
   */
  private mergePanes(panes: PaneGroups[], n: number): number {
    const mark = ++this.merges
    const { accs, scratch, met } = this
    const { marks, slots } = this.windowKeys
    for (const pane of panes) {
      const { keys, values } = pane
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as number
        if (marks[key] === mark) {
          accs.mergeColumns(scratch, slots[key] as number, pane.accs, i)
          continue
        }
        marks[key] = mark
        slots[key] = n
        met[n] = values[i] as Value[]
        accs.assignColumns(scratch, n, pane.accs, i)
        n++
      }
    }
    return n
  }

  /** The rows of merged windows. */
  private windowRows(windows: readonly MergedWindow[]): Row[] {
    const { scratch, met } = this
    const rows: Row[] = []
    for (const w of windows) {
      for (let j = w.from; j < w.to; j++) rows.push(this.windowRowAt(w.start, w.end, met[j] as Value[], scratch, j))
    }
    this.met = []
    // Keep the scratch of a usual batch, not all that of an exceptional one (a backlog).
    if (rows.length > 0 && (scratch[0]?.length ?? 0) > 4 * rows.length) for (const column of scratch) column.length = rows.length
    return rows
  }

  /** Update mode: every open window of every touched group, with its row before and after. */
  private updates(wm: number | null): ChangeBatch {
    const windows = new Map<number, KeyedWindow>()
    for (let t = 0; t < this.touchedGroups.length; t++) {
      const pane = this.touchedPanes[t] as PaneGroups
      const i = this.touchedGroups[t] as number
      this.assigner.windowsOf(pane.start, (start, end) => {
        if (wm !== null && end <= wm) return
        let w = windows.get(end)
        if (w === undefined) {
          w = { start, end, keys: new Map() }
          windows.set(end, w)
        }
        w.keys.set(this.windowKeys.lookups[pane.keys[i] as number] as LookupKey, pane.values[i] as Value[])
      })
    }
    const out = new ChangeBuilder()
    for (const w of [...windows.values()].sort(compareWindows)) {
      const panes = this.panesOfWindow(w)
      for (const [lookup, keyValues] of w.keys) {
        const now = this.accs.create()
        const before = this.accs.create()
        let existed = false
        for (const pane of panes) {
          const i = pane.index.get(lookup)
          if (i === undefined) continue
          this.accs.mergeFromColumns(now, pane.accs, i)
          if (pane.epochs[i] !== this.epoch) {
            this.accs.mergeFromColumns(before, pane.accs, i)
            existed = true
          } else {
            const old = pane.befores[i] as AccState | null
            if (old === null) continue
            this.accs.merge(before, old)
            existed = true
          }
        }
        out.update(existed ? this.windowRow(w.start, w.end, keyValues, before) : null, this.windowRow(w.start, w.end, keyValues, now))
      }
    }
    return out.build()
  }

  private panesOfWindow(w: WindowRef): PaneGroups[] {
    const panes: PaneGroups[] = []
    for (const p of this.assigner.panesOf(w.start, w.end)) {
      const pane = this.panes.get(p)
      if (pane !== undefined) panes.push(pane)
    }
    return panes
  }
}

function compareWindows(a: WindowRef, b: WindowRef): number {
  return a.start - b.start || a.end - b.end
}

/** The start of the window of `size` holding `t`, aligned to the epoch plus `offset`. */
export function alignedStart(t: number, size: number, offset: number): number {
  return Math.floor((t - offset) / size) * size + offset
}
