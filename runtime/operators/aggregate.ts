/**
 * GROUP BY without windows. Output rows: `[...keys, ...aggregates]`, in group creation order
 * (update mode: the order groups were first touched in the batch); see pane-window-aggregate.ts.
 *
 * With an event-time key (GROUP BY ts, …, where ts carries the watermark) a group is closed
 * once that key is at or before the watermark: append mode emits it then, once, and evicts it;
 * update mode evicts it silently; rows whose event-time key is at or before the watermark are
 * dropped and counted. A NULL event-time key never closes. Without an event-time key state is
 * unbounded and append mode is impossible (the planner rejects it; so does the constructor).
 * Complete mode drops nothing and evicts nothing.
 */
import type { AggregateNode, Expr } from '../graph.ts'
import { assertNever, internalError } from '../errors.ts'
import { compileExpr, type RowFn } from '../expr/compile.ts'
import type { StateEntry, StateKey, StateWriteBatch } from '../state/state-store.ts'
import type { ChangeBatch, Row } from '../types.ts'
import { EMPTY_BATCH } from '../types.ts'
import { AggregateBase, ChangeBuilder, inCreationOrder, snapshotBatch, type Group } from './aggregate-base.ts'
import type { LookupKey } from './group-keys.ts'
import type { BatchContext, OperatorContext } from './operator.ts'

export class Aggregate extends AggregateBase {
  readonly name = 'Aggregate'
  protected readonly evictsByWatermark: boolean
  private readonly eventTimeKey: number | null
  private readonly eventTime: RowFn | null
  private readonly groups = new Map<LookupKey, Group>()
  private closed: Row[] = []

  constructor(node: AggregateNode) {
    super(node.keys, node.aggregates, node.outputMode)
    const etk = node.eventTimeKey
    if (etk !== null && (etk < 0 || etk >= node.keys.length)) throw internalError(`event-time key ${etk} out of range`)
    if (etk === null && node.outputMode === 'append') {
      throw internalError('an aggregation without an event-time key cannot run in append mode')
    }
    this.eventTimeKey = etk
    this.eventTime = etk === null ? null : compileExpr(node.keys[etk] as Expr)
    this.evictsByWatermark = etk !== null && node.outputMode !== 'complete'
  }

  override process(input: ChangeBatch, _side: number, ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.checkInsertOnly(input)
    const wm = this.evictsByWatermark ? ctx.watermark : null
    const eventTime = this.eventTime
    const lookup = this.groupKeys.lookup
    const update = this.accs.update
    const groups = this.groups
    const epoch = this.epoch
    for (const row of input.rows) {
      if (wm !== null && eventTime !== null) {
        const t = eventTime(row)
        if (typeof t === 'number' && t <= wm) {
          this.numRowsDroppedByWatermark++
          continue
        }
      }
      const k = lookup(row)
      let g = groups.get(k)
      if (g === undefined) {
        g = this.newGroup(0, k, row)
        groups.set(k, g)
      } else if (g.epoch !== epoch) {
        this.touch(g)
      }
      update(g.acc, row)
    }
    return EMPTY_BATCH
  }

  override finish(ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.numRowsUpdated = this.touched.length
    switch (this.mode) {
      case 'append':
        return this.closed.length === 0 ? EMPTY_BATCH : { rows: this.closed, ops: null }
      case 'update': {
        const out = new ChangeBuilder()
        for (const g of this.touched) {
          out.update(g.before === null ? null : this.outputRow([], g.keys, g.before), this.outputRow([], g.keys, g.acc))
        }
        return out.build()
      }
      case 'complete':
        return snapshotBatch([...this.groups.values()].map((g) => this.outputRow([], g.keys, g.acc)))
      default:
        return assertNever(this.mode, 'output mode')
    }
  }

  protected startBatch(ctx: BatchContext, previousWatermark: number | null): void {
    this.touched = []
    this.removedKeys = []
    this.closed = []
    const wm = ctx.watermark
    const etk = this.eventTimeKey
    if (!this.evictsByWatermark || etk === null || wm === null) return
    if (previousWatermark !== null && wm <= previousWatermark) return
    const closed: Group[] = []
    for (const [k, g] of this.groups) {
      const t = g.keys[etk]
      if (typeof t !== 'number' || t > wm) continue
      closed.push(g)
      this.groups.delete(k)
      this.removedKeys.push(this.stateKey(g))
    }
    this.numRowsRemoved += closed.length
    if (this.mode === 'append') this.closed = closed.map((g) => this.outputRow([], g.keys, g.acc))
  }

  protected restoreEntry(entry: StateEntry): void {
    if (entry.key[0] !== 'groups') throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    const g = this.restoredGroup(0, entry.value)
    this.groups.set(g.lookup, g)
  }

  override async open(ctx: OperatorContext): Promise<void> {
    await super.open(ctx)
    const ordered = inCreationOrder(this.groups)
    this.groups.clear()
    for (const [k, g] of ordered) this.groups.set(k, g)
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const key of this.removedKeys) batch.del(this.namespace, key)
    for (const g of this.touched) batch.put(this.namespace, this.stateKey(g), this.storedGroup(g))
    this.removedKeys = []
    this.touched = []
  }

  protected rowsTotal(): number {
    return this.groups.size
  }

  protected memoryUsedBytes(): number {
    return this.estimateGroupBytes(this.groups.values(), this.groups.size)
  }

  private stateKey(g: Group): StateKey {
    return (g.stateKey ??= ['groups', ...this.groupKeys.stateParts(g.keys)])
  }
}
