/**
 * The rate source (Spark's `rate` format): generated rows `(timestamp, value)` for tests, demos
 * and benchmarks. Row n has `value` n and `timestamp` start + floor(n · 1000 / rows_per_second),
 * where start is the clock time when the query first started.
 *
 * The offset is `{"rows": n, "start": ms}`: n rows generated so far, computed from the clock
 * (`env.clock`, so a test with a ManualClock decides how many rows exist), and the start time
 * carried along so that any range can be regenerated after a restart — `read` is a pure function
 * of the offsets, hence exactly-once with any sink that is.
 */
import type { Clock } from '../../runtime/clock.ts'
import type { ReadLimit, Source, SourceOffset } from '../../runtime/source.ts'
import type { Field, Row, Value } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'

export interface RateOffset {
  readonly rows: number
  readonly start: number
}

export interface RateSourceOptions {
  readonly stream: string
  readonly fields: readonly Field[]
  readonly rowsPerSecond: number
  /** Rows of a batch are ordered partition by partition (n mod numPartitions), as Spark's partitions would be read. */
  readonly numPartitions: number
  readonly startAtLatest: boolean
}

export class RateSource implements Source {
  readonly description: string
  private start: number | null = null
  private readonly columns: ((n: number, start: number) => Value)[]

  constructor(private readonly opts: RateSourceOptions, private readonly clock: Clock) {
    this.description = `RateSource[${opts.stream}: ${opts.rowsPerSecond}/s]`
    this.columns = opts.fields.map((f) => (f.name.toLowerCase() === 'value' ? (n) => n : (n, start) => this.timestampOf(n, start)))
  }

  async initialOffset(): Promise<SourceOffset> {
    const start = this.startTime()
    return offset({ rows: this.opts.startAtLatest ? this.available(start) : 0, start })
  }

  async latestOffset(): Promise<SourceOffset> {
    const start = this.startTime()
    return offset({ rows: this.available(start), start })
  }

  async endOffset(startOffset: SourceOffset, limit: ReadLimit): Promise<SourceOffset> {
    const { rows, start } = this.adopt(startOffset)
    let end = Math.max(rows, this.available(start))
    if (limit.maxRows !== null) end = Math.min(end, rows + limit.maxRows)
    return offset({ rows: end, start })
  }

  async read(startOffset: SourceOffset, endOffset: SourceOffset): Promise<Row[]> {
    const { rows: from, start } = this.adopt(startOffset)
    const to = asRate(endOffset).rows
    const out: Row[] = []
    const p = this.opts.numPartitions
    for (let part = 0; part < p; part++) {
      const first = from + ((part - (from % p)) + p) % p
      for (let n = first; n < to; n += p) out.push(this.columns.map((c) => c(n, start)))
    }
    return out
  }

  distance(from: SourceOffset, to: SourceOffset): number {
    return asRate(to).rows - asRate(from).rows
  }

  async close(): Promise<void> {}

  timestampOf(n: number, start: number): number {
    return start + Math.floor((n * 1000) / this.opts.rowsPerSecond)
  }

  private startTime(): number {
    if (this.start === null) this.start = this.clock.now()
    return this.start
  }

  /** Rows whose timestamp has passed: after one second at 10 rows/s, rows 0 to 9. */
  private available(start: number): number {
    const elapsed = this.clock.now() - start
    return elapsed <= 0 ? 0 : Math.ceil((elapsed * this.opts.rowsPerSecond) / 1000)
  }

  /** A resumed query carries its start time in its offsets. */
  private adopt(o: SourceOffset): RateOffset {
    const r = asRate(o)
    this.start = r.start
    return r
  }
}

function offset(o: RateOffset): SourceOffset {
  return { rows: o.rows, start: o.start }
}

function asRate(o: SourceOffset): RateOffset {
  if (o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o.rows === 'number' && typeof o.start === 'number') return { rows: o.rows, start: o.start }
  throw new WeirError('CHECKPOINT_CORRUPT', `not a rate source offset: ${JSON.stringify(o)}`, { domain: 'internal' })
}
