/**
 * An in-memory `StateStore`, for tests and for queries that need no durability.
 *
 * Like the LevelDB store it takes ownership of the values it is given (the `StateWriteBatch`
 * contract: callers never mutate a value after `put`), returns committed entries in key order,
 * and applies a write batch atomically. It copies through JSON on *read*, not on write, so a
 * restored operator sees exactly what a disk store would give back (only JSON-serialisable
 * state survives) while a commit on the hot path costs a Map update per key.
 */
import { assertNever, internalError } from '../errors.ts'
import { compareKeys, keyIdentity } from './key-order.ts'
import type { StateEntry, StateKey, StateStore, StateWriteBatch } from './state-store.ts'

type WriteOp =
  | { readonly kind: 'put'; readonly namespace: string; readonly id: string; readonly key: StateKey; readonly value: unknown }
  | { readonly kind: 'del'; readonly namespace: string; readonly id: string }
  | { readonly kind: 'clear'; readonly namespace: string }

interface StoredEntry {
  readonly key: StateKey
  readonly value: unknown
}

/** Writes collected for one atomic commit. */
export class MemoryWriteBatch implements StateWriteBatch {
  readonly ops: WriteOp[] = []

  put(namespace: string, key: StateKey, value: unknown): void {
    if (value === undefined) throw internalError(`state value for ${namespace} is undefined`)
    this.ops.push({ kind: 'put', namespace, id: keyIdentity(key), key, value })
  }

  del(namespace: string, key: StateKey): void {
    this.ops.push({ kind: 'del', namespace, id: keyIdentity(key) })
  }

  clear(namespace: string): void {
    this.ops.push({ kind: 'clear', namespace })
  }

  get size(): number {
    return this.ops.length
  }
}

export class MemoryStateStore implements StateStore {
  private readonly namespaces = new Map<string, Map<string, StoredEntry>>()
  private closed = false

  newWriteBatch(): MemoryWriteBatch {
    return new MemoryWriteBatch()
  }

  /**
   * Applies every write of the batch, in order. Nothing in the loop can fail (keys were checked
   * and encoded when the batch was filled), so the batch is applied whole.
   */
  commit(batch: MemoryWriteBatch): void {
    this.checkOpen()
    for (const op of batch.ops) {
      switch (op.kind) {
        case 'put': {
          let ns = this.namespaces.get(op.namespace)
          if (ns === undefined) this.namespaces.set(op.namespace, (ns = new Map()))
          ns.set(op.id, { key: op.key, value: op.value })
          break
        }
        case 'del':
          this.namespaces.get(op.namespace)?.delete(op.id)
          break
        case 'clear':
          this.namespaces.delete(op.namespace)
          break
        default:
          assertNever(op, 'state write')
      }
    }
  }

  async *scan(namespace: string): AsyncIterable<StateEntry> {
    this.checkOpen()
    const entries = [...(this.namespaces.get(namespace)?.values() ?? [])]
    entries.sort((a, b) => compareKeys(a.key, b.key))
    for (const e of entries) yield { key: [...e.key], value: JSON.parse(JSON.stringify(e.value)) as unknown }
  }

  /** Number of committed entries in a namespace (tests, metrics). */
  count(namespace: string): number {
    return this.namespaces.get(namespace)?.size ?? 0
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private checkOpen(): void {
    if (this.closed) throw internalError('state store is closed')
  }
}
