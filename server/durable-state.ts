/**
 * What an engine keeps across a restart: the catalog, embedded streams and tables, query
 * checkpoints and memory sinks. Everything is loaded into memory when the engine opens, so
 * reads are synchronous; changes go through the `put…`/`delete…` methods, which resolve once
 * the change is durable.
 *
 * `MemoryDurableState` survives a restart within one process (tests pass it to the next
 * `Engine.open`); the LevelDB-backed implementation keeps it in the data directory.
 */
import type { RelationDefinition, SinkDefinition } from '../planner/ddl.ts'
import { MemoryCheckpoint, type QueryCheckpoint } from '../runtime/checkpoint.ts'
import type { Field, Row } from '../runtime/types.ts'
import type { OutputMode } from '../runtime/graph.ts'
import { MemoryEmbeddedLog, type EmbeddedLog } from '../connectors/embedded/embedded-stream.ts'
import { MemorySinkData } from '../connectors/memory/memory-sink.ts'
import type { SessionOptions } from './engine-api.ts'

export interface StoredQuery {
  readonly id: string
  readonly name: string | null
  /** The statement text, replanned on restart. */
  readonly sql: string
  readonly session: SessionOptions
  readonly sink: string
  readonly status: 'running' | 'stopped' | 'failed'
  readonly error: { code: string; message: string } | null
  /** As planned when the query was created (shown while it is not running). */
  readonly outputMode?: OutputMode
  readonly columns?: readonly Field[]
}

export interface DurableState {
  readonly relations: ReadonlyMap<string, RelationDefinition>
  readonly sinks: ReadonlyMap<string, SinkDefinition>
  readonly queries: ReadonlyMap<string, StoredQuery>
  putRelation(def: RelationDefinition): Promise<void>
  deleteRelation(name: string): Promise<void>
  putSink(def: SinkDefinition): Promise<void>
  deleteSink(name: string): Promise<void>
  putQuery(query: StoredQuery): Promise<void>
  /** A new query id (`q1`, `q2`, …), never reused. */
  newQueryId(): Promise<string>
  /** The log of an embedded stream (created empty on first use). */
  log(stream: string): EmbeddedLog
  /** The rows of an embedded table. */
  tableRows(table: string): readonly Row[]
  putTableRows(table: string, rows: readonly Row[]): Promise<void>
  /** The checkpoint of a persistent query (created empty on first use). */
  checkpoint(queryId: string): QueryCheckpoint
  /** Removes a query's checkpoint (purge). */
  deleteCheckpoint(queryId: string): Promise<void>
  /** The data of a memory sink (created empty on first use); undefined when absent and `maxRows` not given. */
  memorySink(name: string, maxRows?: number): MemorySinkData | undefined
  close(): Promise<void>
}

export class MemoryDurableState implements DurableState {
  readonly relations = new Map<string, RelationDefinition>()
  readonly sinks = new Map<string, SinkDefinition>()
  readonly queries = new Map<string, StoredQuery>()
  private readonly logs = new Map<string, MemoryEmbeddedLog>()
  private readonly tables = new Map<string, readonly Row[]>()
  private readonly checkpoints = new Map<string, MemoryCheckpoint>()
  private readonly sinkData = new Map<string, MemorySinkData>()
  private nextQueryNumber = 1

  async putRelation(def: RelationDefinition): Promise<void> {
    this.relations.set(def.name, def)
  }

  async deleteRelation(name: string): Promise<void> {
    this.relations.delete(name)
    this.logs.delete(name)
    this.tables.delete(name)
  }

  async putSink(def: SinkDefinition): Promise<void> {
    this.sinks.set(def.name, def)
  }

  async deleteSink(name: string): Promise<void> {
    this.sinks.delete(name)
    this.sinkData.delete(name)
  }

  async putQuery(query: StoredQuery): Promise<void> {
    this.queries.set(query.id, query)
  }

  async newQueryId(): Promise<string> {
    return `q${this.nextQueryNumber++}`
  }

  log(stream: string): EmbeddedLog {
    let log = this.logs.get(stream)
    if (!log) this.logs.set(stream, (log = new MemoryEmbeddedLog()))
    return log
  }

  tableRows(table: string): readonly Row[] {
    return this.tables.get(table) ?? []
  }

  async putTableRows(table: string, rows: readonly Row[]): Promise<void> {
    this.tables.set(table, [...rows])
  }

  checkpoint(queryId: string): QueryCheckpoint {
    let cp = this.checkpoints.get(queryId)
    if (!cp) this.checkpoints.set(queryId, (cp = new MemoryCheckpoint()))
    return cp
  }

  async deleteCheckpoint(queryId: string): Promise<void> {
    this.checkpoints.delete(queryId)
  }

  memorySink(name: string, maxRows?: number): MemorySinkData | undefined {
    let d = this.sinkData.get(name)
    if (!d && maxRows !== undefined) this.sinkData.set(name, (d = new MemorySinkData(maxRows)))
    return d
  }

  async close(): Promise<void> {}
}
