/**
 * The buffered rows of one input of a stream-stream join: found by join key for matching, by
 * event time for eviction, and persisted in segments.
 *
 * Rows live in the slots of an arena of parallel arrays (no object per row):
 * - by key: an index (`JoinKeyIndex`) from the join key to the first slot of a circular
 *   doubly-linked chain of that key's rows in insertion order (`next`), so a probe walks only
 *   live rows and an eviction unlinks its row in O(1) — touching the index only when the key's
 *   first row goes;
 * - by event time: `BUCKET_MS`-wide buckets of slots, so an eviction visits only the buckets at
 *   or below its threshold (plus one partial bucket).
 * Slots freed by eviction are reused only after the next commit, so the rows buffered between
 * two commits always occupy distinct slots.
 *
 * Persistence (state entries of the operator's namespace; `side` is 0 or 1):
 * - `['segments', side, segmentId]` → `[ids, rows, matched]`: the rows buffered between two
 *   commits (up to `SEGMENT_ROWS` per entry), written once at the second. `ids`: the first row
 *   id when the ids are consecutive, else one id per row; `matched`: positions of rows that had
 *   matched (preserved sides only). A segment is deleted when its last row is evicted.
 * - `['matched', side, rowId]` → 1: a preserved side's row first matched after its segment was
 *   written (one small write instead of a segment rewrite); deleted with the row.
 *
 * A row evicted from a segment that keeps other rows is not written at all: eviction and
 * buffering both drop exactly the rows at or before the state bound of the batch's watermark, so
 * `restore` drops them again from the bound of the last committed watermark. Rows kept that way
 * in the store are counted; once they outnumber the live rows (plus `COMPACT_SLACK`), the partly
 * evicted segments are rewritten with their live rows only, so the store holds at most about
 * twice the live rows while ordinary eviction (whole segments, oldest first) rewrites nothing.
 *
 * Row ids count up per side and give the insertion order: chains, segments and the rows an
 * eviction returns are all in id order, before and after a restart.
 *
 * The per-row layout of earlier versions (`['rows', side, id]` → `[row, matched]`) is still
 * read: its rows are restored as not yet written, so the first commit moves them into a segment
 * and deletes the old entries in the same atomic write.
 *
 * WARNING: `restore` relies on the operator evicting exactly the rows at or before
 * `watermark + offset` in every batch and committing that watermark with the state; a change to
 * when rows leave the buffer must change `restore` too.
 */
import type { StateKey, StateWriteBatch } from '../state/state-store.ts'
import type { Row } from '../types.ts'
import type { LookupKey } from './group-keys.ts'
import { JoinKeyIndex } from './join-key-index.ts'
import { retainShape } from './retain-shape.ts'

const BUCKET_MS = 1000
const COMPACT_SLACK = 1024
/** Rows per segment at most (like the embedded stream's chunks: no huge state values). */
const SEGMENT_ROWS = 4096
const INITIAL_SLOTS = 1024
/** One row in this many is measured for `bytes` (measuring reads every string of the row). */
const BYTES_SAMPLE = 64

/** Slot flags. */
const LIVE = 1
const MATCHED = 2
/** A `['matched', …]` entry is stored for the row. */
const MARKED = 4
/** The slot is its key's first (the index points at it). */
const HEAD = 8

const SEGMENTS = 'segments'
const MARKS = 'matched'
/** The layout before segments: `['rows', side, id]` → `[row, matched]`, one entry per row (read, then migrated). */
const LEGACY_ROWS = 'rows'

/** The value of a segment entry. */
type SegmentValue = [ids: number | number[], rows: Row[], matched: number[]]

interface Segment {
  readonly id: number
  /** Its rows' slots in id order; a slot may since have been evicted or reused by a later segment. */
  slots: number[]
  /** Rows in the stored entry. */
  stored: number
  /** Of those, still buffered. */
  live: number
}

/** How a restored row is keyed and timed (the operator's key function and eviction column). */
export interface RowKeying {
  key(row: Row): LookupKey | undefined
  /** The eviction column's value; NaN when the side is never evicted. */
  time(row: Row): number
}

