/**
 * An in-memory `StateStore`, for tests and for queries that need no durability.
 *
 * Like the LevelDB store it takes ownership of the values it is given (the `StateWriteBatch`
 * contract: callers never mutate a value after `put`), returns committed entries in key order,
 * and applies a write batch atomically. It copies through JSON on *read*, not on write, so a
 * restored operator sees exactly what a disk store would give back (only JSON-serialisable
 * state survives) while a commit on the hot path costs a few Map operations per key.
 *
 * Entries live in a trie of nested Maps, one level per key part: Map keys keep 1, "1" and true
 * apart and treat -0 as 0, exactly as the key order does, and no identity string is built per
 * write (that was most of a commit's cost).
 */
import { internalError } from '../errors.ts'
import { checkKey, compareKeys } from './key-order.ts'
import type { StateEntry, StateKey, StateKeyPart, StateStore, StateWriteBatch } from './state-store.ts'

interface TrieNode {
  /** The entry whose key ends here, if any. */
  entry?: { readonly key: StateKey; value: unknown }
  children?: Map<StateKeyPart, TrieNode>
}

const PUT = 0
const DEL = 1
const CLEAR = 2

/** Writes collected for one atomic commit, as parallel arrays (no object per write). */
export class MemoryWriteBatch implements StateWriteBatch {
  readonly kinds: number[] = []
  readonly namespaces: string[] = []
  readonly keys: (StateKey | null)[] = []
  readonly values: unknown[] = []

  put(namespace: string, key: StateKey, value: unknown): void {
    if (value === undefined) throw internalError(`state value for ${namespace} is undefined`)
    checkKey(key)
    this.push(PUT, namespace, key, value)
  }

  del(namespace: string, key: StateKey): void {
    checkKey(key)
    this.push(DEL, namespace, key, undefined)
  }

  clear(namespace: string): void {
    this.push(CLEAR, namespace, null, undefined)
  }

  get size(): number {
    return this.kinds.length
  }

  private push(kind: number, namespace: string, key: StateKey | null, value: unknown): void {
    this.kinds.push(kind)
    this.namespaces.push(namespace)
    this.keys.push(key)
    this.values.push(value)
  }
}

export class MemoryStateStore implements StateStore {
  private readonly namespaces = new Map<string, { root: TrieNode; size: number }>()
  private closed = false

  newWriteBatch(): MemoryWriteBatch {
    return new MemoryWriteBatch()
  }

  /**
   * Applies every write of the batch, in order. Nothing in the loop can fail (keys were checked
   * when the batch was filled), so the batch is applied whole.
   */
  commit(batch: MemoryWriteBatch): void {
    this.checkOpen()
    for (let i = 0; i < batch.kinds.length; i++) {
      const name = batch.namespaces[i]!
      switch (batch.kinds[i]) {
        case PUT: {
          let ns = this.namespaces.get(name)
          if (ns === undefined) this.namespaces.set(name, (ns = { root: {}, size: 0 }))
          const key = batch.keys[i]!
          const node = descend(ns.root, key, true)!
          // Overwrite in place: a commit rewrites most entries, and a new object per write would
          // survive into the old generation only to die at the next commit.
          if (node.entry === undefined) {
            ns.size++
            node.entry = { key, value: batch.values[i] }
          } else {
            node.entry.value = batch.values[i]
          }
          break
        }
        case DEL: {
          const ns = this.namespaces.get(name)
          if (ns && remove(ns.root, batch.keys[i]!)) ns.size--
          break
        }
        case CLEAR:
          this.namespaces.delete(name)
          break
        default:
          throw internalError(`unknown state write kind ${batch.kinds[i]}`)
      }
    }
  }

  async *scan(namespace: string): AsyncIterable<StateEntry> {
    this.checkOpen()
    const entries: { key: StateKey; value: unknown }[] = []
    const root = this.namespaces.get(namespace)?.root
    if (root) collect(root, entries)
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

function descend(root: TrieNode, key: StateKey, create: boolean): TrieNode | undefined {
  let node = root
  for (let i = 0; i < key.length; i++) {
    const part = key[i] as StateKeyPart
    let children = node.children
    if (children === undefined) {
      if (!create) return undefined
      node.children = children = new Map()
    }
    let next = children.get(part)
    if (next === undefined) {
      if (!create) return undefined
      children.set(part, (next = {}))
    }
    node = next
  }
  return node
}

/** Removes the entry at `key`, and the nodes left empty on its path; true when there was one. */
function remove(root: TrieNode, key: StateKey): boolean {
  const path: TrieNode[] = [root]
  let node: TrieNode | undefined = root
  for (let i = 0; i < key.length && node; i++) {
    node = node.children?.get(key[i] as StateKeyPart)
    if (node) path.push(node)
  }
  if (!node || node.entry === undefined) return false
  node.entry = undefined
  for (let i = key.length; i > 0; i--) {
    const n = path[i]!
    if (n.entry !== undefined || (n.children !== undefined && n.children.size > 0)) break
    const parent = path[i - 1]!
    parent.children!.delete(key[i - 1] as StateKeyPart)
  }
  return true
}

function collect(node: TrieNode, out: { key: StateKey; value: unknown }[]): void {
  if (node.entry !== undefined) out.push(node.entry)
  if (node.children) for (const child of node.children.values()) collect(child, out)
}
