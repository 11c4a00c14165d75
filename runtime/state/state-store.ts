/**
 * Operator state storage. Operators keep their working state in memory between batches, read
 * it back from the store when they open (a restart), and write the batch's changes through a
 * `StateWriteBatch` at commit. The executor commits every operator's writes and the commit
 * record in one atomic write.
 *
 * Keys are tuples of scalars; a store encodes them so that byte order equals value order
 * (numbers, then strings, element by element), so `scan` returns entries in key order.
 * Values are any JSON-serialisable data. The store owns a value once it is `put`: callers must
 * never mutate it afterwards (encode a fresh copy of live state), which lets the in-memory store
 * keep it without copying.
 *
 * WARNING: `scan` sees only committed state. Writes in an open batch are invisible until the
 * executor commits it.
 */
export type StateKeyPart = number | string | boolean | null
export type StateKey = readonly StateKeyPart[]

export interface StateEntry {
  readonly key: StateKey
  readonly value: unknown
}

export interface StateWriteBatch {
  put(namespace: string, key: StateKey, value: unknown): void
  del(namespace: string, key: StateKey): void
  /** Removes every key of the namespace (a purge or a reset). */
  clear(namespace: string): void
}

export interface StateStore {
  /** All committed entries of a namespace, in key order. */
  scan(namespace: string): AsyncIterable<StateEntry>
  close(): Promise<void>
}
