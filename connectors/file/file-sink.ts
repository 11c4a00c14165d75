/**
 * The file sink: rows as JSON lines (`format = 'json'`, one object per row keyed by column
 * name), CSV (`'csv'`, with a header line unless `header = false`) or Parquet (`'parquet'`) in
 * the sink's directory.
 *
 * Guarantee: exactly-once, for readers that follow the sink log (`readFileSink`, or Weir's file
 * source, which reads such a directory through its log). A part file is written to a temporary
 * file, fsynced, renamed to `part-<queryId>-<batchId>[-<lastBatchId>].<ext>`, and only then
 * recorded in `_weir_metadata/log.jsonl` (file-sink-log.ts). A batch id the log (or the staging)
 * already holds for the query is not written again; if its content differs (which would mean
 * the checkpoint lost a synced write), the sink fails with `SINK_BATCH_MISMATCH` rather than
 * keep either version silently.
 *
 * Rollover. Without `rollover_rows`/`rollover_interval`, each batch with rows is one part file,
 * visible at once. With either, batches accumulate in an open part: each accepted batch is
 * appended to the durable staging file (file-sink-staging.ts) before `write` returns, and the
 * part is finished — rendered, renamed and logged as ONE log line listing its batches — once
 * it holds `rollover_rows` rows, once its first batch is `rollover_interval` old (checked on
 * each batch and by a timer), or when the sink closes. Crash recovery, at each step:
 * - during a staging append: the partial line is cut off; that batch was not accepted and is
 *   re-run by the query;
 * - after staging, before the query's commit: the re-run batch is found staged and ignored;
 * - after the commit: the staged rows stay staged and the resumed query keeps filling the part;
 * - while finishing, before the log line: the renamed part file is not in the log, so it is
 *   deleted on open and the part is finished again later from the staging;
 * - after the log line, before the staging is removed: open sees the batches in the log and
 *   drops them from the staging.
 * Staging left by another query id (stopped, or purged) is finished on open, so accepted rows
 * are never kept hidden.
 *
 * Like Spark's file sink it accepts append output mode only: files cannot retract rows.
 * Timestamps are written as ISO-8601 with `Z` (Parquet: INT64 timestamp millis, UTC).
 */
import { createHash } from 'node:crypto'
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock } from '../../runtime/clock.ts'
import { systemClock } from '../../runtime/clock.ts'
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import { formatTimestamp, type ChangeBatch, type Field, type Row, type Value } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import { FileSinkLog, readFileSinkLog, type FileSinkLogEntry } from './file-sink-log.ts'
import { FileSinkStaging, type StagedBatch } from './file-sink-staging.ts'
import type { FileFormat } from './file-sink-options.ts'
import { readParquetRows, writeParquet } from './parquet.ts'

export interface FileSinkSettings {
  /** The query writing now: its staging is kept open across a restart; other queries' is finished on open. */
  readonly queryId?: string
  readonly header?: boolean
  readonly rolloverRows?: number | null
  readonly rolloverIntervalMs?: number | null
  readonly clock?: Clock
}

export class FileSink implements Sink {
  readonly guarantee = 'exactly-once' as const
  readonly description: string
  private readonly staging = new Map<string, FileSinkStaging>()
  private queue: Promise<unknown> = Promise.resolve()
  private timer: NodeJS.Timeout | null = null
  private readonly clock: Clock

  private constructor(name: string, private readonly dir: string, private readonly format: FileFormat, private readonly log: FileSinkLog, private readonly settings: FileSinkSettings) {
    this.description = `FileSink[${name}: ${dir}]`
    this.clock = settings.clock ?? systemClock
  }

  private get rolls(): boolean {
    return (this.settings.rolloverRows ?? null) !== null || (this.settings.rolloverIntervalMs ?? null) !== null
  }

  static async open(name: string, dir: string, format: FileFormat, settings: FileSinkSettings = {}): Promise<FileSink> {
    const log = await FileSinkLog.open(dir)
    for (const f of await readdir(dir)) {
      // Temporary files are leftovers of parts never renamed into place; part files without a log line, of parts never logged.
      const orphan = (f.startsWith('.part-') && f.endsWith('.tmp')) || (f.startsWith('part-') && !log.hasFile(f))
      if (orphan) await unlink(join(dir, f)).catch(() => undefined)
    }
    const sink = new FileSink(name, dir, format, log, settings)
    for (const queryId of await FileSinkStaging.queries(dir)) {
      if (queryId === settings.queryId) continue
      const st = await sink.stagingOf(queryId)
      if (st.batches.length > 0) await sink.finish(st)
      await st.close()
      sink.staging.delete(queryId)
    }
    return sink
  }

