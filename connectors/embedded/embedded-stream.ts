/**
 * An embedded stream: an append-only log of rows inside the server, written by INSERT and the
 * ingest endpoint and read by queries like a one-partition Kafka topic. Its offset is the number
 * of rows appended before a row (the first row is at 0).
 *
 * This implementation keeps the log in memory (it survives an engine restart within one
 * process through the engine's durable state); the LevelDB-backed log replaces it for servers.
 */
import type { ReadLimit, Source, SourceOffset } from '../../runtime/source.ts'
import type { Row } from '../../runtime/types.ts'
import { internalError } from '../../runtime/errors.ts'

/**
 * The log behind an embedded stream. `append` resolves once the rows are durable (for the
 * LevelDB log) and only then are listeners told; `slice` returns exactly the rows of a range.
 */
export interface EmbeddedLog {
  readonly length: number
  append(rows: readonly Row[]): Promise<number>
  slice(start: number, end: number): Promise<Row[]>
  subscribe(listener: () => void): () => void
}

export class MemoryEmbeddedLog implements EmbeddedLog {
  private readonly rows: Row[] = []
  private readonly listeners = new Set<() => void>()

  get length(): number {
    return this.rows.length
  }

  /** Appends rows; returns the offset of the first one. */
  async append(rows: readonly Row[]): Promise<number> {
    const start = this.rows.length
    for (const r of rows) this.rows.push(r)
    for (const l of this.listeners) l()
    return start
  }

  async slice(start: number, end: number): Promise<Row[]> {
    return this.rows.slice(start, end)
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

export class EmbeddedStreamSource implements Source {
  readonly description: string

  constructor(name: string, private readonly log: EmbeddedLog, private readonly startAtLatest = false) {
    this.description = `EmbeddedStream[${name}]`
  }

  async initialOffset(): Promise<SourceOffset> {
    return this.startAtLatest ? this.log.length : 0
  }

  async latestOffset(): Promise<SourceOffset> {
    return this.log.length
  }

  async endOffset(start: SourceOffset, limit: ReadLimit): Promise<SourceOffset> {
    const from = asOffset(start)
    const latest = this.log.length
    return limit.maxRows === null ? latest : Math.min(latest, from + limit.maxRows)
  }

  async read(start: SourceOffset, end: SourceOffset): Promise<Row[]> {
    return this.log.slice(asOffset(start), asOffset(end))
  }

  distance(from: SourceOffset, to: SourceOffset): number {
    return asOffset(to) - asOffset(from)
  }

  onData(listener: () => void): () => void {
    return this.log.subscribe(listener)
  }

  async close(): Promise<void> {}
}

function asOffset(o: SourceOffset): number {
  if (typeof o !== 'number') throw internalError(`an embedded stream offset is a number, not ${JSON.stringify(o)}`)
  return o
}
