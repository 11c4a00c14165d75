/**
 * The state of `PaneWindowAggregate`: its groups (one per pane and key), kept column-wise per
 * pane, the keys they share across panes, and the state entries they are stored in.
 *
 * Column-wise: a pane's group `i` is entry `i` of each of the pane's arrays — its key id, its
 * key values, its creation number, its last epoch and each accumulator slot — in creation
 * order. A group costs a few array entries instead of a group object and a state array (three
 * heap objects, most of what used to be copied by the young generation's collections), and
 * the row loop and the merge at emission read adjacent entries. Keys are columns too
 * (`WindowKeys`).
 *
 * Stored form: the groups of a pane whose creation numbers share `floor(seq / STATE_CHUNK)` are
 * one state entry `['panes', pane, chunk]`, rewritten whole at the commit of a batch that
 * touched any of them. A batch usually touches most groups of its panes, and one write per
 * chunk instead of one per group is what keeps the commit cheap on LevelDB (a write costs far
 * more than its bytes); a sparse batch rewrites at most STATE_CHUNK groups per touched group.
 * A chunk's value is columnar too, `{ n, k, a }`: the groups' creation numbers, their key
 * values (`keyCount` each) and their encoded accumulators (`width` slots each), in creation
 * order. Entries of the earlier form, a list of `StoredGroup`s, are still read.
 */
import { internalError } from '../errors.ts'
import type { StateKey } from '../state/state-store.ts'
import type { JsonValue, Value } from '../types.ts'
import type { AccColumns, AccSlot, AccState, Accumulators } from './accumulators.ts'
import type { StoredGroup } from './aggregate-base.ts'
import type { LookupKey } from './group-keys.ts'

/** Groups per state entry. */
export const STATE_CHUNK = 256

const NO_VALUES: Value[] = []

/**
 * Heap bytes of the layout, measured on Node 20 (x64) as the growth of `heapUsed` per group,
 * averaged over 150k to 1.6M groups (maps and arrays grow in steps, so one size is off by up
 * to 15%): a group's entry in its pane's index map and in its pane's per-group arrays (plus 8
 * per accumulator slot); a key's entry in the id map and in the arrays of `WindowKeys`; a
 * key-values array (plus 8 per value); a pane's objects. What entries point to (strings,
 * boxed numbers) is sampled.
 */
const GROUP_BYTES = 104
const KEY_BYTES = 96
const VALUES_BYTES = 48
const PANE_BYTES = 512
/** Groups (and keys) sampled for what their entries point to. */
const SAMPLE = 64

/**
 * The grouping keys of the live panes, by small integer id, each shared by its groups in every
 * pane: a window is emitted by marking ids as it meets them in its panes (`marks`, `slots`),
 * so merging panes needs no map of its own, and the marks are compact arrays rather than an
 * object per key. `panes[id]` counts the panes holding a group of the key; at 0 the key is
 * dropped and its id reused.
 */
export class WindowKeys {
  private readonly ids = new Map<LookupKey, number>()
  private readonly free: number[] = []
  readonly lookups: LookupKey[] = []
  /** The key values of the key's first group. */
  readonly values: Value[][] = []
  readonly panes: number[] = []
  /** The merge that last met each key, and the key's output slot in it. */
  readonly marks: number[] = []
  readonly slots: number[] = []

  get(lookup: LookupKey): number | undefined {
    return this.ids.get(lookup)
  }

  /** A new key held by no pane yet (see `retain`). */
  add(lookup: LookupKey, values: Value[]): number {
    let id = this.free.pop()
    if (id === undefined) {
      id = this.lookups.length
      this.lookups.push(lookup)
      this.values.push(values)
      this.panes.push(0)
      this.marks.push(0)
      this.slots.push(0)
    } else {
      this.lookups[id] = lookup
      this.values[id] = values
      this.marks[id] = 0
    }
    this.ids.set(lookup, id)
    return id
  }

