/**
 * The file sink: each batch becomes one file of JSON lines (`format = 'json'`, one object per
 * row keyed by column name) or CSV (`format = 'csv'`, with a header line) in the sink's
 * directory.
 *
 * Guarantee: exactly-once, for readers that follow the sink log (`readFileSink`). A batch is
 * written to a temporary file, fsynced, renamed to `part-<queryId>-<batchId>.<ext>`, and only
 * then recorded in `_weir_metadata/log.jsonl` (file-sink-log.ts). A batch id the log already
 * holds for the query is not written again; if its content differs from what was committed
 * (which would mean the checkpoint lost a synced write), the sink fails with
 * `SINK_BATCH_MISMATCH` rather than silently keep either version. A file without a log line
 * (a crash between rename and log append) is replaced by the re-run of its batch.
 *
 * Like Spark's file sink it accepts append output mode only: files cannot retract rows.
 * Timestamps are written as ISO-8601 with `Z`.
 */
import { createHash } from 'node:crypto'
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import { formatTimestamp, type ChangeBatch, type Field, type Row, type Value } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import { FileSinkLog, readFileSinkLog } from './file-sink-log.ts'
import type { FileFormat } from './file-sink-options.ts'

export class FileSink implements Sink {
  readonly guarantee = 'exactly-once' as const
  readonly description: string

  private constructor(name: string, private readonly dir: string, private readonly format: FileFormat, private readonly log: FileSinkLog) {
    this.description = `FileSink[${name}: ${dir}]`
  }

  static async open(name: string, dir: string, format: FileFormat): Promise<FileSink> {
    const log = await FileSinkLog.open(dir)
    // Temporary files are leftovers of batches that were never renamed into place.
    for (const f of await readdir(dir)) if (f.startsWith('.part-') && f.endsWith('.tmp')) await unlink(join(dir, f)).catch(() => undefined)
    return new FileSink(name, dir, format, log)
  }

  async write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    if (info.outputMode !== 'append' || changes.snapshot === true || (changes.ops !== null && changes.ops.some((op) => op !== '+'))) {
      throw new WeirError('UNSUPPORTED_OPERATION', `the file sink accepts append output mode only (files cannot retract rows); this query is in ${info.outputMode} mode`)
    }
    const text = this.format === 'json' ? toJsonLines(changes.rows, info.schema.fields) : toCsv(changes.rows, info.schema.fields)
    const sha256 = createHash('sha256').update(text).digest('hex')
    const committed = this.log.get(info.queryId, batchId)
    if (committed) {
      if (committed.sha256 === sha256) return
      throw new WeirError('SINK_BATCH_MISMATCH',
        `batch ${batchId} of query ${info.queryId} was already committed to ${this.dir} with different content (${committed.rows} rows, now ${changes.rows.length}); ` +
        `the query's checkpoint lost writes the sink kept. Start the query under a new name or move the sink's directory aside`,
        { domain: 'external', retryable: false })
    }
    let file: string | null = null
    if (changes.rows.length > 0) {
      file = `part-${info.queryId}-${String(batchId).padStart(8, '0')}.${this.format === 'json' ? 'jsonl' : 'csv'}`
      const tmp = join(this.dir, `.${file}.tmp`)
      const handle = await open(tmp, 'w')
      try {
        await handle.write(text)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(tmp, join(this.dir, file))
      await syncDir(this.dir)
    }
    await this.log.append({ queryId: info.queryId, batchId, file, rows: changes.rows.length, sha256 })
  }

  async close(): Promise<void> {
    await this.log.close()
  }
}

/** The committed contents of a file sink, batch by batch in commit order: JSON rows as objects, CSV rows as lines. */
export async function readFileSink(dir: string): Promise<{ queryId: string; batchId: number; rows: unknown[] }[]> {
  const out: { queryId: string; batchId: number; rows: unknown[] }[] = []
  for (const e of await readFileSinkLog(dir)) {
    if (e.file === null) continue
    const text = await readFile(join(dir, e.file), 'utf8')
    const lines = text.split('\n').filter((l) => l !== '')
    const rows = e.file.endsWith('.jsonl') ? lines.map((l) => JSON.parse(l) as unknown) : lines.slice(1)
    out.push({ queryId: e.queryId, batchId: e.batchId, rows })
  }
  return out
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function wireValue(v: Value, field: Field): Value {
  return field.type === 'TIMESTAMP' && typeof v === 'number' ? formatTimestamp(v) : v
}

export function toJsonLines(rows: readonly Row[], fields: readonly Field[]): string {
  let out = ''
  for (const row of rows) {
    const obj: Record<string, Value> = {}
    for (let i = 0; i < fields.length; i++) obj[fields[i]!.name] = wireValue(row[i] ?? null, fields[i]!)
    out += JSON.stringify(obj) + '\n'
  }
  return out
}

export function toCsv(rows: readonly Row[], fields: readonly Field[]): string {
  if (rows.length === 0) return ''
  let out = fields.map((f) => csvCell(f.name)).join(',') + '\n'
  for (const row of rows) out += fields.map((f, i) => csvValue(wireValue(row[i] ?? null, f))).join(',') + '\n'
  return out
}

function csvValue(v: Value): string {
  if (v === null) return ''
  if (typeof v === 'string') return csvCell(v)
  if (typeof v === 'object') return csvCell(JSON.stringify(v))
  return String(v)
}

function csvCell(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s
}
