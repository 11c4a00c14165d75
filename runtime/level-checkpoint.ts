/**
 * A query's checkpoint in LevelDB. All of it lives under the key prefix `['query', queryId]`
 * (tuples encoded by `state/level-key-codec.ts`):
 *
 * - `… 'plan'` — the `QueryGraph` the query last started with (restart compatibility);
 * - `… 'offsets', batchId` — the offset log entry, written with `sync` before the batch runs;
 * - `… 'commits', batchId` — the commit record, written with `sync` in ONE chained batch
 *   together with every state change of the batch (`… 'state', namespace, …key`);
 * - the last `retain` (default 100) entries of each log are kept; entry N − retain is deleted
 *   in the write that adds entry N.
 *
 * A LevelDB write batch is atomic (one log record with a checksum; a torn record is dropped
 * when the database opens), so after a crash either the batch's state and commit are both
 * there or neither is, and the executor re-runs the logged, uncommitted batch.
 *
 * WARNING: a log entry that is not valid JSON means the database was damaged from outside;
 * it is reported as `CHECKPOINT_CORRUPT`, never skipped, because guessing a batch's offsets
 * could duplicate or lose rows in the sink.
 */
import { WeirError } from './errors.ts'
import type { CommitEntry, OffsetLogEntry, QueryCheckpoint } from './checkpoint.ts'
import type { QueryGraph } from './graph.ts'
import { decodeKey, encodeKey, prefixEnd } from './state/level-key-codec.ts'
import { LevelStateStore, type LevelDb } from './state/level-state-store.ts'
import type { StateWriteBatch } from './state/state-store.ts'

/** What a checkpoint write is: the hook below can fail it (a full disk) or crash during it (tests). */
export type WriteKind = 'offsets' | 'commit' | 'plan' | 'append' | 'catalog' | 'sink'
/** Performs `write`; the default calls it. Tests substitute failures and crashes. */
export type WriteInterceptor = (kind: WriteKind, write: () => Promise<void>) => Promise<void>

export const defaultInterceptor: WriteInterceptor = (_kind, write) => write()

export interface LevelCheckpointOptions {
  /** How many offset-log and commit-log entries to keep. Default 100. */
  readonly retain?: number
  readonly intercept?: WriteInterceptor
  /** Awaited before the commit write: other writes that must be durable first (a memory sink's). */
  readonly beforeCommit?: () => Promise<void>
}

export class LevelCheckpoint implements QueryCheckpoint {
  readonly store: LevelStateStore
  private readonly prefix: Buffer
  private readonly retain: number
  private readonly intercept: WriteInterceptor
  private readonly beforeCommit: () => Promise<void>
  /** Disk bytes per state namespace at the last commit (LevelDB's estimate). */

  constructor(private readonly db: LevelDb, readonly queryId: string, opts: LevelCheckpointOptions = {}) {
    this.prefix = checkpointPrefix(queryId)
    this.store = new LevelStateStore(db, encodeKey(['state'], this.prefix))
    this.retain = opts.retain ?? 100
    this.intercept = opts.intercept ?? defaultInterceptor
    this.beforeCommit = opts.beforeCommit ?? (async () => undefined)
  }

  async lastOffsets(): Promise<OffsetLogEntry | null> {
    return this.last<OffsetLogEntry>('offsets')
  }

  async lastCommit(): Promise<CommitEntry | null> {
    return this.last<CommitEntry>('commits')
  }

  async writeOffsets(entry: OffsetLogEntry): Promise<void> {
    const chained = this.db.batch()
    chained.put(this.logKey('offsets', entry.batchId), JSON.stringify(entry))
    if (entry.batchId >= this.retain) chained.del(this.logKey('offsets', entry.batchId - this.retain))
    await this.write('offsets', chained)
  }

  async commit(entry: CommitEntry, writeState: (batch: StateWriteBatch) => void): Promise<void> {
    await this.beforeCommit()
    const batch = this.store.newWriteBatch()
    writeState(batch)
    const chained = this.db.batch()
    try {
      await this.store.addTo(chained, batch)
    } catch (err) {
      await chained.close()
      throw err
    }
    chained.put(this.logKey('commits', entry.batchId), JSON.stringify(entry))
    if (entry.batchId >= this.retain) chained.del(this.logKey('commits', entry.batchId - this.retain))
    await this.write('commit', chained)
  }

  async readPlan(): Promise<QueryGraph | null> {
    const text = await this.db.get(encodeKey(['plan'], this.prefix))
    return text === undefined ? null : (this.parse(text, 'plan') as QueryGraph)
  }

  async writePlan(graph: QueryGraph): Promise<void> {
    const chained = this.db.batch()
    chained.put(encodeKey(['plan'], this.prefix), JSON.stringify(graph))
    await this.write('plan', chained)
  }

  /** Approximate bytes of a state namespace on disk (LevelDB's size estimate: cheap, coarse). */
  async diskBytes(namespace: string): Promise<number> {
    return this.store.approximateBytes(namespace)
  }

  /** The database belongs to the durable state that made this checkpoint. */
  async close(): Promise<void> {
    await this.store.close()
  }

  private async write(kind: WriteKind, chained: ReturnType<LevelDb['batch']>): Promise<void> {
    try {
      await this.intercept(kind, () => chained.write({ sync: true }))
    } catch (err) {
      await chained.close().catch(() => undefined)
      if (err instanceof WeirError) throw err
      throw storageError(`writing the ${kind === 'commit' ? 'commit record' : kind} of query ${this.queryId}`, err)
    }
  }

  private async last<T extends { batchId: number }>(log: 'offsets' | 'commits'): Promise<T | null> {
    const p = encodeKey([log], this.prefix)
    const entries = await this.db.iterator({ gte: p, lt: prefixEnd(p), reverse: true, limit: 1 }).all()
    const found = entries[0]
    if (found === undefined) return null
    const [key, text] = found
    const batchId = decodeKey(key, p.length)[0]
    const entry = this.parse(text, `${log} entry ${String(batchId)}`) as T
    if (typeof entry !== 'object' || entry === null || entry.batchId !== batchId) {
      throw corrupt(this.queryId, `${log} entry ${String(batchId)}`, 'its batch id does not match its key')
    }
    return entry
  }

  private parse(text: string, what: string): unknown {
    try {
      return JSON.parse(text) as unknown
    } catch (err) {
      throw corrupt(this.queryId, what, 'it is not valid JSON (truncated or damaged)', err)
    }
  }

  private logKey(log: 'offsets' | 'commits', batchId: number): Buffer {
    return encodeKey([log, batchId], this.prefix)
  }
}

/** The encoded key prefix of a query's checkpoint (everything of it lies in this range). */
export function checkpointPrefix(queryId: string): Buffer {
  return encodeKey(['query', queryId])
}

export function storageError(what: string, cause: unknown): WeirError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new WeirError('STORAGE_WRITE_FAILED', `${what} failed: ${detail}; the query stopped and resumes from its last commit once storage is writable`, {
    domain: 'external', cause, retryable: true,
  })
}

function corrupt(queryId: string, what: string, why: string, cause?: unknown): WeirError {
  return new WeirError('CHECKPOINT_CORRUPT',
    `the checkpoint of query ${queryId} is damaged: ${what}: ${why}; stop it with purge (DELETE /v1/queries/${queryId}?purge=true) ` +
    `or start it under a new query name to begin from scratch`,
    { domain: 'internal', retryable: false, cause })
}