  /** Rough heap bytes of the live keys (see `estimatePaneBytes`), their values sampled. */
  estimateBytes(): number {
    const live = this.ids.size
    const ids = this.lookups.length
    const step = Math.max(1, Math.floor(ids / SAMPLE))
    let sampled = 0
    let pointed = 0
    for (let id = 0; id < ids; id += step) {
      if (this.panes[id] === 0) continue
      const values = this.values[id] as Value[]
      const lookup = this.lookups[id] as LookupKey
      pointed += VALUES_BYTES + 8 * values.length
      for (const v of values) pointed += valueBytes(v)
      // Several key columns (or a JSON one) are looked up by a string of their own.
      if (typeof lookup === 'string' && !(values.length === 1 && values[0] === lookup)) pointed += valueBytes(lookup)
      sampled++
    }
    return live * KEY_BYTES + (sampled === 0 ? 0 : Math.round((pointed / sampled) * live))
  }

  retain(id: number): void {
    this.panes[id] = (this.panes[id] as number) + 1
  }

  release(id: number): void {
    const held = (this.panes[id] as number) - 1
    this.panes[id] = held
    if (held > 0) return
    this.ids.delete(this.lookups[id] as LookupKey)
    // Let go of the key's values until the id is reused.
    this.lookups[id] = null
    this.values[id] = NO_VALUES
    this.free.push(id)
  }
}

/**
 * A rough estimate of the heap held by `panes` and their `keys` (progress' `memoryUsedBytes`),
 * from sizes and about SAMPLE sampled groups and keys: O(panes + SAMPLE).
 */
export function estimatePaneBytes(panes: readonly PaneGroups[], keys: WindowKeys, accs: Accumulators): number {
  if (panes.length === 0) return 0
  const width = accs.width
  // A state copied out for update mode: an array of `width` slots pointing where the group's do.
  const beforeBytes = VALUES_BYTES + 8 * width
  let groups = 0
  let bytes = 0
  let sampled = 0
  let pointed = 0
  const perPane = Math.max(1, Math.floor(SAMPLE / panes.length))
  for (const pane of panes) {
    const n = pane.size
    groups += n
    bytes += PANE_BYTES + n * (GROUP_BYTES + 8 * width) + 8 * pane.befores.length
    const step = Math.max(1, Math.floor(n / perPane))
    for (let i = 0; i < n; i += step) {
      for (let o = 0; o < width; o++) pointed += valueBytes((pane.accs[o] as AccSlot[])[i] as AccSlot)
      if (pane.befores[i] != null) pointed += beforeBytes
      sampled++
    }
  }
  if (sampled > 0) bytes += Math.round((pointed / sampled) * groups)
  return bytes + keys.estimateBytes()
}

const LATIN1 = /^[\0-\xff]*$/

/**
 * Rough heap bytes a slot or key value holds beyond the 8-byte pointer to it, on 64-bit Node
 * (no pointer compression): a string's 16-byte header and its characters, one byte each when
 * all are Latin-1; a boxed number (any but a 32-bit integer); a COUNT DISTINCT map; a JSON
 * object about twice its text. WARNING: a number in an array of doubles is not boxed, so
 * AVG's sum is counted 16 bytes too many.
 */
function valueBytes(v: AccSlot): number {
  switch (typeof v) {
    case 'string':
      return 16 + 8 * Math.ceil((LATIN1.test(v) ? v.length : 2 * v.length) / 8)
    case 'number':
      return (v | 0) === v && !Object.is(v, -0) ? 0 : 16
    case 'object':
      if (v === null) return 0
      return v instanceof Map ? 64 + 48 * v.size : 16 + 2 * JSON.stringify(v).length
    default:
      return 0
  }
}

/** The groups of one state entry. */
export interface PaneChunk {
  readonly number: number
  /** `['panes', pane, number]`, built once (the store never mutates keys). */
  readonly key: StateKey
  /** The groups' indices in their pane, in creation order. */
  readonly groups: number[]
  /** The epoch whose commit last wrote the chunk. */
  written: number
}

/**
 * The groups of one pane. Arrays are only appended to (the row loop holds on to them across
 * rows) and the pane is dropped whole when evicted.
 */
