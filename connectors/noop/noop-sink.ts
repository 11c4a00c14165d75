/**
 * The noop sink (Spark's `format("noop")`): accepts every batch and keeps nothing. For
 * benchmarks and for trying a query's cost without a destination. Guarantee: none needed —
 * nothing is written.
 */
import type { Sink } from '../../runtime/sink.ts'
import type { ChangeBatch } from '../../runtime/types.ts'

export class NoopSink implements Sink {
  readonly guarantee = 'exactly-once' as const
  readonly description: string
  /** Rows accepted so far (a re-sent batch counts again). */
  rows = 0

  constructor(name: string) {
    this.description = `NoopSink[${name}]`
  }

  async write(_batchId: number, changes: ChangeBatch): Promise<void> {
    this.rows += changes.rows.length
  }

  async close(): Promise<void> {}
}
