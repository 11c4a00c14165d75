/**
 * SESSION: per grouping key, rows whose windows [t, t + gap) overlap or touch share a session
 * [first, last + gap). As in Spark's MergingSessionsIterator, a session merges with the next
 * when the next starts at or before its end, so rows exactly `gap` apart share a session.
 *
 * State: per key, its sessions sorted by start, each with one accumulator; a row that bridges
 * sessions merges them (accumulators merged). One state entry per session.
 *
 * Lateness (Spark): a row is late when its own window's end, t + gap, is at or before the
 * watermark; it is dropped and counted. A session is closed once its end <= the watermark:
 * append mode emits it then and evicts it; update mode evicts it silently. A row arriving after
 * a session was closed starts a new session even if it would have touched the old one (Spark
 * does the same).
 *
 * Update mode: every session changed in the batch is emitted. A session continues the first
 * previously emitted session it covers (`U-` old, `U+` new, even when its start moved); the
 * other previously emitted sessions it swallowed are retracted with `-`; a session covering
 * none is `+`. Output is ordered by session start, end, then keys.
 */
import type { WindowAggregateNode } from '../graph.ts'
import { assertNever, internalError } from '../errors.ts'
import type { StateEntry, StateKeyPart, StateWriteBatch } from '../state/state-store.ts'
import type { ChangeBatch, Row, Value } from '../types.ts'
import { EMPTY_BATCH } from '../types.ts'
import type { AccState } from './accumulators.ts'
import { AggregateBase, ChangeBuilder, snapshotBatch } from './aggregate-base.ts'
import { compareValueLists, type LookupKey } from './group-keys.ts'
import type { BatchContext } from './operator.ts'

interface Session {
  start: number
  end: number
  acc: AccState
  /** The epoch of the batch that last changed it. */
  epoch: number
}

interface SessionKey {
  readonly keys: Value[]
  readonly lookup: LookupKey
  readonly sessions: Session[]
  epoch: number
  /** The sessions as of the batch's start (rows only in update mode). */
  before: { readonly start: number; readonly end: number; readonly row: Row | null }[]
}

interface Change {
  readonly start: number
  readonly end: number
  readonly keys: Value[]
  readonly emit: (out: ChangeBuilder) => void
}

export class SessionWindowAggregate extends AggregateBase {
  readonly name = 'SessionWindowAggregate'
  protected readonly evictsByWatermark: boolean
  private readonly gap: number
  private readonly timeColumn: number
  private readonly byKey = new Map<LookupKey, SessionKey>()
  private sessionCount = 0
  private touchedKeys: SessionKey[] = []
  private closed: Row[] = []

  constructor(node: WindowAggregateNode) {
    super(node.keys, node.aggregates, node.outputMode)
    const w = node.window
    if (w.kind !== 'session') throw internalError(`SessionWindowAggregate given a ${w.kind} window`)
    if (!(w.gap > 0)) throw internalError(`invalid session gap ${w.gap}`)
    this.gap = w.gap
    this.timeColumn = w.timeColumn
    this.evictsByWatermark = node.outputMode !== 'complete'
  }

  override process(input: ChangeBatch, _side: number, ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    this.checkInsertOnly(input)
    const wm = this.mode === 'complete' ? null : ctx.watermark
    const { gap, timeColumn: tc } = this
    const lookup = this.groupKeys.lookup
    const update = this.accs.update
    for (const row of input.rows) {
      const t = row[tc]
      if (typeof t !== 'number') continue
      if (wm !== null && t + gap <= wm) {
        this.numRowsDroppedByWatermark++
        continue
      }
      const k = lookup(row)
      let sk = this.byKey.get(k)
      if (sk === undefined) {
        sk = { keys: this.groupKeys.values(row, k), lookup: k, sessions: [], epoch: this.epoch, before: [] }
        this.byKey.set(k, sk)
        this.touchedKeys.push(sk)
      } else if (sk.epoch !== this.epoch) {
        this.touchKey(sk)
      }
      update(this.place(sk.sessions, t).acc, row)
    }
    return EMPTY_BATCH
  }

  override finish(ctx: BatchContext): ChangeBatch {
    this.begin(ctx)
    let updated = 0
    for (const sk of this.touchedKeys) for (const s of sk.sessions) if (s.epoch === this.epoch) updated++
    this.numRowsUpdated = updated
    switch (this.mode) {
      case 'append':
        return this.closed.length === 0 ? EMPTY_BATCH : { rows: this.closed, ops: null }
      case 'update':
        return this.updates()
      case 'complete': {
        const all: { keys: Value[]; s: Session }[] = []
        for (const sk of this.byKey.values()) for (const s of sk.sessions) all.push({ keys: sk.keys, s })
        all.sort((a, b) => a.s.start - b.s.start || a.s.end - b.s.end || compareValueLists(a.keys, b.keys))
        return snapshotBatch(all.map(({ keys, s }) => this.outputRow([s.start, s.end], keys, s.acc)))
      }
      default:
        return assertNever(this.mode, 'output mode')
    }
  }

