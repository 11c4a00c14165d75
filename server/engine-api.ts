/**
 * The in-process engine API: what the sql-tests runner, the differential test and the HTTP
 * server use. One `Engine` owns a catalog, embedded streams, sinks and running queries.
 */
import type { Field, Row } from '../runtime/types.ts'
import type { OutputMode } from '../runtime/graph.ts'
import type { QueryProgress } from '../runtime/progress.ts'
import type { Op } from '../runtime/types.ts'

export { ManualClock, systemClock, type Clock } from '../runtime/clock.ts'

/** Session options (SET 'option' = 'value', or per request). Keys lower-case. */
export type SessionOptions = Readonly<Record<string, string>>

export type StatementResult =
  /** CREATE / DROP / SET / STOP: a one-line outcome. */
  | { readonly kind: 'ok'; readonly statement: string; readonly message: string }
  /** INSERT INTO … VALUES: rows appended, with the offsets written (first row at `startOffset`). */
  | { readonly kind: 'insert'; readonly target: string; readonly count: number; readonly startOffset: number; readonly endOffset: number }
  /** A persistent (INSERT INTO sink SELECT) or push (SELECT … EMIT) query was started. */
  | {
      readonly kind: 'query'
      readonly queryId: string
      readonly name: string | null
      readonly push: boolean
      readonly outputMode: OutputMode
      readonly trigger: string
      readonly columns: readonly Field[]
      readonly sink: string | null
    }
  /** SHOW, DESCRIBE, pull queries: a table. `note` says e.g. that a row limit applied. */
  | { readonly kind: 'rows'; readonly statement: string; readonly columns: readonly Field[]; readonly rows: readonly Row[]; readonly note?: string }
  /** EXPLAIN: the plan as stable text. */
  | { readonly kind: 'explain'; readonly plan: string }

/** One change a sink received. */
export interface SinkRecord {
  readonly batchId: number
  readonly op: Op
  readonly row: Row
  /** True for rows of a complete-mode snapshot (the sink's table was replaced by that batch). */
  readonly snapshot: boolean
}

export type QueryStatus = 'running' | 'stopped' | 'failed'

export interface QueryInfo {
  readonly id: string
  readonly name: string | null
  readonly sql: string
  readonly status: QueryStatus
  readonly error: { code: string; message: string } | null
  readonly outputMode: OutputMode
  readonly trigger: string
  readonly sink: string | null
  readonly push: boolean
  readonly columns: readonly Field[]
  readonly lastProgress: QueryProgress | null
  readonly recentProgress: readonly QueryProgress[]
}
