/**
 * The console sink: each batch as a table on the server's standard output, as Spark's console
 * sink prints it — for development. Guarantee: at-most-once; nothing is kept, a re-run batch is
 * printed again under the same batch id, and output that a crash interrupts is gone.
 */
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import type { ChangeBatch, Value } from '../../runtime/types.ts'
import { wireValue } from '../wire-rows.ts'

export interface ConsoleSinkOptions {
  /** Rows shown per batch. */
  readonly maxRows: number
  /** Cut cells longer than 20 characters. */
  readonly truncate: boolean
}

export class ConsoleSink implements Sink {
  readonly guarantee = 'at-most-once' as const
  readonly description: string

  constructor(name: string, private readonly opts: ConsoleSinkOptions, private readonly out: (text: string) => void = (t) => void process.stdout.write(t)) {
    this.description = `ConsoleSink[${name}]`
  }

  async write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    this.out(renderBatch(batchId, changes, info, this.opts))
  }

  async close(): Promise<void> {}
}

export function renderBatch(batchId: number, changes: ChangeBatch, info: SinkBatchInfo, opts: ConsoleSinkOptions): string {
  const fields = info.schema.fields
  const withOps = changes.ops !== null
  const header = [...(withOps ? ['op'] : []), ...fields.map((f) => f.name)]
  const shown = changes.rows.slice(0, opts.maxRows)
  const cells = shown.map((row, r) => [
    ...(withOps ? [changes.ops![r]!] : []),
    ...fields.map((f, i) => cell(wireValue(row[i] ?? null, f), opts.truncate)),
  ])
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)))
  const line = '+' + widths.map((w) => '-'.repeat(w)).join('+') + '+'
  const fmt = (row: readonly string[]): string => '|' + row.map((v, c) => v.padEnd(widths[c]!)).join('|') + '|'
  const rule = '-'.repeat(43)
  const title = `Batch: ${batchId} (query ${info.queryId}, ${info.outputMode}${changes.snapshot ? ', complete result' : ''})`
  const lines = [rule, title, rule, line, fmt(header), line, ...cells.map(fmt), line]
  if (changes.rows.length > shown.length) lines.push(`only showing top ${shown.length} of ${changes.rows.length} rows`)
  return lines.join('\n') + '\n\n'
}

function cell(v: Value, truncate: boolean): string {
  const s = v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v)
  const flat = s.replace(/[\r\n\t]/g, ' ')
  return truncate && flat.length > 20 ? flat.slice(0, 17) + '...' : flat
}
