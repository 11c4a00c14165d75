/**
 * The file source: new files in a directory, each read exactly once, as Spark's file stream
 * source.
 *
 * - Order: each listing takes the files not yet taken, sorted by modification time, then name,
 *   and appends them to the query's durable file index (file-source-index.ts). The offset
 *   `{"files": N}` is "the first N files of the index", so a range means the same files after
 *   a restart, and `read` returns the same rows: only the bytes a file had when it was taken are
 *   read, and malformed rows are handled the same way each time.
 * - Half-written files: names starting with `.` or `_` and names ending in `.tmp` are never
 *   taken. A producer writes `name.tmp` (or `.name`) and renames it when complete (a rename is
 *   atomic within a file system). A directory written by Weir's file sink is read through the
 *   sink's log instead (`_weir_metadata/log.jsonl`): only committed part files, in commit order.
 * - Rate limits: `max_files_per_batch`, and `max_rows_per_batch` at file granularity (a batch
 *   takes whole files while they fit, and always at least one).
 * - Decoding runs on worker threads (file-decode.ts) when the server has them: the files of a
 *   batch are decoded in parallel, and once a batch is read the files of the next are decoded
 *   ahead, while the query works — within a budget of `READ_AHEAD_BYTES` of file.
 * - Cleanup (`'delete'` or `'archive'` to `archive_dir`) happens lazily: when a batch starting at
 *   N is planned or read, the files before N belong to committed batches, so a re-run of an
 *   uncommitted batch still finds its files.
 *
 * WARNING: files must not change once visible (appends after the file was taken are not read;
 * a file that shrinks or disappears before its batch committed fails the query with
 * SOURCE_FILE_CHANGED). Names are taken once: a new file reusing an old name is ignored.
 */
import { copyFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ReadLimit, Source, SourceOffset } from '../../runtime/source.ts'
import type { Field, Row } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import type { FileFormat, OnError, ParseResult } from './file-formats.ts'
import { fileDecoder, readTakenBytes, type FileDecoder } from './file-decode.ts'
import { FileSourceIndex, type IndexedFile } from './file-source-index.ts'
import { readFileSinkLog } from './file-sink-log.ts'
import { parquetRowCount } from './parquet.ts'

export type Cleanup = 'none' | 'delete' | 'archive'

export interface FileSourceOptions {
  readonly stream: string
  readonly dir: string
  readonly fields: readonly Field[]
  readonly format: FileFormat
  readonly header: boolean
  readonly onError: OnError
  readonly maxFilesPerBatch: number | null
  readonly cleanup: Cleanup
  /** Absolute, for `cleanup = 'archive'`. */
  readonly archiveDir: string | null
  readonly startAtLatest: boolean
  /** Where files are decoded (default: on the query's thread). */
  readonly decoder?: FileDecoder
  /** The columns the query reads (absent: all); the others may be left NULL. */
  readonly columns?: readonly number[]
}

/** At most this many bytes of files decoded ahead of the batch that reads them. */
export const READ_AHEAD_BYTES = 256 * 1024 * 1024

export class FileSource implements Source {
  readonly description: string
  private malformed = 0
  /** Files being decoded or decoded ahead of their batch (read ahead, or counted while planning a row-limited batch). */
  private readonly parsed = new Map<number, Promise<ParseResult>>()
  private readonly decoder: FileDecoder

  constructor(private readonly opts: FileSourceOptions, private readonly index: FileSourceIndex) {
    this.description = `FileSource[${opts.stream}: ${opts.dir}]`
    this.decoder = opts.decoder ?? fileDecoder(0)
  }

  /** Rows dropped as malformed (`on_error = 'skip'`) by this source since it was created. */
  get malformedRows(): number {
    return this.malformed
  }

  /** Progress `sources[].metrics`, named as the Kafka source's: malformed rows, all skipped (with 'fail' the read fails). */
  metrics(): Readonly<Record<string, number>> {
    return { malformedRecords: this.malformed, recordsSkipped: this.malformed }
  }

  async initialOffset(): Promise<SourceOffset> {
    if (!this.opts.startAtLatest) return offset(0)
    await this.refresh()
    return offset(this.index.length)
  }

  async latestOffset(): Promise<SourceOffset> {
    await this.refresh()
    return offset(this.index.length)
  }

  async endOffset(start: SourceOffset, limit: ReadLimit): Promise<SourceOffset> {
    const from = files(start)
    await this.cleanupBefore(from)
    for (const seq of this.parsed.keys()) if (seq < from) this.parsed.delete(seq)
    await this.refresh()
    let end = this.index.length
    if (this.opts.maxFilesPerBatch !== null) end = Math.min(end, from + this.opts.maxFilesPerBatch)
    if (limit.maxRows !== null && end > from) {
      let rows = 0
      let take = from
      while (take < end) {
        const n = await this.rowCount(take)
        if (take > from && rows + n > limit.maxRows) break
        rows += n
        take++
      }
      end = take
    }
    return offset(Math.max(from, end))
  }

