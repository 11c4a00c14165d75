/**
 * The commit log of a file sink, beside its data (`<path>/_weir_metadata/log.jsonl`, like
 * Spark's `_spark_metadata`): one JSON line per committed batch, appended and fsynced after the
 * batch's data file was renamed into place. A data file is part of the sink's contents only
 * once its line is in the log, so readers that follow the log never see a partial batch or a
 * batch twice.
 *
 * A crash while appending can leave a partial last line; `open` cuts it off (that batch was not
 * committed and will be written again). A damaged line before the last is reported, never
 * skipped.
 */
import { readCompleteLines } from './jsonl-log.ts'
import { mkdir, open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { WeirError } from '../../runtime/errors.ts'

export const METADATA_DIR = '_weir_metadata'
const LOG_FILE = 'log.jsonl'

export interface FileSinkLogEntry {
  readonly queryId: string
  /** The batch; for a part file that holds several batches (rollover), the first. */
  readonly batchId: number
  /** The data file, relative to the sink's directory; null for a batch without rows. */
  readonly file: string | null
  readonly rows: number
  /** SHA-256 of the batch's rows as JSON (`batchHash`): a re-run batch must produce the same. */
  readonly sha256: string
  /** Set for a part file finished by rollover: each batch in it, in order. */
  readonly batches?: readonly { readonly batchId: number; readonly rows: number; readonly sha256: string }[]
}

export class FileSinkLog {
  private readonly byBatch = new Map<string, FileSinkLogEntry>()

  private constructor(private readonly handle: FileHandle, readonly entries: FileSinkLogEntry[]) {
    for (const e of entries) this.index(e)
  }

  static async open(dir: string): Promise<FileSinkLog> {
    const metaDir = join(dir, METADATA_DIR)
    await mkdir(metaDir, { recursive: true })
    const path = join(metaDir, LOG_FILE)
    const entries = await readLog(path, true)
    return new FileSinkLog(await open(path, 'a'), entries)
  }

  /** The committed batch (for a rollover part: that batch's own rows and hash). */
  get(queryId: string, batchId: number): FileSinkLogEntry | undefined {
    return this.byBatch.get(batchKey(queryId, batchId))
  }

  /** Whether a data file is recorded. */
  hasFile(file: string): boolean {
    return this.entries.some((e) => e.file === file)
  }

  async append(entry: FileSinkLogEntry): Promise<void> {
    await this.handle.write(JSON.stringify(entry) + '\n')
    await this.handle.datasync()
    this.entries.push(entry)
    this.index(entry)
  }

  private index(e: FileSinkLogEntry): void {
    if (e.batches === undefined) {
      this.byBatch.set(batchKey(e.queryId, e.batchId), e)
      return
    }
    for (const b of e.batches) this.byBatch.set(batchKey(e.queryId, b.batchId), { queryId: e.queryId, batchId: b.batchId, file: e.file, rows: b.rows, sha256: b.sha256 })
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

/** The committed entries of a sink's log, in commit order (for readers). */
export async function readFileSinkLog(dir: string): Promise<FileSinkLogEntry[]> {
  return readLog(join(dir, METADATA_DIR, LOG_FILE), false)
}

async function readLog(path: string, repair: boolean): Promise<FileSinkLogEntry[]> {
  const entries: FileSinkLogEntry[] = []
  const lines = await readCompleteLines(path, repair)
  lines.forEach((line, i) => {
    try {
      const e = JSON.parse(line) as FileSinkLogEntry
      if (typeof e.queryId !== 'string' || typeof e.batchId !== 'number') throw new TypeError('not a log entry')
      entries.push(e)
    } catch (err) {
      throw new WeirError('SINK_LOG_CORRUPT', `the file sink log ${path} is damaged at line ${i + 1}; move the directory aside to start a new sink`, {
        domain: 'external', retryable: false, cause: err,
      })
    }
  })
  return entries
}

function batchKey(queryId: string, batchId: number): string {
  return `${queryId}\u0000${batchId}`
}
