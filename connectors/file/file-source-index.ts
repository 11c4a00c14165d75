/**
 * The durable file index of one file source in one query: the files the source has taken, in
 * the order it takes them. A file's position in the index is its sequence number, and the
 * source's offset `{"files": N}` means "the first N files of the index". The index is what makes
 * an offset range mean the same files after a restart, so an entry is appended (and fsynced)
 * BEFORE any offset that covers it is returned to the executor, which logs that offset next.
 *
 * Kept at `<dataDir>/file-sources/<queryId>/<stream>.jsonl`, one JSON line per file
 * (`{"name","mtime","size"}`) plus `{"cleaned": N}` lines recording how many files the cleanup
 * has deleted or archived. A partial last line (a crash while appending) is cut off on open:
 * its file was never part of a logged offset. Without a data directory the index lives in
 * memory (such an engine does not survive a restart anyway).
 */
import { readCompleteLines } from './jsonl-log.ts'
import { mkdir, open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { WeirError } from '../../runtime/errors.ts'

export interface IndexedFile {
  /** The name inside the source directory. */
  readonly name: string
  /** Modification time (ms) when taken. */
  readonly mtime: number
  /** Size in bytes when taken: only these bytes are ever read, so a re-read gives the same rows. */
  readonly size: number
}

export class FileSourceIndex {
  private readonly files: IndexedFile[] = []
  private readonly names = new Set<string>()
  private cleaned = 0

  private constructor(private readonly handle: FileHandle | null) {}

  /** `path` null: in memory. */
  static async open(path: string | null): Promise<FileSourceIndex> {
    if (path === null) return new FileSourceIndex(null)
    await mkdir(dirname(path), { recursive: true })
    const lines = await readCompleteLines(path, true)
    const index = new FileSourceIndex(await open(path, 'a'))
    lines.forEach((line, i) => {
      if (line === '') return
      let e: { name?: unknown; mtime?: unknown; size?: unknown; cleaned?: unknown }
      try {
        e = JSON.parse(line) as typeof e
      } catch (err) {
        throw new WeirError('CHECKPOINT_CORRUPT', `the file source index ${path} is damaged at line ${i + 1}`, { domain: 'internal', cause: err })
      }
      if (typeof e.cleaned === 'number') index.cleaned = Math.max(index.cleaned, e.cleaned)
      else if (typeof e.name === 'string' && typeof e.mtime === 'number' && typeof e.size === 'number') index.push({ name: e.name, mtime: e.mtime, size: e.size })
    })
    return index
  }

  get length(): number {
    return this.files.length
  }

  /** How many of the first files the cleanup has already handled. */
  get cleanedUpTo(): number {
    return this.cleaned
  }

  at(seq: number): IndexedFile | undefined {
    return this.files[seq]
  }

  has(name: string): boolean {
    return this.names.has(name)
  }

  /** Appends files durably, in the given order. */
  async append(files: readonly IndexedFile[]): Promise<void> {
    if (files.length === 0) return
    await this.write(files.map((f) => JSON.stringify({ name: f.name, mtime: f.mtime, size: f.size }) + '\n').join(''))
    for (const f of files) this.push(f)
  }

  async markCleaned(upTo: number): Promise<void> {
    if (upTo <= this.cleaned) return
    await this.write(JSON.stringify({ cleaned: upTo }) + '\n')
    this.cleaned = upTo
  }

  async close(): Promise<void> {
    await this.handle?.close()
  }

  private push(f: IndexedFile): void {
    this.files.push(f)
    this.names.add(f.name)
  }

  private async write(text: string): Promise<void> {
    if (this.handle === null) return
    await this.handle.write(text)
    await this.handle.datasync()
  }
}
