/**
 * The buffered rows of one input of a stream-stream join: found by join key for matching, and
 * by event time for eviction.
 *
 * Eviction marks a row dead and removes it from its time bucket at once; its key group drops
 * dead rows lazily, when more than half of the group is dead, so removal costs O(1) amortised
 * and probes skip the few dead rows left. Time buckets are `BUCKET_MS` wide, so an eviction
 * visits only the buckets at or below the threshold (plus one partial bucket).
 */
import type { Row } from '../types.ts'
import type { LookupKey } from './group-keys.ts'

const BUCKET_MS = 1000

export interface Buffered {
  /** Unique within the operator; orders the state entries and the rows evicted together. */
  readonly id: number
  /** 0: the left input, 1: the right. */
  readonly side: 0 | 1
  readonly row: Row
  /** null for a key with a NULL (never probed: such a row never matches). */
  readonly key: LookupKey
  /** The eviction column's value (NaN when the side is never evicted). */
  readonly t: number
  /** Matched at least once (only tracked for a side an outer join preserves). */
  matched: boolean
  dead: boolean
  /** Queued to be written at the next commit. */
  dirty: boolean
  /** Written to the state store by a commit. */
  persisted: boolean
}

interface KeyGroup {
  items: Buffered[]
  dead: number
}

export class JoinSideBuffer {
  private readonly byKey = new Map<LookupKey, KeyGroup>()
  private readonly buckets = new Map<number, Buffered[]>()
  /** Live rows. */
  size = 0
  /** Rough bytes of the live rows (sampled on add). */
  bytes = 0

  add(b: Buffered): void {
    let g = this.byKey.get(b.key)
    if (g === undefined) this.byKey.set(b.key, (g = { items: [], dead: 0 }))
    g.items.push(b)
    if (!Number.isNaN(b.t)) {
      const bucket = Math.floor(b.t / BUCKET_MS)
      const list = this.buckets.get(bucket)
      if (list === undefined) this.buckets.set(bucket, [b])
      else list.push(b)
    }
    this.size++
    this.bytes += rowBytes(b.row)
  }

  /** The rows buffered under `key`, dead ones included (callers skip `dead`). */
  candidates(key: LookupKey): readonly Buffered[] | undefined {
    return this.byKey.get(key)?.items
  }

  /** Removes every row with `t <= threshold`, appending them to `out`. */
  evict(threshold: number, out: Buffered[]): void {
    const last = Math.floor(threshold / BUCKET_MS)
    for (const [bucket, list] of this.buckets) {
      if (bucket > last) continue
      let keep: Buffered[] | null = null
      for (const b of list) {
        if (b.t <= threshold) {
          this.remove(b)
          out.push(b)
        } else {
          ;(keep ??= []).push(b)
        }
      }
      if (keep === null) this.buckets.delete(bucket)
      else this.buckets.set(bucket, keep)
    }
  }

  private remove(b: Buffered): void {
    b.dead = true
    this.size--
    this.bytes -= rowBytes(b.row)
    const g = this.byKey.get(b.key)
    if (g === undefined) return
    g.dead++
    if (g.dead * 2 >= g.items.length) {
      g.items = g.items.filter((x) => !x.dead)
      g.dead = 0
      if (g.items.length === 0) this.byKey.delete(b.key)
    }
  }
}

function rowBytes(row: Row): number {
  let n = 96 + 8 * row.length
  for (const v of row) if (typeof v === 'string') n += 2 * v.length
  return n
}
