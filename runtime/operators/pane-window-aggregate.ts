/**
 * Window aggregation by panes, the engine of tumbling, hopping and cumulating windows.
 *
 * Event time is cut into panes (a tumbling window is one pane; a hopping window's pane is
 * gcd(size, slide); a cumulating window's is its step). Each row updates one accumulator — its
 * pane's, for its group — and a window's result is its panes merged when it is emitted. State
 * is `Map<paneStart, Map<lookupKey, Group>>`, stored as one state entry per pane and chunk of
 * 256 groups (see `chunks`).
 *
 * Lateness (Spark, per window): a row is late for a window whose end <= the batch's
 * watermark. As in Spark, which expands a row into its windows before the watermark filter,
 * numRowsDroppedByWatermark counts (row, window) pairs: a hopping row late for two of its three
 * windows counts 2. A row late for some windows only still enters its pane; it cannot reach the windows it is late
 * for, because those are emitted (append) or left alone (update) using the state as of the
 * batch's start: windows close in `startBatch`, before the batch's rows are applied.
 *
 * Emission: append — at the batch's start, every window with previous watermark < end <=
 * watermark, once; update — every open window containing a touched pane group; complete —
 * every window, as a snapshot. Rows are ordered by window start and end, then by group
 * creation order (the order keys were first seen in the pane; update mode: the order groups
 * were first touched in the batch) — no sort on the hot path. Creation order is stored with
 * each group, so an operator restored from the store emits in the same order.
 * Eviction: a pane is removed once the last window containing it has closed.
 */
import type { WindowAggregateNode } from '../graph.ts'
import { assertNever, internalError } from '../errors.ts'
import type { StateEntry, StateKey, StateWriteBatch } from '../state/state-store.ts'
import type { ChangeBatch, Row, Value } from '../types.ts'
import { EMPTY_BATCH } from '../types.ts'
import type { AccState } from './accumulators.ts'
import { AggregateBase, ChangeBuilder, inCreationOrder, snapshotBatch, type Group } from './aggregate-base.ts'
import type { LookupKey } from './group-keys.ts'
import type { BatchContext, OperatorContext } from './operator.ts'
import { compilePaneKernel, type Pane, type PaneKernel, type PaneKernelHost } from './pane-kernel.ts'

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

interface KeyedWindow extends WindowRef {
  /** lookup key → key values of the groups to emit. */
  readonly keys: Map<LookupKey, Value[]>
}

/** Groups per state entry (see `chunks`). */
const STATE_CHUNK = 256

