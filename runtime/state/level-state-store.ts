/**
 * A `StateStore` on LevelDB (`level`). Every key lives under a fixed prefix (the query's state
 * area), then the namespace, then the state key, all encoded by `level-key-codec.ts` so that
 * LevelDB's byte order is key order and a namespace is one key range.
 *
 * The store never writes on its own: a `LevelWriteBatch` collects a batch's changes and
 * `addTo` appends them to a LevelDB chained batch that the checkpoint writes together with the
 * commit record, so state and commit reach the disk in one atomic write.
 *
 * Values are JSON text (the copy on write the contract asks for); `clear` is expanded at
 * `addTo` into deletions of the namespace's committed keys, in order with the other writes.
 */
import { Level } from 'level'
import { internalError } from '../errors.ts'
import { decodeKey, encodeKey, prefixEnd } from './level-key-codec.ts'
import type { StateEntry, StateKey, StateStore, StateWriteBatch } from './state-store.ts'

/** The one LevelDB handle type used by Weir: binary keys, UTF-8 (JSON) values. */
export type LevelDb = Level<Buffer, string>
export type LevelChainedBatch = ReturnType<LevelDb['batch']>

export async function openLevelDb(location: string): Promise<LevelDb> {
  const db = new Level<Buffer, string>(location, { keyEncoding: 'buffer', valueEncoding: 'utf8' })
  await db.open()
  return db
}

type LevelWriteOp =
  | { readonly key: Buffer; readonly value: string | null }
  | { readonly clear: string }

/** The writes of one batch, encoded at `put` (so later mutation of a value is harmless). */
export class LevelWriteBatch implements StateWriteBatch {
  readonly ops: LevelWriteOp[] = []
  /** Bytes of keys and values put, per namespace (an approximate write volume). */
  bytes = 0

  constructor(private readonly store: LevelStateStore) {}

  put(namespace: string, key: StateKey, value: unknown): void {
    const json = JSON.stringify(value)
    if (json === undefined) throw internalError(`state value for ${namespace} is not JSON-serialisable`)
    const k = encodeKey(key, this.store.namespacePrefix(namespace))
    this.bytes += k.length + json.length
    this.ops.push({ key: k, value: json })
  }

  del(namespace: string, key: StateKey): void {
    this.ops.push({ key: encodeKey(key, this.store.namespacePrefix(namespace)), value: null })
  }

  clear(namespace: string): void {
    this.ops.push({ clear: namespace })
  }

  get size(): number {
    return this.ops.length
  }
}

export class LevelStateStore implements StateStore {
  private readonly prefixes = new Map<string, Buffer>()
  private closed = false

  /** `prefix` is an encoded tuple that no other data in `db` starts with. */
  constructor(private readonly db: LevelDb, private readonly prefix: Buffer) {}

  newWriteBatch(): LevelWriteBatch {
    return new LevelWriteBatch(this)
  }

  /** The encoded prefix of a namespace's keys. */
  namespacePrefix(namespace: string): Buffer {
    let p = this.prefixes.get(namespace)
    if (p === undefined) this.prefixes.set(namespace, (p = encodeKey([namespace], this.prefix)))
    return p
  }

  /** Appends the batch's writes, in order, to a chained batch (which the caller writes). */
  async addTo(chained: LevelChainedBatch, batch: LevelWriteBatch): Promise<void> {
    this.checkOpen()
    for (let i = 0; i < batch.ops.length; i++) {
      const op = batch.ops[i]!
      if ('clear' in op) {
        const p = this.namespacePrefix(op.clear)
        for await (const k of this.db.keys({ gte: p, lt: prefixEnd(p) })) chained.del(k)
        // Puts earlier in this batch are not committed yet, so the scan cannot see them.
        for (let j = 0; j < i; j++) {
          const prev = batch.ops[j]!
          if (!('clear' in prev) && prev.key.subarray(0, p.length).equals(p)) chained.del(prev.key)
        }
      } else if (op.value === null) {
        chained.del(op.key)
      } else {
        chained.put(op.key, op.value)
      }
    }
  }

  async *scan(namespace: string): AsyncIterable<StateEntry> {
    this.checkOpen()
    const p = this.namespacePrefix(namespace)
    const it = this.db.iterator({ gte: p, lt: prefixEnd(p) })
    try {
      for (;;) {
        const entries = await it.nextv(1024)
        if (entries.length === 0) break
        for (const [k, v] of entries) yield { key: decodeKey(k, p.length), value: JSON.parse(v) as unknown }
      }
    } finally {
      await it.close()
    }
  }

  /** LevelDB's estimate of the disk bytes of a namespace (0 while it is only in the memtable). */
  async approximateBytes(namespace: string): Promise<number> {
    const p = this.namespacePrefix(namespace)
    const db = this.db as unknown as { approximateSize?: (a: Buffer, b: Buffer) => Promise<number> }
    return db.approximateSize ? db.approximateSize(p, prefixEnd(p)) : 0
  }

  /** The store does not own the database; closing only stops further use. */
  async close(): Promise<void> {
    this.closed = true
  }

  private checkOpen(): void {
    if (this.closed) throw internalError('state store is closed')
  }
}
