/**
 * `DurableState` in one LevelDB database (`<dataDir>/db`). Keys are tuples encoded by
 * `runtime/state/level-key-codec.ts`, so each area is one key range:
 *
 * - `['catalog', 'relation' | 'sink' | 'query', name]` and `['catalog', 'next-query-id']`;
 * - `['stream', name]` + 8-byte offsets: embedded stream logs (`LevelEmbeddedLog`);
 * - `['table', name]`: an embedded table's rows;
 * - `['query', id, …]`: a query's checkpoint (`LevelCheckpoint`: plan, offset log, commit log, state);
 * - `['memory-sink', name, …]`: memory sink batches (`LevelMemorySinkData`).
 *
 * The catalog, tables and memory sinks are loaded into memory on open (reads stay synchronous);
 * stream logs load only their length. Every change is a synced write that resolves once durable.
 * See docs/checkpoints.md.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { RelationDefinition, SinkDefinition } from '../planner/ddl.ts'
import { internalError } from '../runtime/errors.ts'
import { checkpointPrefix, defaultInterceptor, LevelCheckpoint, storageError, type WriteInterceptor, type WriteKind } from '../runtime/level-checkpoint.ts'
import { decodeKey, encodeKey, prefixEnd } from '../runtime/state/level-key-codec.ts'
import { openLevelDb, type LevelChainedBatch, type LevelDb } from '../runtime/state/level-state-store.ts'
import type { Row } from '../runtime/types.ts'
import type { EmbeddedLog } from '../connectors/embedded/embedded-stream.ts'
import { LevelEmbeddedLog } from '../connectors/embedded/level-embedded-log.ts'
import type { MemorySinkData } from '../connectors/memory/memory-sink.ts'
import type { DurableState, StoredQuery } from './durable-state.ts'
import { LevelMemorySinkData, memorySinkKey } from './level-memory-sink.ts'

export interface LevelDurableStateOptions {
  /** Wraps every write (tests: a full disk, a crash in the middle of a commit). */
  readonly intercept?: WriteInterceptor
  /** Offset- and commit-log entries kept per query. Default 100. */
  readonly retain?: number
}

const key = (...parts: (string | number)[]): Buffer => encodeKey(parts)

export class LevelDurableState implements DurableState {
  readonly relations = new Map<string, RelationDefinition>()
  readonly sinks = new Map<string, SinkDefinition>()
  readonly queries = new Map<string, StoredQuery>()
  private readonly logs = new Map<string, LevelEmbeddedLog>()
  private readonly tables = new Map<string, readonly Row[]>()
  private readonly checkpoints = new Map<string, LevelCheckpoint>()
  private readonly sinkData = new Map<string, LevelMemorySinkData>()
  private nextQueryNumber = 1
  private sinkWrites: Promise<void> = Promise.resolve()
  private sinkFailure: unknown = null
  private serial: Promise<void> = Promise.resolve()
  private readonly intercept: WriteInterceptor

  private constructor(readonly db: LevelDb, readonly dataDir: string, private readonly opts: LevelDurableStateOptions) {
    this.intercept = opts.intercept ?? defaultInterceptor
  }

  static async open(dataDir: string, opts: LevelDurableStateOptions = {}): Promise<LevelDurableState> {
    await mkdir(dataDir, { recursive: true })
    const db = await openLevelDb(join(dataDir, 'db'))
    const state = new LevelDurableState(db, dataDir, opts)
    try {
      await state.load()
    } catch (err) {
      await db.close()
      throw err
    }
    return state
  }

  async putRelation(def: RelationDefinition): Promise<void> {
    await this.write('catalog', (b) => b.put(key('catalog', 'relation', def.name), JSON.stringify(def)))
    this.relations.set(def.name, def)
    if (def.kind === 'stream' && !this.logs.has(def.name)) await this.openLog(def.name)
  }

  async deleteRelation(name: string): Promise<void> {
    await this.write('catalog', (b) => {
      b.del(key('catalog', 'relation', name))
      b.del(key('table', name))
    })
    await this.db.clear({ gte: key('stream', name), lt: prefixEnd(key('stream', name)) })
    this.relations.delete(name)
    this.logs.delete(name)
    this.tables.delete(name)
  }

  async putSink(def: SinkDefinition): Promise<void> {
    await this.write('catalog', (b) => b.put(key('catalog', 'sink', def.name), JSON.stringify(def)))
    this.sinks.set(def.name, def)
  }

  async deleteSink(name: string): Promise<void> {
    await this.flush()
    await this.write('catalog', (b) => b.del(key('catalog', 'sink', name)))
    await this.db.clear({ gte: memorySinkKey(name), lt: prefixEnd(memorySinkKey(name)) })
    this.sinks.delete(name)
    this.sinkData.delete(name)
  }

  /** The new status is visible at once (as in MemoryDurableState): callers record it without waiting. */
  async putQuery(query: StoredQuery): Promise<void> {
    this.queries.set(query.id, query)
    await this.write('catalog', (b) => b.put(key('catalog', 'query', query.id), JSON.stringify(query)))
  }