  write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    return this.serial(() => this.writeNow(batchId, changes, info))
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.serial(async () => {
      for (const st of this.staging.values()) {
        if (st.batches.length > 0) await this.finish(st)
        await st.close()
      }
      this.staging.clear()
      await this.log.close()
    })
  }

  private async writeNow(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    if (info.outputMode !== 'append' || changes.snapshot === true || (changes.ops !== null && changes.ops.some((op) => op !== '+'))) {
      throw new WeirError('UNSUPPORTED_OPERATION', `the file sink accepts append output mode only (files cannot retract rows); this query is in ${info.outputMode} mode`)
    }
    const sha256 = batchHash(changes.rows)
    const done = this.log.get(info.queryId, batchId)
    if (done) return this.same(done.sha256, done.rows, sha256, batchId, changes.rows.length, info.queryId)
    if (!this.rolls) {
      const file = changes.rows.length === 0 ? null : await this.writePart(info.queryId, [batchId], changes.rows, info.schema.fields)
      await this.log.append({ queryId: info.queryId, batchId, file, rows: changes.rows.length, sha256 })
      return
    }
    const st = await this.stagingOf(info.queryId)
    const staged = st.find(batchId)
    if (staged) return this.same(staged.sha256, staged.rows.length, sha256, batchId, changes.rows.length, info.queryId)
    if (changes.rows.length > 0) {
      await st.add({ batchId, at: this.clock.now(), sha256, fields: info.schema.fields, rows: changes.rows })
      this.armTimer()
    }
    if (this.due(st)) await this.finish(st)
  }

  private same(committed: string, committedRows: number, sha256: string, batchId: number, rows: number, queryId: string): void {
    if (committed === sha256) return
    throw new WeirError('SINK_BATCH_MISMATCH',
      `batch ${batchId} of query ${queryId} was already committed to ${this.dir} with different content (${committedRows} rows, now ${rows}); ` +
      `the query's checkpoint lost writes the sink kept. Start the query under a new name or move the sink's directory aside`,
      { domain: 'external', retryable: false })
  }

  private due(st: FileSinkStaging): boolean {
    if (st.batches.length === 0) return false
    const { rolloverRows, rolloverIntervalMs } = this.settings
    if (rolloverRows != null && st.rows >= rolloverRows) return true
    return rolloverIntervalMs != null && this.clock.now() - st.firstAt! >= rolloverIntervalMs
  }

  private async stagingOf(queryId: string): Promise<FileSinkStaging> {
    let st = this.staging.get(queryId)
    if (!st) {
      st = await FileSinkStaging.open(this.dir, queryId, (b) => this.log.get(queryId, b.batchId) === undefined)
      this.staging.set(queryId, st)
      if (st.batches.length > 0) this.armTimer()
    }
    return st
  }

  /** Makes the open part visible: one part file, one log line for its batches. */
  private async finish(st: FileSinkStaging): Promise<void> {
    const batches: StagedBatch[] = [...st.batches]
    const rows = batches.flatMap((b) => b.rows)
    const file = await this.writePart(st.queryId, [batches[0]!.batchId, batches[batches.length - 1]!.batchId], rows, batches[batches.length - 1]!.fields)
    const entry: FileSinkLogEntry = {
      queryId: st.queryId, batchId: batches[0]!.batchId, file, rows: rows.length, sha256: batchHash(rows),
      batches: batches.map((b) => ({ batchId: b.batchId, rows: b.rows.length, sha256: b.sha256 })),
    }
    await this.log.append(entry)
    await st.clear()
  }

  private async writePart(queryId: string, ids: readonly number[], rows: readonly Row[], fields: readonly Field[]): Promise<string> {
    const ext = this.format === 'json' ? 'jsonl' : this.format
    const first = String(ids[0]).padStart(8, '0')
    const range = ids.length > 1 ? `${first}-${String(ids[1]).padStart(8, '0')}` : first
    const file = `part-${queryId}-${range}.${ext}`
    const bytes = this.format === 'parquet'
      ? writeParquet(rows, fields)
      : Buffer.from(this.format === 'json' ? toJsonLines(rows, fields) : toCsv(rows, fields, this.settings.header ?? true))
    const tmp = join(this.dir, `.${file}.tmp`)
    const handle = await open(tmp, 'w')
    try {
      await handle.write(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, join(this.dir, file))
    await syncDir(this.dir)
    return file
  }

  private armTimer(): void {
    const interval = this.settings.rolloverIntervalMs
    if (interval == null || this.timer !== null) return
    this.timer = setTimeout(() => {
      this.timer = null
      // A failure here (a full disk) leaves the part staged; the next batch or close tries again.
      this.serial(async () => {
        for (const st of this.staging.values()) if (this.due(st)) await this.finish(st)
        if ([...this.staging.values()].some((st) => st.batches.length > 0)) this.armTimer()
      }).catch(() => undefined)
    }, interval)
    this.timer.unref()
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn)
    this.queue = next.catch(() => undefined)
    return next
  }
}

/** SHA-256 of a batch's rows as JSON: the identity of a batch's content. */
export function batchHash(rows: readonly Row[]): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex')
}

/** The committed contents of a file sink, part by part in commit order: JSON and Parquet rows as objects, CSV rows as lines. */
export async function readFileSink(dir: string): Promise<{ queryId: string; batchId: number; rows: unknown[] }[]> {
  const out: { queryId: string; batchId: number; rows: unknown[] }[] = []
  for (const e of await readFileSinkLog(dir)) {
    if (e.file === null) continue
    const path = join(dir, e.file)
    if (e.file.endsWith('.parquet')) {
      const records = await readParquetRows(await readFile(path), path)
      out.push({ queryId: e.queryId, batchId: e.batchId, rows: records.map(wireRecord) })
      continue
    }
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '')
    const rows = e.file.endsWith('.jsonl') ? lines.map((l) => JSON.parse(l) as unknown) : lines.slice(1)
    out.push({ queryId: e.queryId, batchId: e.batchId, rows })
  }
  return out
}

function wireRecord(r: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) o[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v
  return o
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

export function toCsv(rows: readonly Row[], fields: readonly Field[], header = true): string {
  if (rows.length === 0) return ''
  let out = header ? fields.map((f) => csvCell(f.name)).join(',') + '\n' : ''
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
