/**
 * What an engine keeps across a restart: the catalog, embedded streams and tables, query
 * checkpoints and memory sinks. This in-memory version survives a restart within one process
 * (tests pass it to the next `Engine.open`); the LevelDB-backed version keeps it on disk.
 */
import type { RelationDefinition, SinkDefinition } from '../planner/ddl.ts'
import { MemoryCheckpoint } from '../runtime/checkpoint.ts'
import type { Row } from '../runtime/types.ts'
import { EmbeddedLog } from '../connectors/embedded/embedded-stream.ts'
import { MemorySinkData } from '../connectors/memory/memory-sink.ts'
import type { SessionOptions } from './engine-api.ts'

export interface StoredQuery {
  readonly id: string
  readonly name: string | null
  /** The statement text, replanned on restart. */
  readonly sql: string
  readonly session: SessionOptions
  readonly sink: string
  status: 'running' | 'stopped' | 'failed'
  error: { code: string; message: string } | null
}

export class DurableState {
  readonly relations = new Map<string, RelationDefinition>()
  readonly sinks = new Map<string, SinkDefinition>()
  readonly queries = new Map<string, StoredQuery>()
  readonly logs = new Map<string, EmbeddedLog>()
  readonly tableRows = new Map<string, Row[]>()
  readonly checkpoints = new Map<string, MemoryCheckpoint>()
  readonly sinkData = new Map<string, MemorySinkData>()
  nextQueryNumber = 1

  log(stream: string): EmbeddedLog {
    let log = this.logs.get(stream)
    if (!log) this.logs.set(stream, (log = new EmbeddedLog()))
    return log
  }

  checkpoint(queryId: string): MemoryCheckpoint {
    let cp = this.checkpoints.get(queryId)
    if (!cp) this.checkpoints.set(queryId, (cp = new MemoryCheckpoint()))
    return cp
  }

  memorySink(name: string, maxRows: number): MemorySinkData {
    let d = this.sinkData.get(name)
    if (!d) this.sinkData.set(name, (d = new MemorySinkData(maxRows)))
    return d
  }
}