  protected startBatch(ctx: BatchContext, previousWatermark: number | null): void {
    this.touchedKeys = []
    this.removedKeys = []
    this.closed = []
    const wm = ctx.watermark
    if (this.mode === 'complete' || wm === null) return
    if (previousWatermark !== null && wm <= previousWatermark) return
    const closed: { keys: Value[]; s: Session }[] = []
    for (const [k, sk] of this.byKey) {
      // Sessions are sorted and disjoint, so their ends are sorted too: closed ones lead.
      let n = 0
      while (n < sk.sessions.length && (sk.sessions[n] as Session).end <= wm) n++
      if (n === 0) continue
      for (const s of sk.sessions.splice(0, n)) {
        closed.push({ keys: sk.keys, s })
        this.removedKeys.push(this.stateKey(sk, s.start))
      }
      this.numRowsRemoved += n
      this.sessionCount -= n
      if (sk.sessions.length === 0) this.byKey.delete(k)
    }
    if (this.mode === 'append') {
      closed.sort((a, b) => a.s.start - b.s.start || a.s.end - b.s.end || compareValueLists(a.keys, b.keys))
      this.closed = closed.map(({ keys, s }) => this.outputRow([s.start, s.end], keys, s.acc))
    }
  }

  protected restoreEntry(entry: StateEntry): void {
    if (entry.key[0] !== 'sessions') throw internalError(`${this.name}: unexpected state key ${JSON.stringify(entry.key)}`)
    const v = entry.value as { k: Value[]; s: number; e: number; a: unknown }
    const lookup = this.groupKeys.lookupOf(v.k)
    let sk = this.byKey.get(lookup)
    if (sk === undefined) {
      sk = { keys: v.k, lookup, sessions: [], epoch: 0, before: [] }
      this.byKey.set(lookup, sk)
    }
    // Entries arrive in key order, so by start within a key.
    sk.sessions.push({ start: v.s, end: v.e, acc: this.accs.decode(v.a), epoch: 0 })
    this.sessionCount++
  }

  protected writeChanges(batch: StateWriteBatch): void {
    for (const key of this.removedKeys) batch.del(this.namespace, key)
    for (const sk of this.touchedKeys) {
      const now = new Set(sk.sessions.map((s) => s.start))
      for (const b of sk.before) if (!now.has(b.start)) batch.del(this.namespace, this.stateKey(sk, b.start))
      for (const s of sk.sessions) {
        if (s.epoch !== this.epoch) continue
        batch.put(this.namespace, this.stateKey(sk, s.start), { k: sk.keys, s: s.start, e: s.end, a: this.accs.encode(s.acc) })
      }
    }
    this.removedKeys = []
    this.touchedKeys = []
  }

  protected rowsTotal(): number {
    return this.sessionCount
  }

  protected memoryUsedBytes(): number {
    const sample: { keys: Value[]; acc: AccState }[] = []
    for (const sk of this.byKey.values()) {
      for (const s of sk.sessions) sample.push({ keys: sk.keys, acc: s.acc })
      if (sample.length >= 64) break
    }
    return this.estimateGroupBytes(sample, this.sessionCount) + 64 * this.byKey.size
  }

  private stateKey(sk: SessionKey, start: number): StateKeyPart[] {
    return ['sessions', ...this.groupKeys.stateParts(sk.keys), start]
  }

  private touchKey(sk: SessionKey): void {
    sk.epoch = this.epoch
    const update = this.mode === 'update'
    sk.before = sk.sessions.map((s) => ({ start: s.start, end: s.end, row: update ? this.outputRow([s.start, s.end], sk.keys, s.acc) : null }))
    this.touchedKeys.push(sk)
  }

  /** The session that [t, t + gap) joins, after merging every session it bridges. */
  private place(sessions: Session[], t: number): Session {
    const end = t + this.gap
    // The first session that ends at or after t; rows mostly arrive near the end, so search back.
    let i = sessions.length
    while (i > 0 && (sessions[i - 1] as Session).end >= t) i--
    let j = i
    while (j < sessions.length && (sessions[j] as Session).start <= end) j++
    if (j === i) {
      const s: Session = { start: t, end, acc: this.accs.create(), epoch: this.epoch }
      sessions.splice(i, 0, s)
      this.sessionCount++
      return s
    }
    const s = sessions[i] as Session
    for (let m = i + 1; m < j; m++) {
      const other = sessions[m] as Session
      this.accs.merge(s.acc, other.acc)
      s.end = Math.max(s.end, other.end)
    }
    if (j - i > 1) {
      sessions.splice(i + 1, j - i - 1)
      this.sessionCount -= j - i - 1
    }
    s.start = Math.min(s.start, t)
    s.end = Math.max(s.end, end)
    s.epoch = this.epoch
    return s
  }

  private updates(): ChangeBatch {
    const changes: Change[] = []
    for (const sk of this.touchedKeys) {
      for (const s of sk.sessions) {
        if (s.epoch !== this.epoch) continue
        const covered = sk.before.filter((b) => b.start >= s.start && b.end <= s.end)
        const row = this.outputRow([s.start, s.end], sk.keys, s.acc)
        changes.push({
          start: s.start,
          end: s.end,
          keys: sk.keys,
          emit: (out) => {
            out.update(covered[0]?.row ?? null, row)
            for (const b of covered.slice(1)) out.add('-', b.row as Row)
          },
        })
      }
    }
    changes.sort((a, b) => a.start - b.start || a.end - b.end || compareValueLists(a.keys, b.keys))
    const out = new ChangeBuilder()
    for (const c of changes) c.emit(out)
    return out.build()
  }
}
