/**
 * The open part of a file sink with rollover: batches accepted but not yet in a finished part
 * file, kept durably in `<path>/_weir_metadata/staging-<queryId>.jsonl` (one JSON line per
 * batch: `{"batchId","at","sha256","rows"}`, appended and fsynced before `write` returns).
 *
 * Staged rows are invisible to readers of the sink log; they become visible when the part is
 * finished (file-sink.ts). Because a batch is durable here before the query commits it, a crash
 * after the commit loses nothing: the resumed query finds its staged batches and goes on
 * filling the same part. A partial last line (a crash while appending) is cut off on open; that
 * batch was not accepted, so the query re-runs it.
 */
import { readCompleteLines } from './jsonl-log.ts'
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { WeirError } from '../../runtime/errors.ts'
import type { Field, Row } from '../../runtime/types.ts'
import { METADATA_DIR } from './file-sink-log.ts'

export interface StagedBatch {
  readonly batchId: number
  /** When the batch was staged (clock ms): the part's age is its first batch's. */
  readonly at: number
  readonly sha256: string
  /** The columns the rows were written with (a part left by a stopped query is finished with them). */
  readonly fields: readonly Field[]
  readonly rows: Row[]
}

const PREFIX = 'staging-'

export class FileSinkStaging {
  private constructor(
    private readonly path: string,
    private handle: FileHandle | null,
    readonly queryId: string,
    readonly batches: StagedBatch[],
  ) {}

  /** Opens (or starts) the staging of one query; `keep` drops batches that are already in finished parts. */
  static async open(dir: string, queryId: string, keep: (b: StagedBatch) => boolean): Promise<FileSinkStaging> {
    const metaDir = join(dir, METADATA_DIR)
    await mkdir(metaDir, { recursive: true })
    const path = join(metaDir, `${PREFIX}${encodeURIComponent(queryId)}.jsonl`)
    const batches: StagedBatch[] = []
    ;(await readCompleteLines(path, true)).forEach((line, i) => {
      if (line === '') return
      try {
        const b = JSON.parse(line) as StagedBatch
        if (typeof b.batchId !== 'number' || !Array.isArray(b.rows)) throw new TypeError('not a staged batch')
        batches.push(b)
      } catch (err) {
        throw new WeirError('SINK_LOG_CORRUPT', `the file sink staging file ${path} is damaged at line ${i + 1}; move the directory aside to start a new sink`, {
          domain: 'external', retryable: false, cause: err,
        })
      }
    })
    const kept = batches.filter(keep)
    if (kept.length < batches.length) {
      // Batches already in a finished part (a crash before the staging file was removed).
      const handle = await open(path, 'w')
      try {
        await handle.write(kept.map((b) => JSON.stringify(b) + '\n').join(''))
        await handle.datasync()
      } finally {
        await handle.close()
      }
    }
    return new FileSinkStaging(path, null, queryId, kept)
  }

  /** The query ids with a staging file in the sink's directory. */
  static async queries(dir: string): Promise<string[]> {
    try {
      const names = await readdir(join(dir, METADATA_DIR))
      return names.filter((n) => n.startsWith(PREFIX) && n.endsWith('.jsonl')).map((n) => decodeURIComponent(n.slice(PREFIX.length, -'.jsonl'.length)))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
  }

  get rows(): number {
    return this.batches.reduce((n, b) => n + b.rows.length, 0)
  }

  get firstAt(): number | null {
    return this.batches[0]?.at ?? null
  }

  find(batchId: number): StagedBatch | undefined {
    return this.batches.find((b) => b.batchId === batchId)
  }

  async add(batch: StagedBatch): Promise<void> {
    if (this.handle === null) this.handle = await open(this.path, 'a')
    await this.handle.write(JSON.stringify(batch) + '\n')
    await this.handle.datasync()
    this.batches.push(batch)
  }

  /** Forgets every staged batch (they are in a finished part now). */
  async clear(): Promise<void> {
    await this.handle?.close()
    this.handle = null
    this.batches.length = 0
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
  }

  async close(): Promise<void> {
    await this.handle?.close()
    this.handle = null
  }
}