export class PaneGroups {
  readonly start: number
  /** lookup key → group index. */
  readonly index = new Map<LookupKey, number>()
  /** `WindowKeys` ids. */
  readonly keys: number[] = []
  /** The key values each group shows: its key's, or its first row's where they differ (-0 against 0). */
  readonly values: Value[][] = []
  /** Creation numbers: output follows them, and they are stored so a restored operator keeps them. */
  readonly seqs: number[] = []
  /** The epoch of the batch that last touched each group. */
  readonly epochs: number[] = []
  readonly chunkOf: PaneChunk[] = []
  readonly accs: AccColumns
  /**
   * Update mode only (kept by the operator): each group's state as of the start of the batch
   * that last touched it, null when the group was created in that batch.
   */
  readonly befores: (AccState | null)[] = []
  /** In creation order, so ascending: groups are added in creation order. */
  private readonly chunks: PaneChunk[] = []

  constructor(start: number, accs: AccColumns) {
    this.start = start
    this.accs = accs
  }

  get size(): number {
    return this.seqs.length
  }

  /** Adds a group (its accumulator is appended to `accs` by the caller) and returns its index. */
  add(key: number, lookup: LookupKey, values: Value[], seq: number, epoch: number): number {
    const i = this.seqs.length
    if (i > 0 && seq <= (this.seqs[i - 1] as number)) throw internalError(`pane ${this.start}: groups out of creation order`)
    const n = Math.floor(seq / STATE_CHUNK)
    let chunk = this.chunks[this.chunks.length - 1]
    if (chunk === undefined || chunk.number !== n) this.chunks.push((chunk = { number: n, key: ['panes', this.start, n], groups: [], written: 0 }))
    chunk.groups.push(i)
    this.index.set(lookup, i)
    this.keys.push(key)
    this.values.push(values)
    this.seqs.push(seq)
    this.epochs.push(epoch)
    this.chunkOf.push(chunk)
    return i
  }

  chunkKeys(): StateKey[] {
    return this.chunks.map((c) => c.key)
  }
}

/** A chunk's stored value (see the file comment). */
export interface StoredChunk {
  readonly n: number[]
  readonly k: Value[]
  readonly a: JsonValue[]
}

/** A fresh stored value of `chunk` of `pane` (the store owns it; live accumulators keep changing). */
export function storedChunk(pane: PaneGroups, chunk: PaneChunk, keyCount: number, accs: Accumulators): StoredChunk {
  const groups = chunk.groups
  const width = accs.width
  // Sized up front rather than grown by pushes: a chunk is rewritten at nearly every commit.
  const n = new Array<number>(groups.length)
  const k = new Array<Value>(groups.length * keyCount)
  const a = new Array<JsonValue>(groups.length * width)
  for (let j = 0; j < groups.length; j++) {
    const i = groups[j] as number
    n[j] = pane.seqs[i] as number
    const values = pane.values[i] as Value[]
    for (let c = 0; c < keyCount; c++) k[j * keyCount + c] = values[c] as Value
    accs.encodeColumnsAt(pane.accs, i, a, j * width)
  }
  return { n, k, a }
}

/** Calls `restore` for each group of a stored chunk value, of either form, in creation order. */
export function readChunk(
  value: unknown,
  keyCount: number,
  accs: Accumulators,
  restore: (seq: number, keys: Value[], acc: AccState) => void,
): void {
  if (Array.isArray(value)) {
    for (const g of value as StoredGroup[]) restore(g.n, g.k, accs.decode(g.a))
    return
  }
  const v = value as Partial<StoredChunk> | null
  const n = v?.n
  if (!Array.isArray(n) || !Array.isArray(v?.k) || !Array.isArray(v?.a) || v.k.length !== n.length * keyCount || v.a.length !== n.length * accs.width) {
    throw internalError('corrupt pane state chunk')
  }
  for (let i = 0; i < n.length; i++) {
    restore(n[i] as number, v.k.slice(i * keyCount, (i + 1) * keyCount), accs.decodeAt(v.a, i * accs.width))
  }
}
