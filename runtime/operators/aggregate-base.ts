/**
 * What every aggregation operator shares: the accumulators, the grouping keys, the output mode,
 * the groups touched in the batch, and how update-mode changes are written.
 *
 * Update mode emits each group changed in the batch: `+` the first time (the group did not
 * exist before the batch), else `U-` with the row as of the batch's start and `U+` with the new
 * one. The old row is derived from state — a copy of the accumulator taken when the group is
 * first touched in the batch — so an operator restored from the store emits exactly what the
 * original would have.
 */
import type { AggregateCall, Expr, OutputMode } from '../graph.ts'
import type { StateKey } from '../state/state-store.ts'
import type { ChangeBatch, JsonValue, Op, Row, Value } from '../types.ts'
import { EMPTY_BATCH } from '../types.ts'
import { Accumulators, type AccState } from './accumulators.ts'
import { GroupKeys, type LookupKey } from './group-keys.ts'
import { StatefulOperator } from './stateful-operator.ts'

/** One group's state: in a pane of a window aggregate (`pane`), or of a plain aggregate (pane 0). */
export interface Group {
  readonly pane: number
  readonly keys: Value[]
  readonly lookup: LookupKey
  /** Creation order: output follows it, and it is stored so a restored operator keeps it. */
  readonly seq: number
  acc: AccState
  /** The epoch of the batch that last touched it. */
  epoch: number
  /** Update mode: the accumulator as of the batch's start; null when created in this batch. */
  before: AccState | null
  /** The group's state-store key, built on its first commit and reused (keys never change). */
  stateKey?: StateKey
}

export abstract class AggregateBase extends StatefulOperator {
  protected readonly mode: OutputMode
  protected readonly accs: Accumulators
  protected readonly groupKeys: GroupKeys
  /** Groups touched (created or updated) in this batch, in first-touch order. */
  protected touched: Group[] = []
  /** State keys removed in this batch. */
  protected removedKeys: StateKey[] = []
  private nextSeq = 0

  constructor(keys: readonly Expr[], aggregates: readonly AggregateCall[], mode: OutputMode) {
    super()
    this.mode = mode
    this.accs = new Accumulators(aggregates)
    this.groupKeys = new GroupKeys(keys)
  }

  protected newGroup(pane: number, lookup: LookupKey, row: Row): Group {
    const keys = this.groupKeys.values(row, lookup)
    const g: Group = { pane, keys, lookup, seq: this.nextGroupSeq(), acc: this.accs.create(), epoch: this.epoch, before: null }
    this.touched.push(g)
    return g
  }

  /** A group from its stored value (see `storedGroup`). */
  protected restoredGroup(pane: number, value: unknown): Group {
    const v = value as StoredGroup
    this.restoredGroupSeq(v.n)
    return { pane, keys: v.k, lookup: this.groupKeys.lookupOf(v.k), seq: v.n, acc: this.accs.decode(v.a), epoch: 0, before: null }
  }

  /** The creation number of a new group (for subclasses that keep groups their own way). */
  protected nextGroupSeq(): number {
    return this.nextSeq++
  }

  /** Keeps new creation numbers above that of a restored group. */
  protected restoredGroupSeq(seq: number): void {
    if (this.nextSeq <= seq) this.nextSeq = seq + 1
  }

  protected storedGroup(g: Group): StoredGroup {
    return { k: g.keys, n: g.seq, a: this.accs.encode(g.acc) }
  }

  /** Marks an existing group as touched in this batch (call when `g.epoch !== this.epoch`). */
  protected touch(g: Group): void {
    g.epoch = this.epoch
    g.before = this.mode === 'update' ? this.accs.clone(g.acc) : null
    this.touched.push(g)
  }

  /** `prefix` (window bounds) + keys + aggregate results. */
  protected outputRow(prefix: readonly Value[], keys: readonly Value[], acc: AccState): Row {
    const row: Row = []
    for (let i = 0; i < prefix.length; i++) row.push(prefix[i] as Value)
    for (let i = 0; i < keys.length; i++) row.push(keys[i] as Value)
    return this.accs.results(acc, row)
  }

  protected estimateGroupBytes(sample: Iterable<{ readonly keys: Value[]; readonly acc: AccState }>, total: number): number {
    let n = 0
    let bytes = 0
    for (const g of sample) {
      bytes += 120 + 16 * g.keys.length + this.accs.estimateBytes(g.acc)
      for (const k of g.keys) if (typeof k === 'string') bytes += 2 * k.length
      if (++n === 64) break
    }
    return n === 0 ? 0 : Math.round((bytes / n) * total)
  }
}

/** A group's state value: key values, creation order, accumulator. */
export interface StoredGroup {
  readonly k: Value[]
  readonly n: number
  readonly a: JsonValue[]
}

/** Groups in creation order, as a fresh map (restored state arrives in key order). */
export function inCreationOrder(groups: Map<LookupKey, Group>): Map<LookupKey, Group> {
  return new Map([...groups.values()].sort((a, b) => a.seq - b.seq).map((g) => [g.lookup, g]))
}

/** Collects output changes; an all-insert result has no op array. */
export class ChangeBuilder {
  readonly rows: Row[] = []
  private ops: Op[] | null = null

  add(op: Op, row: Row): void {
    if (op !== '+' && this.ops === null) this.ops = this.rows.map(() => '+')
    this.rows.push(row)
    if (this.ops !== null) this.ops.push(op)
  }

  /** `+ new` when `old` is null, else `U- old`, `U+ new`. */
  update(old: Row | null, row: Row): void {
    if (old === null) {
      this.add('+', row)
    } else {
      this.add('U-', old)
      this.add('U+', row)
    }
  }

  build(): ChangeBatch {
    return this.rows.length === 0 ? EMPTY_BATCH : { rows: this.rows, ops: this.ops }
  }
}

export function snapshotBatch(rows: Row[]): ChangeBatch {
  return { rows, ops: null, snapshot: true }
}