  async newQueryId(): Promise<string> {
    const n = this.nextQueryNumber++
    await this.write('catalog', (b) => b.put(key('catalog', 'next-query-id'), JSON.stringify(this.nextQueryNumber)))
    return `q${n}`
  }

  log(stream: string): EmbeddedLog {
    const log = this.logs.get(stream)
    if (!log) throw internalError(`no log for embedded stream "${stream}"`)
    return log
  }

  tableRows(table: string): readonly Row[] {
    return this.tables.get(table) ?? []
  }

  async putTableRows(table: string, rows: readonly Row[]): Promise<void> {
    const copy = [...rows]
    await this.write('append', (b) => b.put(key('table', table), JSON.stringify(copy)))
    this.tables.set(table, copy)
  }

  checkpoint(queryId: string): LevelCheckpoint {
    let cp = this.checkpoints.get(queryId)
    if (!cp) {
      cp = new LevelCheckpoint(this.db, queryId, {
        intercept: this.intercept, beforeCommit: () => this.flush(), ...(this.opts.retain ? { retain: this.opts.retain } : {}),
      })
      this.checkpoints.set(queryId, cp)
    }
    return cp
  }

  async deleteCheckpoint(queryId: string): Promise<void> {
    const p = checkpointPrefix(queryId)
    await this.db.clear({ gte: p, lt: prefixEnd(p) })
    this.checkpoints.delete(queryId)
  }

  memorySink(name: string, maxRows?: number): MemorySinkData | undefined {
    let d = this.sinkData.get(name)
    if (!d && maxRows !== undefined) {
      d = new LevelMemorySinkData(name, maxRows, (_name, fill) => this.queueSinkWrite(fill))
      this.sinkData.set(name, d)
    }
    return d
  }

  /** Resolves once every queued memory-sink write is durable; rejects with the first failure since the last call. */
  async flush(): Promise<void> {
    await this.sinkWrites
    const failure = this.sinkFailure
    if (failure !== null) {
      this.sinkFailure = null
      throw failure
    }
  }

  async close(): Promise<void> {
    await this.sinkWrites
    if (this.db.status === 'open') await this.db.close()
  }

  private queueSinkWrite(fill: (b: LevelChainedBatch) => void): void {
    this.sinkWrites = this.sinkWrites.then(() => this.write('sink', fill)).catch((err: unknown) => {
      this.sinkFailure ??= err
    })
  }

  /** Writes one after another: LevelDB does not promise to apply concurrent writes in call order. */
  private write(kind: WriteKind, fill: (b: LevelChainedBatch) => void): Promise<void> {
    const run = this.serial.then(() => this.writeNow(kind, fill))
    this.serial = run.catch(() => undefined)
    return run
  }

  private async writeNow(kind: WriteKind, fill: (b: LevelChainedBatch) => void): Promise<void> {
    const chained = this.db.batch()
    fill(chained)
    try {
      await this.intercept(kind, () => chained.write({ sync: true }))
    } catch (err) {
      await chained.close().catch(() => undefined)
      throw storageError(`writing ${kind} data`, err)
    }
  }

  private async openLog(stream: string): Promise<void> {
    const log = await LevelEmbeddedLog.open(this.db, key('stream', stream), { intercept: (write) => this.intercept('append', write) })
    this.logs.set(stream, log)
  }

  private async load(): Promise<void> {
    const catalog = key('catalog')
    for await (const [k, v] of this.db.iterator({ gte: catalog, lt: prefixEnd(catalog) })) {
      const [, area, name] = decodeKey(k)
      if (area === 'relation') this.relations.set(String(name), JSON.parse(v) as RelationDefinition)
      else if (area === 'sink') this.sinks.set(String(name), JSON.parse(v) as SinkDefinition)
      else if (area === 'query') this.queries.set(String(name), JSON.parse(v) as StoredQuery)
      else if (area === 'next-query-id') this.nextQueryNumber = JSON.parse(v) as number
    }
    const tables = key('table')
    for await (const [k, v] of this.db.iterator({ gte: tables, lt: prefixEnd(tables) })) {
      this.tables.set(String(decodeKey(k)[1]), JSON.parse(v) as Row[])
    }
    for (const def of this.relations.values()) if (def.kind === 'stream') await this.openLog(def.name)
    const sinks = key('memory-sink')
    const batches = new Map<string, { maxRows: number; batches: string[] }>()
    for await (const [k, v] of this.db.iterator({ gte: sinks, lt: prefixEnd(sinks) })) {
      const [, name, what] = decodeKey(k)
      const entry = batches.get(String(name)) ?? { maxRows: 0, batches: [] }
      batches.set(String(name), entry)
      if (what === 'meta') entry.maxRows = (JSON.parse(v) as { maxRows: number }).maxRows
      else entry.batches.push(v)
    }
    for (const [name, { maxRows, batches: stored }] of batches) {
      const data = new LevelMemorySinkData(name, maxRows, (_name, fill) => this.queueSinkWrite(fill))
      data.replay(stored)
      this.sinkData.set(name, data)
    }
  }
}
