/**
 * An embedded stream's log in LevelDB: append-only, replayable from any offset.
 *
 * Rows are stored in chunks under `prefix + offset` (8 bytes, big-endian: the offset of the
 * chunk's first row), each chunk a JSON array of at most `CHUNK_ROWS` rows. One `append` is one
 * synced LevelDB write (atomic: all its chunks or none), and only once it is durable do
 * `length` and the listeners see the new rows — a query never reads a row that a crash could
 * take back. Appends are serialised, so offsets are assigned in order.
 *
 * The newest rows (up to `cacheRows`) are also kept in memory, so queries that keep up never
 * read the disk; older ranges are read chunk by chunk.
 *
 * WARNING: `prefix` must be an encoded key that no other data in the database starts with.
 */
import type { Level } from 'level'
import type { Row } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import type { EmbeddedLog } from './embedded-stream.ts'

/** The database handle shared with the server: binary keys, UTF-8 (JSON) values. */
export type LogDb = Level<Buffer, string>
/** Performs a write; tests substitute failures (a full disk) and crashes. */
export type LogWriteInterceptor = (write: () => Promise<void>) => Promise<void>

const CHUNK_ROWS = 4096

export interface LevelEmbeddedLogOptions {
  /** How many of the newest rows to keep in memory. Default 200 000. */
  readonly cacheRows?: number
  readonly intercept?: LogWriteInterceptor
}

interface CachedChunk {
  readonly start: number
  readonly rows: readonly Row[]
}

export class LevelEmbeddedLog implements EmbeddedLog {
  private durableLength: number
  private readonly listeners = new Set<() => void>()
  private readonly cache: CachedChunk[] = []
  private cachedRows = 0
  private appending: Promise<unknown> = Promise.resolve()
  private readonly cacheRows: number
  private readonly intercept: LogWriteInterceptor

  private constructor(private readonly db: LogDb, private readonly prefix: Buffer, length: number, opts: LevelEmbeddedLogOptions) {
    this.durableLength = length
    this.cacheRows = opts.cacheRows ?? 200_000
    this.intercept = opts.intercept ?? ((write) => write())
  }

  static async open(db: LogDb, prefix: Buffer, opts: LevelEmbeddedLogOptions = {}): Promise<LevelEmbeddedLog> {
    const last = await db.iterator({ gte: prefix, lt: prefixEnd(prefix), reverse: true, limit: 1 }).all()
    let length = 0
    if (last[0] !== undefined) {
      const [key, text] = last[0]
      length = offsetOf(key, prefix.length) + parseChunk(text, prefix).length
    }
    return new LevelEmbeddedLog(db, prefix, length, opts)
  }

  get length(): number {
    return this.durableLength
  }

  /** Appends rows durably; returns the offset of the first one. */
  append(rows: readonly Row[]): Promise<number> {
    const work = this.appending.then(() => this.write(rows))
    this.appending = work.catch(() => undefined)
    return work
  }

  async slice(start: number, end: number): Promise<Row[]> {
    end = Math.min(end, this.durableLength)
    if (start >= end) return []
    const out: Row[] = []
    const cacheStart = this.durableLength - this.cachedRows
    if (start < cacheStart) await this.readDisk(start, Math.min(end, cacheStart), out)
    if (end > cacheStart) {
      for (const chunk of this.cache) {
        const chunkEnd = chunk.start + chunk.rows.length
        if (chunkEnd <= start || chunk.start >= end) continue
        const from = Math.max(start, chunk.start) - chunk.start
        const to = Math.min(end, chunkEnd) - chunk.start
        for (let i = from; i < to; i++) out.push(chunk.rows[i]!)
      }
    }
    return out
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private async write(rows: readonly Row[]): Promise<number> {
    const start = this.durableLength
    if (rows.length === 0) return start
    const chunks: CachedChunk[] = []
    const chained = this.db.batch()
    for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
      const part = rows.slice(i, i + CHUNK_ROWS)
      chained.put(keyOf(this.prefix, start + i), JSON.stringify(part))
      chunks.push({ start: start + i, rows: part })
    }
    try {
      await this.intercept(() => chained.write({ sync: true }))
    } catch (err) {
      await chained.close().catch(() => undefined)
      if (err instanceof WeirError) throw err
      throw new WeirError('STORAGE_WRITE_FAILED', `appending to the embedded stream failed: ${err instanceof Error ? err.message : String(err)}`, {
        domain: 'external', cause: err, retryable: true, status: 503,
      })
    }
    this.durableLength = start + rows.length
    for (const c of chunks) this.cache.push(c)
    this.cachedRows += rows.length
    while (this.cache.length > 1 && this.cachedRows - this.cache[0]!.rows.length >= this.cacheRows) {
      this.cachedRows -= this.cache.shift()!.rows.length
    }
    for (const l of this.listeners) l()
    return start
  }

  private async readDisk(start: number, end: number, out: Row[]): Promise<void> {
    // The chunk holding `start` is the last one whose key is at or before it.
    const first = await this.db.keys({ gte: this.prefix, lte: keyOf(this.prefix, start), reverse: true, limit: 1 }).all()
    const from = first[0] ?? keyOf(this.prefix, start)
    const it = this.db.iterator({ gte: from, lt: keyOf(this.prefix, end) })
    try {
      for (;;) {
        const entries = await it.nextv(64)
        if (entries.length === 0) break
        for (const [key, text] of entries) {
          const chunkStart = offsetOf(key, this.prefix.length)
          const rows = parseChunk(text, this.prefix)
          const lo = Math.max(start, chunkStart) - chunkStart
          const hi = Math.min(end, chunkStart + rows.length) - chunkStart
          for (let i = lo; i < hi; i++) out.push(rows[i]!)
        }
      }
    } finally {
      await it.close()
    }
  }
}

function keyOf(prefix: Buffer, offset: number): Buffer {
  const key = Buffer.allocUnsafe(prefix.length + 8)
  prefix.copy(key, 0)
  key.writeUInt32BE(Math.floor(offset / 2 ** 32), prefix.length)
  key.writeUInt32BE(offset >>> 0, prefix.length + 4)
  return key
}

function offsetOf(key: Buffer, at: number): number {
  return key.readUInt32BE(at) * 2 ** 32 + key.readUInt32BE(at + 4)
}

function prefixEnd(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, Buffer.of(0xff)])
}

function parseChunk(text: string, prefix: Buffer): Row[] {
  try {
    const rows = JSON.parse(text) as unknown
    if (Array.isArray(rows)) return rows as Row[]
  } catch {
    // reported below
  }
  throw new WeirError('CHECKPOINT_CORRUPT', `an embedded stream log chunk (key ${prefix.toString('hex')}…) is damaged: not a JSON array of rows`, {
    domain: 'internal', retryable: false,
  })
}