export class JoinSideBuffer {
  /** The row in each slot (null once evicted and recycled). */
  readonly rows: (Row | null)[] = []
  /** The next slot of the same key, in insertion order (circular: the last row's next is the first). */
  next = new Int32Array(INITIAL_SLOTS)
  private prev = new Int32Array(INITIAL_SLOTS)
  private ts = new Float64Array(INITIAL_SLOTS)
  private ids = new Float64Array(INITIAL_SLOTS)
  private flags = new Uint8Array(INITIAL_SLOTS)
  private readonly keys: (LookupKey | undefined)[] = []
  /** The stored segment holding each slot's row; null until the row's first commit. */
  private readonly segs: (Segment | null)[] = []
  /** Slots in use or released, never above the arena's length. */
  private used = 0
  private readonly free: number[] = []
  /** Slots evicted since the last commit (recycled at commit). */
  private released: number[] = []
  private readonly byKey = new JoinKeyIndex()
  private readonly buckets = new Map<number, number[]>()
  /** The bucket of the last row placed (rows arrive in roughly event-time order); NaN: none. */
  private lastBucket = NaN
  private lastBucketList: number[] = []
  /** Slots buffered since the last commit, in id order. */
  private pending: number[] = []
  private readonly segments = new Map<number, Segment>()
  /** Rows of stored segments that are no longer buffered. */
  private deadStored = 0
  private nextId = 0
  private nextSegment = 0
  private segmentDels: number[] = []
  /** Slots first matched after their segment was written (their marks are put at commit). */
  private marks: number[] = []
  private markDels: number[] = []
  private legacyDels: number[] = []
  /** Restored entries, applied by `restore` once every entry is read. */
  private restoring: { segments: [number, SegmentValue][]; marks: Set<number>; legacy: [number, Row, boolean][] } | null = null
  /** Live rows. */
  size = 0
  private placed = 0
  private sampledBytes = 0
  private sampledRows = 0

  /** `trackMatched`: this side is preserved by an outer join, so whether a row matched is kept. */
  constructor(private readonly side: 0 | 1, private readonly trackMatched: boolean) {}

  /** Rough bytes of the live rows (from a sample of the rows buffered). */
  get bytes(): number {
    return this.sampledRows === 0 ? 0 : Math.round((this.size * this.sampledBytes) / this.sampledRows)
  }

  /** Buffers a row (`key` undefined: a NULL key, never probed; `t` NaN: never evicted). */
  add(row: Row, key: LookupKey | undefined, t: number, matched: boolean): void {
    this.pending.push(this.place(row, key, t, matched, this.nextId++))
  }

  /** The first slot of `key`'s chain, or -1. Walk it with `next` until it comes back to the first. */
  head(key: LookupKey): number {
    return this.byKey.get(key)
  }

  /** Records that the row in `slot` matched (call only when tracked). */
  markMatched(slot: number): void {
    const f = this.flags[slot]!
    if ((f & MATCHED) !== 0) return
    this.flags[slot] = f | MATCHED
    // A row not yet written carries the flag in its segment.
    if (this.segs[slot] !== null) this.marks.push(slot)
  }