  async read(start: SourceOffset, end: SourceOffset): Promise<Row[]> {
    const from = files(start)
    const to = files(end)
    await this.cleanupBefore(from)
    if (to > this.index.length) {
      throw new WeirError('CHECKPOINT_CORRUPT', `the checkpoint asks ${this.description} for files up to ${to}, but its file index holds ${this.index.length}; the index under the data directory's file-sources/ was lost`, { domain: 'internal' })
    }
    // Every file of the batch is decoding before the first is awaited, so they decode in parallel.
    const pending: Promise<ParseResult>[] = []
    for (let seq = from; seq < to; seq++) pending.push(this.decode(seq))
    let out: Row[] = []
    for (let i = 0; i < pending.length; i++) {
      const result = await pending[i]!
      this.parsed.delete(from + i)
      this.malformed += result.malformed
      if (pending.length === 1) out = result.rows
      else for (const r of result.rows) out.push(r)
    }
    this.readAhead(to, to - from)
    return out
  }

  distance(from: SourceOffset, to: SourceOffset): number {
    // In files, not rows: counting rows would mean reading files that are not due yet.
    return files(to) - files(from)
  }

  async close(): Promise<void> {
    await this.index.close()
  }

  /** Takes the new files: appends them to the index durably, in modification time, then name, order. */
  private async refresh(): Promise<void> {
    const { fresh, logOrder } = await this.listNew()
    if (!logOrder) fresh.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    await this.index.append(fresh)
  }

  private async listNew(): Promise<{ fresh: IndexedFile[]; logOrder: boolean }> {
    const sinkLog = await readFileSinkLog(this.opts.dir)
    let names: string[]
    if (sinkLog.length > 0) {
      // A file sink's directory: its committed parts, in commit order.
      names = sinkLog.flatMap((e) => (e.file === null ? [] : [e.file]))
    } else {
      try {
        names = (await readdir(this.opts.dir)).filter(visibleName)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { fresh: [], logOrder: false }
        throw err
      }
    }
    const out: IndexedFile[] = []
    for (const name of names) {
      if (this.index.has(name)) continue
      try {
        const st = await stat(join(this.opts.dir, name))
        if (st.isFile()) out.push({ name, mtime: Math.floor(st.mtimeMs), size: st.size })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    return { fresh: out, logOrder: sinkLog.length > 0 }
  }

  private async rowCount(seq: number): Promise<number> {
    if (this.opts.format === 'parquet') {
      const f = this.entry(seq)
      return parquetRowCount(await readTakenBytes(join(this.opts.dir, f.name), f.size, this.description), f.name)
    }
    return (await this.decode(seq)).rows.length
  }

  /** The file's rows: decoded ahead, or now. The result stays in `parsed` until its batch is read. */
  private decode(seq: number): Promise<ParseResult> {
    let p = this.parsed.get(seq)
    if (!p) {
      const f = this.entry(seq)
      const { fields, format, header, onError, columns } = this.opts
      const path = join(this.opts.dir, f.name)
      const parse = { fields, format, header, onError, file: path, ...(columns ? { columns } : {}) }
      p = this.decoder.decode({ path, size: f.size, parse, source: this.description })
      // A failed decode is forgotten, so a retried batch decodes the file again; decoded ahead,
      // the failure belongs to the batch that reads the file, and until then is not unhandled.
      const decoding = p
      decoding.catch(() => {
        if (this.parsed.get(seq) === decoding) this.parsed.delete(seq)
      })
      this.parsed.set(seq, p)
    }
    return p
  }

  /**
   * Starts decoding the files after a batch — as many as it had, or one per decoding thread if
   * more — so the workers decode the next batch while the query runs this one.
   */
  private readAhead(next: number, count: number): void {
    if (this.decoder.threads === 0) return
    let bytes = 0
    for (const seq of this.parsed.keys()) if (seq >= next) bytes += this.index.at(seq)?.size ?? 0
    const end = Math.min(this.index.length, next + Math.max(count, this.decoder.threads))
    for (let seq = next; seq < end; seq++) {
      if (this.parsed.has(seq)) continue
      bytes += this.entry(seq).size
      if (bytes > READ_AHEAD_BYTES) break
      void this.decode(seq)
    }
  }

  private entry(seq: number): IndexedFile {
    const f = this.index.at(seq)
    if (!f) throw new WeirError('INTERNAL_ERROR', `${this.description} has no file ${seq}`, { domain: 'internal' })
    return f
  }

  /** Deletes or archives the files of committed batches (those before `upTo`). */
  private async cleanupBefore(upTo: number): Promise<void> {
    if (this.opts.cleanup === 'none' || upTo <= this.index.cleanedUpTo) return
    for (let seq = this.index.cleanedUpTo; seq < upTo; seq++) {
      const f = this.index.at(seq)
      if (!f) break
      const path = join(this.opts.dir, f.name)
      try {
        if (this.opts.cleanup === 'delete') await unlink(path)
        else await moveFile(path, join(this.opts.archiveDir!, f.name))
      } catch (err) {
        // Already gone (a crash after the move, before the index recorded it): nothing to do.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
    await this.index.markCleaned(Math.min(upTo, this.index.length))
  }
}

/** Whether a directory entry may be taken: not hidden, not metadata, not in progress. */
export function visibleName(name: string): boolean {
  return !name.startsWith('.') && !name.startsWith('_') && !name.endsWith('.tmp')
}

function offset(n: number): SourceOffset {
  return { files: n }
}

function files(o: SourceOffset): number {
  if (o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o.files === 'number') return o.files
  throw new WeirError('CHECKPOINT_CORRUPT', `not a file source offset: ${JSON.stringify(o)}`, { domain: 'internal' })
}

async function moveFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true })
  try {
    await rename(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    await copyFile(from, to)
    await unlink(from)
  }
}
