/**
 * Decoding a source file's rows, on the query's thread or on a pool of worker threads.
 *
 * Decoding (JSON scanning, type conversion, timestamp parsing) costs more than most queries' own
 * work, so the file source hands whole files to worker threads and reads ahead: while the query
 * runs one batch, the workers decode the files of the next (file-source.ts). A worker sends its
 * rows back in columns (row-columns.ts), which the query's thread turns into rows for a fraction
 * of the cost of decoding — unlike a structured clone of the rows, which costs as much as the
 * decoding itself.
 *
 * Both paths give the same rows, the same malformed-row counts and the same errors.
 */
import { open } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { WorkerPool } from '../../runtime/threads/worker-pool.ts'
import { WeirError } from '../../runtime/errors.ts'
import { parseCsvText, parseRecords, type ParseOptions, type ParseResult } from './file-formats.ts'
import { parseJsonLines, scanJsonLines } from './json-scan.ts'
import { readParquetRows } from './parquet.ts'
import { RowColumns, unpackColumns, type PackedColumns } from './row-columns.ts'

/** One file to decode: its first `size` bytes (what it held when the source took it). */
export interface DecodeRequest {
  readonly path: string
  readonly size: number
  readonly parse: ParseOptions
  /** For SOURCE_FILE_CHANGED messages. */
  readonly source: string
}

/** Files smaller than this are decoded on the query's thread: a worker round trip would cost more. */
export const MIN_WORKER_BYTES = 256 * 1024

export interface FileDecoder {
  /** Worker threads decoding files (0: all on the query's thread). */
  readonly threads: number
  decode(req: DecodeRequest): Promise<ParseResult>
}

/** Rows of a file's bytes, in the declared columns. */
export async function parseFile(bytes: Uint8Array, opts: ParseOptions): Promise<ParseResult> {
  switch (opts.format) {
    case 'json':
      return parseJsonLines(bytes, opts)
    case 'csv':
      return parseCsvText(new TextDecoder().decode(bytes), opts)
    case 'parquet':
      return parseRecords(await readParquetRows(bytes, opts.file), opts)
  }
}

/** Reads and decodes a file on the calling thread. */
export async function decodeHere(req: DecodeRequest): Promise<ParseResult> {
  return parseFile(await readTakenBytes(req.path, req.size, req.source), req.parse)
}

/** Reads and decodes a file into columns: what the workers do (parse-worker.ts). */
export async function decodeColumns(req: DecodeRequest): Promise<PackedColumns> {
  const bytes = await readTakenBytes(req.path, req.size, req.source)
  if (req.parse.format === 'json') return scanJsonLines(bytes, req.parse)
  const result = await parseFile(bytes, req.parse)
  const out = new RowColumns(req.parse.fields.length, result.rows.length)
  for (const row of result.rows) out.addRow(row)
  return out.finish(result.malformed)
}

const pools = new Map<number, WorkerPool<DecodeRequest, PackedColumns>>()

/**
 * A decoder with `threads` worker threads (0: none). Pools are per process and shared by every
 * file source that asks for the same size; their workers start on first use.
 */
export function fileDecoder(threads: number): FileDecoder {
  if (threads <= 0) return { threads: 0, decode: decodeHere }
  let pool = pools.get(threads)
  if (!pool) pools.set(threads, (pool = new WorkerPool(new URL('./parse-worker.ts', import.meta.url), threads)))
  const p = pool
  return {
    threads,
    decode: async (req) => {
      if (req.size < MIN_WORKER_BYTES) return decodeHere(req)
      const packed = await p.run(req)
      return { rows: unpackColumns(packed), malformed: packed.malformed }
    },
  }
}

/** The default: one decoding thread per core, up to 4; none on a single core. */
export function defaultDecodeThreads(): number {
  const cores = availableParallelism()
  return cores <= 1 ? 0 : Math.min(cores, 4)
}

/** The first `size` bytes of a taken file; SOURCE_FILE_CHANGED if it is gone or shorter. */
export async function readTakenBytes(path: string, size: number, source: string): Promise<Uint8Array> {
  const changed = (why: string): WeirError => new WeirError('SOURCE_FILE_CHANGED',
    `${path} ${why} after ${source} took it; files in a source directory must be complete when they appear (write name.tmp, then rename) and must not change`,
    { domain: 'external', retryable: false })
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw changed('was removed')
    throw err
  }
  try {
    const buf = new Uint8Array(size)
    let got = 0
    while (got < size) {
      const { bytesRead } = await handle.read(buf, got, size - got, got)
      if (bytesRead === 0) throw changed(`shrank below ${size} bytes`)
      got += bytesRead
    }
    return buf
  } finally {
    await handle.close()
  }
}