  /**
   * Removes every row with `t <= threshold`; returns how many. When tracked, the rows that never
   * matched are appended to `unmatched` in insertion order.
   */
  evict(threshold: number, unmatched: Row[]): number {
    const last = Math.floor(threshold / BUCKET_MS)
    const ts = this.ts
    this.lastBucket = NaN
    let removed = 0
    let settled: number[] | null = null
    for (const [bucket, list] of this.buckets) {
      if (bucket > last) continue
      let kept = 0
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!
        if (ts[s]! <= threshold) {
          if (this.trackMatched && (this.flags[s]! & MATCHED) === 0) (settled ??= []).push(s)
          this.remove(s)
          removed++
        } else {
          list[kept++] = s
        }
      }
      if (kept === 0) this.buckets.delete(bucket)
      else list.length = kept
    }
    if (settled !== null) {
      const ids = this.ids
      settled.sort((a, b) => ids[a]! - ids[b]!)
      // Evicted rows stay in their slots until the commit recycles them.
      for (const s of settled) unmatched.push(this.rows[s]!)
    }
    return removed
  }

  /**
   * Writes the changes since the last commit, then recycles the slots evicted since. (The loops
   * over rows are in methods that do not see `batch`, whose class changes with the store.)
   */
  write(batch: StateWriteBatch, namespace: string): void {
    const side = this.side
    for (const id of this.legacyDels) batch.del(namespace, [LEGACY_ROWS, side, id])
    for (const id of this.segmentDels) batch.del(namespace, [SEGMENTS, side, id])
    for (const id of this.markDels) batch.del(namespace, [MARKS, side, id])
    this.legacyDels = []
    this.segmentDels = []
    this.markDels = []
    if (this.deadStored > this.size + COMPACT_SLACK) {
      for (const seg of this.compact()) batch.put(namespace, [SEGMENTS, side, seg.id], this.segmentValue(seg.slots))
    }
    if (this.pending.length > 0) {
      for (const seg of this.newSegments()) batch.put(namespace, [SEGMENTS, side, seg.id], this.segmentValue(seg.slots))
    }
    for (const s of this.marks) {
      const f = this.flags[s]!
      if ((f & LIVE) === 0 || (f & MARKED) !== 0) continue
      batch.put(namespace, [MARKS, side, this.ids[s]!], 1)
      this.flags[s] = f | MARKED
    }
    this.marks = []
    this.recycle()
  }

  /** Takes one of this side's state entries (`[tag, side, id]`); false when it is not one it knows. */
  restoreEntry(key: StateKey, value: unknown): boolean {
    const [tag, , id] = key
    if (typeof id !== 'number' || key.length !== 3) return false
    const r = (this.restoring ??= { segments: [], marks: new Set(), legacy: [] })
    if (tag === SEGMENTS && isSegmentValue(value)) r.segments.push([id, value])
    else if (tag === MARKS) r.marks.add(id)
    else if (tag === LEGACY_ROWS && Array.isArray(value) && Array.isArray(value[0])) r.legacy.push([id, value[0] as Row, value[1] === 1])
    else return false
    return true
  }

  /**
   * Rebuilds the buffer from the entries taken by `restoreEntry`, dropping the rows at or before
   * `threshold` (the state bound of the last committed watermark; null: none) — the rows that
   * batch evicted while their segment stayed.
   */
  restore(threshold: number | null, keying: RowKeying): void {
    const r = this.restoring
    this.restoring = null
    if (r === null) return
    const kept = (t: number): boolean => threshold === null || !(t <= threshold)
    r.segments.sort((a, b) => a[0] - b[0])
    for (const [segId, [ids, rows, matchedAt]] of r.segments) {
      this.nextSegment = Math.max(this.nextSegment, segId + 1)
      const matched = new Set(matchedAt)
      const seg: Segment = { id: segId, slots: [], stored: rows.length, live: 0 }
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!
        const id = typeof ids === 'number' ? ids + i : ids[i]!
        this.nextId = Math.max(this.nextId, id + 1)
        const t = keying.time(row)
        if (!kept(t)) continue
        const marked = r.marks.delete(id)
        const s = this.place(row, keying.key(row), t, matched.has(i) || marked, id)
        if (marked) this.flags[s] = this.flags[s]! | MARKED
        this.segs[s] = seg
        seg.slots.push(s)
        seg.live++
      }
      this.deadStored += seg.stored - seg.live
      if (seg.live === 0) {
        this.segmentDels.push(segId)
        this.deadStored -= seg.stored
      } else {
        this.segments.set(segId, seg)
      }
    }
    // The per-row layout: restored as not yet written, so the next commit moves them into a
    // segment and deletes their old entries in the same write.
    r.legacy.sort((a, b) => a[0] - b[0])
    for (const [id, row, matched] of r.legacy) {
      this.nextId = Math.max(this.nextId, id + 1)
      this.legacyDels.push(id)
      const t = keying.time(row)
      if (kept(t)) this.pending.push(this.place(row, keying.key(row), t, matched, id))
    }
    // Marks of rows no longer buffered (none are expected) are deleted.
    for (const id of r.marks) this.markDels.push(id)
  }

  /** Puts a row in a free slot, linked into its key's chain and its time bucket; returns the slot. */
  private place(row: Row, key: LookupKey | undefined, t: number, matched: boolean, id: number): number {
    const s = this.free.length > 0 ? this.free.pop()! : this.used++
    if (s >= this.flags.length) this.grow()
    this.rows[s] = row
    this.keys[s] = key
    this.segs[s] = null
    this.ts[s] = t
    this.ids[s] = id
    let f = matched ? LIVE | MATCHED : LIVE
    if (key !== undefined) {
      const first = this.byKey.get(key)
      if (first < 0) {
        this.byKey.set(key, s)
        this.next[s] = s
        this.prev[s] = s
        f |= HEAD
      } else {
        const last = this.prev[first]!
        this.next[last] = s
        this.prev[s] = last
        this.next[s] = first
        this.prev[first] = s
      }
    }
    this.flags[s] = f
    if (!Number.isNaN(t)) {
      const bucket = Math.floor(t / BUCKET_MS)
      if (bucket === this.lastBucket) {
        this.lastBucketList.push(s)
      } else {
        let list = this.buckets.get(bucket)
        if (list === undefined) this.buckets.set(bucket, (list = [s]))
        else list.push(s)
        this.lastBucket = bucket
        this.lastBucketList = list
      }
    }
    this.size++
    if (this.placed++ % BYTES_SAMPLE === 0) {
      this.sampledBytes += rowBytes(row)
      this.sampledRows++
    }
    return s
  }

  private remove(s: number): void {
    const f = this.flags[s]!
    const key = this.keys[s]
    if (key !== undefined) {
      const n = this.next[s]!
      if (n === s) {
        this.byKey.delete(key)
      } else {
        const p = this.prev[s]!
        this.next[p] = n
        this.prev[n] = p
        if ((f & HEAD) !== 0) {
          this.byKey.set(key, n)
          this.flags[n] = this.flags[n]! | HEAD
        }
      }
    }
    const seg = this.segs[s]
    if (seg) {
      seg.live--
      this.deadStored++
      if (seg.live === 0) {
        this.segments.delete(seg.id)
        this.segmentDels.push(seg.id)
        this.deadStored -= seg.stored
      }
    }
    if ((f & MARKED) !== 0) this.markDels.push(this.ids[s]!)
    this.flags[s] = 0
    this.size--
    this.released.push(s)
  }

  /** The rows buffered since the last commit as new stored segments of up to `SEGMENT_ROWS` rows. */
  private newSegments(): Segment[] {
    const pending = this.pending
    this.pending = []
    // Rows evicted before their first commit (batches run without a commit) are left out.
    let n = 0
    for (let i = 0; i < pending.length; i++) {
      const s = pending[i]!
      if ((this.flags[s]! & LIVE) !== 0) pending[n++] = s
    }
    pending.length = n
    const made: Segment[] = []
    for (let from = 0; from < n; from += SEGMENT_ROWS) {
      const slots = n <= SEGMENT_ROWS ? pending : pending.slice(from, from + SEGMENT_ROWS)
      const seg: Segment = { id: this.nextSegment++, slots, stored: slots.length, live: slots.length }
      for (let i = 0; i < slots.length; i++) this.segs[slots[i]!] = seg
      this.segments.set(seg.id, seg)
      made.push(seg)
    }
    return made
  }

  /** Shrinks every partly evicted segment to its live rows; returns them (to be rewritten). */
  private compact(): Segment[] {
    const rewritten: Segment[] = []
    for (const seg of this.segments.values()) {
      if (seg.live === seg.stored) continue
      const slots = seg.slots
      let n = 0
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!
        if (this.segs[s] === seg && (this.flags[s]! & LIVE) !== 0) slots[n++] = s
      }
      slots.length = n
      this.deadStored -= seg.stored - seg.live
      seg.stored = seg.live
      rewritten.push(seg)
    }
    return rewritten
  }

  /** Frees the slots evicted since the last commit, for reuse. */
  private recycle(): void {
    const released = this.released
    this.released = []
    for (let i = 0; i < released.length; i++) {
      const s = released[i]!
      this.rows[s] = null
      this.keys[s] = undefined
      this.segs[s] = null
      this.free.push(s)
    }
  }

  private segmentValue(slots: readonly number[]): SegmentValue {
    const rows = new Array<Row>(slots.length)
    const matched: number[] = []
    const first = this.ids[slots[0]!]!
    let consecutive = true
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!
      rows[i] = this.rows[s]!
      if (this.trackMatched && (this.flags[s]! & MATCHED) !== 0) matched.push(i)
      if (this.ids[s] !== first + i) consecutive = false
    }
    return [consecutive ? first : slots.map((s) => this.ids[s]!), rows, matched]
  }

  private grow(): void {
    const n = this.flags.length * 2
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n)
      b.set(a)
      return b
    }
    this.next = widen(this.next, (k) => new Int32Array(k))
    this.prev = widen(this.prev, (k) => new Int32Array(k))
    this.ts = widen(this.ts, (k) => new Float64Array(k))
    this.ids = widen(this.ids, (k) => new Float64Array(k))
    this.flags = widen(this.flags, (k) => new Uint8Array(k))
  }
}

// An idle buffer (and its key index) keeps these classes, and the loops optimised for them, from
// one query to the next (see retain-shape.ts).
retainShape(new JoinSideBuffer(0, false))

function isSegmentValue(v: unknown): v is SegmentValue {
  return Array.isArray(v) && v.length === 3 && (typeof v[0] === 'number' || Array.isArray(v[0])) && Array.isArray(v[1]) && Array.isArray(v[2])
}

function rowBytes(row: Row): number {
  let n = 96 + 8 * row.length
  for (const v of row) if (typeof v === 'string') n += 2 * v.length
  return n
}
