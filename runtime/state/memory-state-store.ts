/**
 * An in-memory `StateStore`, for tests and for queries that need no durability. It behaves
 * like the LevelDB store: values are copied through JSON on write (so only JSON-serialisable
 * state survives, exactly as on disk), `scan` returns committed entries in key order, and a
 * write batch is applied atomically by `commit` — all of it or, if it fails, none of it.
 */
import { assertNever, internalError } from '../errors.ts'
import { compareKeys, keyIdentity } from './key-order.ts'
import type { StateEntry, StateKey, StateStore, StateWriteBatch } from './state-store.ts'

type WriteOp =
  | { readonly kind: 'put'; readonly namespace: string; readonly id: string; readonly key: StateKey; readonly json: string }
  | { readonly kind: 'del'; readonly namespace: string; readonly id: string }
  | { readonly kind: 'clear'; readonly namespace: string }

interface StoredEntry {
  readonly key: StateKey
  readonly json: string
}

/** Writes collected for one atomic commit. Values are serialised at `put`, so later mutation of them is harmless. */
export class MemoryWriteBatch implements StateWriteBatch {
  readonly ops: WriteOp[] = []

  put(namespace: string, key: StateKey, value: unknown): void {
    const json = JSON.stringify(value)
    if (json === undefined) throw internalError(`state value for ${namespace} is not JSON-serialisable`)
    this.ops.push({ kind: 'put', namespace, id: keyIdentity(key), key: [...key], json })
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

  /** Applies every write of the batch, in order, atomically. */
  commit(batch: MemoryWriteBatch): void {
    this.checkOpen()
    // Apply to copies of the touched namespaces, then swap them in: all or nothing.
    const staged = new Map<string, Map<string, StoredEntry>>()
    const stagedOf = (ns: string): Map<string, StoredEntry> => {
      let m = staged.get(ns)
      if (m === undefined) {
        m = new Map(this.namespaces.get(ns))
        staged.set(ns, m)
      }
      return m
    }
    for (const op of batch.ops) {
      switch (op.kind) {
        case 'put':
          stagedOf(op.namespace).set(op.id, { key: op.key, json: op.json })
          break
        case 'del':
          stagedOf(op.namespace).delete(op.id)
          break
        case 'clear':
          stagedOf(op.namespace).clear()
          break
        default:
          assertNever(op, 'state write')
      }
    }
    for (const [ns, entries] of staged) {
      if (entries.size === 0) this.namespaces.delete(ns)
      else this.namespaces.set(ns, entries)
    }
  }

  async *scan(namespace: string): AsyncIterable<StateEntry> {
    this.checkOpen()
    const entries = [...(this.namespaces.get(namespace)?.values() ?? [])]
    entries.sort((a, b) => compareKeys(a.key, b.key))
    for (const e of entries) yield { key: [...e.key], value: JSON.parse(e.json) as unknown }
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