export abstract class PaneWindowAggregate extends AggregateBase {
  protected readonly evictsByWatermark: boolean
  private readonly assigner: PaneAssigner
  private readonly kernel: PaneKernel
  private readonly panes = new Map<number, Pane>()
  private groupCount = 0
  /**
   * State is written in chunks: the groups of a pane whose creation numbers share
   * `floor(seq / STATE_CHUNK)` are one state entry `['panes', pane, chunk]`. A batch usually
   * touches most groups of its panes, and one write per chunk instead of one per group is what
   * keeps the commit cheap on LevelDB (a write costs far more than its bytes); a sparse batch
   * rewrites at most STATE_CHUNK groups per touched group.
   */
  private readonly chunks = new Map<number, Map<number, Group[]>>()
  /** State keys of the chunks of panes evicted in this batch (deleted at commit). */
  private removedChunks: StateKey[] = []
  /** Append mode: rows of the windows closed at the start of this batch. */
  private closed: Row[] = []

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
      addGroup: (pane, p, k, row) => {
        const g = this.newGroup(p, k, row)
        pane.set(k, g)
        this.addToChunk(g)
        this.groupCount++
        return g
      },
      touch: (g) => this.touch(g),
    }
    this.kernel = compilePaneKernel(host, node.window.timeColumn, assigner.paneSize, this.groupKeys, this.accs)
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
    this.numRowsUpdated = this.touched.length
    switch (this.mode) {
      case 'append':
        return this.closed.length === 0 ? EMPTY_BATCH : { rows: this.closed, ops: null }
      case 'update':
        return this.updates(ctx.watermark)
      case 'complete':
        return snapshotBatch(this.emitWindows(this.allWindows()))
      default:
        return assertNever(this.mode, 'output mode')
    }
  }

  protected startBatch(ctx: BatchContext, previousWatermark: number | null): void {
    this.touched = []
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
      this.closed = this.emitWindows([...closing.values()])
    }
    for (const [p, pane] of this.panes) {
      if (this.assigner.lastEnd(p) > wm) continue
      for (const chunk of this.chunks.get(p)?.keys() ?? []) this.removedChunks.push(['panes', p, chunk])
      this.chunks.delete(p)
      this.numRowsRemoved += pane.size
      this.groupCount -= pane.size
      this.panes.delete(p)
    }
  }

  protected restoreEntry(entry: StateEntry): void {
    if (entry.key[0] !== 'panes') throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    const p = entry.key[1] as number
    if (!Array.isArray(entry.value)) throw internalError(`${this.name}: corrupt state chunk ${JSON.stringify(entry.key)}`)
    for (const stored of entry.value) {
      const g = this.restoredGroup(p, stored)
      this.paneFor(p).set(g.lookup, g)
      this.addToChunk(g)
      this.groupCount++
    }
  }

  override async open(ctx: OperatorContext): Promise<void> {
    await super.open(ctx)
    for (const [p, pane] of this.panes) this.panes.set(p, inCreationOrder(pane))
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const key of this.removedChunks) batch.del(this.namespace, key)
    const written = new Map<number, Set<number>>()
    for (const g of this.touched) {
      const chunk = Math.floor(g.seq / STATE_CHUNK)
      let done = written.get(g.pane)
      if (done === undefined) written.set(g.pane, (done = new Set()))
      if (done.has(chunk)) continue
      done.add(chunk)
      const groups = this.chunks.get(g.pane)?.get(chunk) ?? []
      batch.put(this.namespace, ['panes', g.pane, chunk], groups.map((x) => this.storedGroup(x)))
    }
    this.removedChunks = []
    this.touched = []
  }

  private addToChunk(g: Group): void {
    let byChunk = this.chunks.get(g.pane)
    if (byChunk === undefined) this.chunks.set(g.pane, (byChunk = new Map()))
    const chunk = Math.floor(g.seq / STATE_CHUNK)
    const list = byChunk.get(chunk)
    if (list === undefined) byChunk.set(chunk, [g])
    else list.push(g)
  }

  protected rowsTotal(): number {
    return this.groupCount
  }

  protected memoryUsedBytes(): number {
    const sample = this.panes.values().next()
    return sample.done === true ? 0 : this.estimateGroupBytes(sample.value.values(), this.groupCount) + 80 * this.panes.size
  }


  private paneFor(p: number): Pane {
    let pane = this.panes.get(p)
    if (pane === undefined) {
      pane = new Map()
      this.panes.set(p, pane)
    }
    return pane
  }

  private allWindows(): WindowRef[] {
    const all = new Map<number, WindowRef>()
    for (const p of this.panes.keys()) this.assigner.windowsOf(p, (start, end) => all.set(end, { start, end }))
    return [...all.values()]
  }

  /** Rows of whole windows (append, complete), ordered by window then keys. */
  private emitWindows(windows: WindowRef[]): Row[] {
    windows.sort(compareWindows)
    const rows: Row[] = []
    for (const w of windows) {
      const panes = this.panesOfWindow(w)
      const groups: { keys: Value[]; acc: AccState }[] = []
      if (panes.length === 1) {
        for (const g of (panes[0] as Pane).values()) groups.push(g)
      } else {
        const merged = new Map<LookupKey, { keys: Value[]; acc: AccState }>()
        for (const pane of panes) {
          for (const g of pane.values()) {
            let m = merged.get(g.lookup)
            if (m === undefined) {
              m = { keys: g.keys, acc: this.accs.create() }
              merged.set(g.lookup, m)
            }
            this.accs.merge(m.acc, g.acc)
          }
        }
        groups.push(...merged.values())
      }
      const prefix = [w.start, w.end]
      for (const g of groups) rows.push(this.outputRow(prefix, g.keys, g.acc))
    }
    return rows
  }

  /** Update mode: every open window of every touched group, with its row before and after. */
  private updates(wm: number | null): ChangeBatch {
    const windows = new Map<number, KeyedWindow>()
    for (const g of this.touched) {
      this.assigner.windowsOf(g.pane, (start, end) => {
        if (wm !== null && end <= wm) return
        let w = windows.get(end)
        if (w === undefined) {
          w = { start, end, keys: new Map() }
          windows.set(end, w)
        }
        w.keys.set(g.lookup, g.keys)
      })
    }
    const out = new ChangeBuilder()
    for (const w of [...windows.values()].sort(compareWindows)) {
      const panes = this.panesOfWindow(w)
      const prefix = [w.start, w.end]
      for (const [lookup, keyValues] of w.keys) {
        const now = this.accs.create()
        const before = this.accs.create()
        let existed = false
        for (const pane of panes) {
          const g = pane.get(lookup)
          if (g === undefined) continue
          this.accs.merge(now, g.acc)
          const old = g.epoch === this.epoch ? g.before : g.acc
          if (old !== null) {
            this.accs.merge(before, old)
            existed = true
          }
        }
        out.update(existed ? this.outputRow(prefix, keyValues, before) : null, this.outputRow(prefix, keyValues, now))
      }
    }
    return out.build()
  }

  private panesOfWindow(w: WindowRef): Pane[] {
    const panes: Pane[] = []
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
